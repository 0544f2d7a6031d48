import { z } from 'zod';
import { ApplyResponseSchema, ProblemSchema, listSchema } from '../../shared/api.js';
import { inputSchema, outputSchema, type AnyKind } from '../../shared/resources/kinds.js';
import type { Route } from './router.js';

/**
 * Generates the OpenAPI 3.1 description from the zod schemas and the router's route table, so the
 * document can never drift from what the hub validates. Generic `{plural}` routes are expanded into
 * one path per kind.
 */
export function buildOpenApi<C>(routes: readonly Route<C>[], kinds: readonly AnyKind[]): Record<string, unknown> {
  const schemas: Record<string, unknown> = {
    Problem: toSchema(ProblemSchema, 'output'),
    ApplyResponse: toSchema(ApplyResponseSchema, 'output'),
  };
  for (const info of kinds) {
    schemas[info.kind] = toSchema(outputSchema(info), 'output');
    schemas[`${info.kind}Input`] = toSchema(inputSchema(info), 'input');
    schemas[`${info.kind}List`] = toSchema(listSchema(outputSchema(info), info.kind), 'output');
  }
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const expansions = route.pattern.includes('{plural}') ? kindsFor(route.pattern, kinds) : [undefined];
    for (const info of expansions) {
      const path = info ? route.pattern.replace('{plural}', info.plural) : route.pattern;
      paths[path] ??= {};
      paths[path][route.method.toLowerCase()] = operation(route, info, path);
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tether hub API',
      version: 'v1alpha1',
      description: 'Admin API of the Tether hub. Errors are RFC 9457 application/problem+json.',
    },
    components: {
      schemas,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Admin token' } },
    },
    security: [{ bearer: [] }],
    paths,
  };
}

function kindsFor(pattern: string, kinds: readonly AnyKind[]): AnyKind[] {
  const namespaced = pattern.startsWith('/v1/clusters/{cluster}/');
  return kinds.filter((k) => k.namespaced === namespaced);
}

function toSchema(schema: z.ZodType, io: 'input' | 'output'): unknown {
  return z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' });
}

function ref(name: string) {
  return { $ref: `#/components/schemas/${name}` };
}

function operation<C>(route: Route<C>, info: AnyKind | undefined, path: string): Record<string, unknown> {
  const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
  const problem = { description: 'Problem', content: { 'application/problem+json': { schema: ref('Problem') } } };
  const op: Record<string, unknown> = {
    summary: info ? `${route.summary ?? ''} (${info.kind})` : route.summary,
    parameters: params,
    responses: { default: problem } as Record<string, unknown>,
  };
  if (route.public) op.security = [];
  const responses = op.responses as Record<string, unknown>;
  if (info) {
    const isList = route.method === 'GET' && !path.endsWith('{name}');
    if (isList) {
      (op.parameters as unknown[]).push(
        { name: 'labelSelector', in: 'query', schema: { type: 'string' }, description: 'e.g. tier=store,region in (us-east,us-west)' },
        { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000 } },
        { name: 'continue', in: 'query', schema: { type: 'string' } },
      );
      responses['200'] = { description: 'A page of objects', content: { 'application/json': { schema: ref(`${info.kind}List`) } } };
    } else {
      responses[route.method === 'POST' ? '201' : '200'] = {
        description: info.kind,
        content: { 'application/json': { schema: ref(info.kind) } },
      };
    }
    if (route.method === 'POST' || route.method === 'PUT') {
      op.requestBody = {
        required: true,
        content: { 'application/json': { schema: ref(`${info.kind}Input`) }, 'application/yaml': { schema: ref(`${info.kind}Input`) } },
      };
    }
    if (route.method === 'PATCH') {
      op.requestBody = { required: true, content: { 'application/merge-patch+json': { schema: { type: 'object' } } } };
    }
  } else if (path === '/v1/apply') {
    op.requestBody = {
      required: true,
      content: { 'application/yaml': { schema: { type: 'string' } }, 'application/json': { schema: {} } },
    };
    (op.parameters as unknown[]).push({ name: 'dryRun', in: 'query', schema: { type: 'boolean' } });
    responses['200'] = { description: 'Per-document results', content: { 'application/json': { schema: ref('ApplyResponse') } } };
  } else {
    responses['200'] = { description: 'OK' };
  }
  return op;
}
