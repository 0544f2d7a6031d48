import { AuthFailureLimiter, authenticateLimited, DEFAULT_AUTH_FAILURE_LIMIT } from './auth-failure-limit.js';
import { ApplyResponseSchema, type ApplyResponse, type ApplyResult } from '../../shared/api.js';
import { isServerError, ValidationError } from '../../shared/errors.js';
import { canonicalHash } from '../../shared/hash.js';
import { parseSelector } from '../../shared/labels.js';
import { isDnsLabel, API_VERSION } from '../../shared/resources/meta.js';
import type { KindInfo } from '../../shared/resources/kinds.js';
import type { HubContext } from '../core/context.js';
import { openCursor, sealCursor } from '../core/cursors.js';
import { parseDesired, requireKind, ResourceService } from '../core/resource-service.js';
import { parseIfMatch } from './conditional.js';
import { authorizeRoute } from './authorize.js';
import { Authorizer } from '../core/authz/authorizer.js';
import { bindingSnapshot, grantsFor } from '../core/authz/grants.js';
import type { Principal } from '../../shared/tenancy.js';
import { RequestAudit, SignIns } from './request-audit.js';
import { buildOpenApi } from './openapi.js';
import { toProblem, withResponseHeaders } from './problem.js';
import { boolParam, intParam, parseDocumentsBody, parseObjectBody, type HttpRequest, type HttpResponse } from './request.js';
import { Router, type Route } from './router.js';
import type { HttpApp } from './serve.js';
import { TETHER_VERSION } from '../../shared/version.js';

/** Maximum documents in one apply request. */
export const MAX_APPLY_DOCUMENTS = 500;
/** Hub version reported by /healthz: package.json's. */
export const HUB_VERSION = TETHER_VERSION;

/**
 * What an admin route handler receives: the hub context (its `ports.audit` the request's audit
 * scope), the caller (`principal`), its authorization (`authz`, with the decisions this request
 * made, which the audit event records), the generic resource service, which hides and refuses what
 * is outside the caller's reach, and the request's audit scope.
 */
export type AdminContext = HubContext & { service: ResourceService; principal: Principal; authz: Authorizer; audit?: RequestAudit };
type Ctx = AdminContext;

function kindParam(req: HttpRequest, ctx: Ctx, namespaced: boolean): KindInfo {
  const info = requireKind(req.params.plural, ctx.registry.kinds);
  if (req.params.plural !== info.plural) throw new ValidationError(`use the plural path /v1/${info.plural}`);
  if (info.namespaced !== namespaced) {
    throw new ValidationError(
      namespaced
        ? `${info.kind} is not scoped to a cluster; use /v1/${info.plural}`
        : `${info.kind} belongs to a cluster; use /v1/clusters/{cluster}/${info.plural}`,
    );
  }
  return info;
}

function nameParam(req: HttpRequest, key = 'name'): string {
  const name = req.params[key];
  if (!isDnsLabel(name)) {
    throw new ValidationError(
      `"${name}" is not a valid name: use a DNS-1123 label (lowercase letters, digits and '-', at most 63 characters)`,
      [{ path: key, message: 'invalid name' }],
    );
  }
  return name;
}

function etag(res: { metadata: { resourceVersion: string } }): Record<string, string> {
  return { etag: `"${res.metadata.resourceVersion}"` };
}

/** True when the request's If-None-Match names this ETag (or `*`), so the answer can be 304. */
function notModified(req: HttpRequest, tag: string): boolean {
  const header = req.headers['if-none-match'];
  if (!header) return false;
  return header.split(',').some((t) => {
    const v = t.trim().replace(/^W\//, '');
    return v === '*' || v === tag;
  });
}

async function list(req: HttpRequest, ctx: Ctx, info: KindInfo, namespace?: string): Promise<HttpResponse> {
  const selector = req.query.labelSelector ? parseSelector(req.query.labelSelector) : undefined;
  const limit = intParam(req, 'limit', 500, 1, 1000);
  const page = await ctx.service.list(info, { selector, limit, cursor: req.query.continue || undefined, namespace });
  const body = {
    apiVersion: API_VERSION,
    kind: `${info.kind}List`,
    metadata: page.cursor ? { continue: page.cursor } : {},
    items: page.items,
  };
  // A content hash as ETag lets pollers (console, `get --watch`) skip unchanged pages.
  const tag = `W/"${canonicalHash(body).slice(0, 32)}"`;
  if (notModified(req, tag.slice(2))) return { status: 304, headers: { etag: tag } };
  return { status: 200, headers: { etag: tag }, body };
}

function withNamespace(body: Record<string, unknown>, namespace: string | undefined): Record<string, unknown> {
  if (!namespace) return body;
  const metadata = (body.metadata ?? {}) as Record<string, unknown>;
  if (metadata.namespace !== undefined && metadata.namespace !== namespace) {
    throw new ValidationError(`metadata.namespace "${String(metadata.namespace)}" does not match the cluster in the path "${namespace}"`);
  }
  return { ...body, metadata: { ...metadata, namespace } };
}

function resourceRoutes(prefix: string, namespaced: boolean, kinds: readonly KindInfo[]): Route<Ctx>[] {
  const ns = (req: HttpRequest) => (namespaced ? nameParam(req, 'cluster') : undefined);
  // The service checks each object against the caller's sets; the route checks the kind.
  const kind = (req: HttpRequest) => requireKind(req.params.plural, kinds).kind;
  return [
    {
      method: 'GET',
      pattern: `${prefix}/{plural}`,
      summary: 'List objects',
      authz: { verb: 'list', kind },
      handler: (req, ctx) => list(req, ctx, kindParam(req, ctx, namespaced), ns(req)),
    },
    {
      method: 'POST',
      pattern: `${prefix}/{plural}`,
      summary: 'Create an object',
      authz: { verb: 'create', kind },
      handler: async (req, ctx) => {
        const info = kindParam(req, ctx, namespaced);
        const body = withNamespace(parseObjectBody(req, { allowYaml: true }), ns(req));
        const created = await ctx.service.create(parseDesired(body, info, 'request body'));
        return { status: 201, headers: etag(created), body: created };
      },
    },
    {
      method: 'GET',
      pattern: `${prefix}/{plural}/{name}`,
      summary: 'Read an object',
      authz: { verb: 'get', kind },
      handler: async (req, ctx) => {
        const obj = await ctx.service.get(kindParam(req, ctx, namespaced), nameParam(req), ns(req));
        if (notModified(req, etag(obj).etag)) return { status: 304, headers: etag(obj) };
        return { status: 200, headers: etag(obj), body: obj };
      },
    },
    {
      method: 'PUT',
      pattern: `${prefix}/{plural}/{name}`,
      summary: 'Replace an object (conditional on resourceVersion or If-Match)',
      authz: { verb: 'update', kind },
      handler: async (req, ctx) => {
        const info = kindParam(req, ctx, namespaced);
        const name = nameParam(req);
        const body = withNamespace(parseObjectBody(req, { allowYaml: true }), ns(req));
        const desired = parseDesired(body, info, `${info.kind} "${name}"`);
        if (desired.name !== name) {
          throw new ValidationError(`metadata.name "${desired.name}" does not match the name in the path "${name}"`, [
            { path: 'metadata.name', message: 'must match the path' },
          ]);
        }
        const obj = await ctx.service.replace(desired, parseIfMatch(req.headers['if-match']) ?? desired.resourceVersion);
        return { status: 200, headers: etag(obj), body: obj };
      },
    },
    {
      method: 'PATCH',
      pattern: `${prefix}/{plural}/{name}`,
      summary: 'Merge-patch an object (RFC 7396)',
      authz: { verb: 'patch', kind },
      handler: async (req, ctx) => {
        const info = kindParam(req, ctx, namespaced);
        const patch = parseObjectBody(req);
        const obj = await ctx.service.patch(info, nameParam(req), ns(req), patch, parseIfMatch(req.headers['if-match']));
        return { status: 200, headers: etag(obj), body: obj };
      },
    },
    {
      method: 'DELETE',
      pattern: `${prefix}/{plural}/{name}`,
      summary: 'Delete an object',
      authz: { verb: 'delete', kind },
      handler: async (req, ctx) => {
        const out = await ctx.service.delete(kindParam(req, ctx, namespaced), nameParam(req), ns(req));
        return { status: out.result === 'deleted' ? 200 : 202, body: out.object };
      },
    },
  ];
}

async function apply(req: HttpRequest, ctx: Ctx): Promise<HttpResponse> {
  const dryRun = boolParam(req, 'dryRun');
  const docs = parseDocumentsBody(req);
  if (docs.length === 0) throw new ValidationError('nothing to apply: the body holds no documents');
  if (docs.length > MAX_APPLY_DOCUMENTS)
    throw new ValidationError(`too many documents (${docs.length}); the limit is ${MAX_APPLY_DOCUMENTS} per request`);
  const results: ApplyResult[] = [];
  // Documents are applied in order, one at a time, so that a later document may rely on an earlier one.
  for (let index = 0; index < docs.length; index++) {
    const doc = docs[index] as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
    const base: ApplyResult = {
      index,
      action: 'failed',
      ...(typeof doc?.kind === 'string' ? { kind: doc.kind } : {}),
      ...(typeof doc?.metadata?.name === 'string' ? { name: doc.metadata.name } : {}),
    };
    try {
      const desired = parseDesired(doc, undefined, `document ${index + 1}`, ctx.registry.kinds);
      if (desired.info.namespaced && !desired.namespace) {
        throw new ValidationError(`document ${index + 1}: ${desired.info.kind} needs metadata.namespace set to its cluster's name`, [
          { path: 'metadata.namespace', message: 'required' },
        ]);
      }
      const out = await ctx.service.apply(desired, dryRun);
      results.push({
        ...base,
        action: out.action,
        ...(desired.namespace ? { namespace: desired.namespace } : {}),
        ...(out.object ? { resourceVersion: out.object.metadata.resourceVersion } : {}),
      });
    } catch (err) {
      // A server error fails the whole apply (logged, generic detail); a client error is this document's.
      if (isServerError(err)) throw err;
      results.push({ ...base, problem: toProblem(err).problem });
    }
  }
  const summary: Record<string, number> = {};
  for (const r of results) summary[r.action] = (summary[r.action] ?? 0) + 1;
  const body: ApplyResponse = { dryRun, results, summary };
  ApplyResponseSchema.parse(body);
  return { status: 200, body };
}

/** The answer with its `continue` cursor (in `metadata`, or at the top of the body) signed for `scope`. */
async function sealContinue(res: HttpResponse, ctx: Ctx, scope: string): Promise<HttpResponse> {
  const body = res.body as { continue?: unknown; metadata?: { continue?: unknown } } | undefined;
  if (body === null || typeof body !== 'object') return res;
  if (typeof body.metadata?.continue === 'string') {
    return {
      ...res,
      body: { ...body, metadata: { ...body.metadata, continue: await sealCursor(ctx.ports, body.metadata.continue, scope) } },
    };
  }
  if (typeof body.continue === 'string') return { ...res, body: { ...body, continue: await sealCursor(ctx.ports, body.continue, scope) } };
  return res;
}

/**
 * Builds the admin API application over the given hub context: health, apply, the generic resource
 * routes of every composed kind, and the routes the composed capabilities contribute.
 */
export function createAdminApi(hub: HubContext, capabilityRoutes: readonly Route<AdminContext>[]): HttpApp {
  const router = adminRouter(hub, capabilityRoutes);
  const signIns = new SignIns();
  const failures = new AuthFailureLimiter(hub.config.authFailureLimit ?? DEFAULT_AUTH_FAILURE_LIMIT, () => hub.ports.clock.now());
  return async (req) => {
    const { route, params } = router.match(req.method, req.path);
    req.params = params;
    const base = hub.ports.audit;
    const audit = new RequestAudit(base, req, route.pattern, hub.ports.clock.now());
    // The request's own context: its audit scope stands in for ports.audit, so the resource
    // service's writes and the domain's security events become this request's audit event.
    const ports = { ...hub.ports, audit };
    const scoped: HubContext = { ...hub, ports };
    let ctx = adminContext(scoped, ANONYMOUS, [], audit);
    let res: HttpResponse | undefined;
    let failure: unknown;
    try {
      if (!route.public) {
        // Failed sign-ins are limited per source before any lookup (lambdas/http/auth-failure-limit.ts).
        const caller = await authenticateLimited(req, scoped, failures);
        audit.principal = caller.principal;
        audit.signIn = signIns.first(caller.principal, hub.ports.clock.now());
        // The roles and bindings come from the process's copy (one read per 10 s at most).
        const grants = grantsFor(caller.principal, await bindingSnapshot(hub.ports), caller.token);
        ctx = adminContext(scoped, caller.principal, grants, audit);
        await authorizeRoute(route, req, ctx);
      }
      // Every list route pages with `continue`: cursors are opened here and sealed on the way
      // out (core/cursors.ts), so no route can forget it and no route sees an unsigned one.
      if (req.query.continue) req.query = { ...req.query, continue: await openCursor(ctx.ports, req.query.continue, req.path) };
      res = await sealContinue(await route.handler(req, ctx), ctx, req.path);
    } catch (err) {
      failure = err;
    }
    let auditID: string = audit.auditID;
    if (!route.public) {
      // The decision the event records: a request that failed, its first refusal; one that went
      // through, its first allowance (an apply may have had some documents refused).
      const made = ctx.authz.decisions.map((d) => d.decision);
      const refused = made.find((d) => !d.allowed);
      const allowed = made.find((d) => d.allowed);
      audit.decision = (failure === undefined ? (allowed ?? refused) : (refused ?? allowed)) ?? audit.decision;
      const problem = failure === undefined ? undefined : toProblem(failure).problem;
      try {
        auditID = await audit.finish(
          scoped,
          { status: res?.status ?? problem?.status ?? 500, reason: problem?.title, message: problem?.detail },
          hub.ports.clock.now(),
        );
      } catch (err) {
        // The request has happened; a failure to describe it is logged, not answered.
        hub.ports.log.error('audit: the request could not be recorded', { path: req.path, error: (err as Error).message });
      }
    }
    // The audit records of what this request changed are stored before it is answered.
    await base.flush?.();
    const headers: Record<string, string> = route.public ? {} : { 'audit-id': auditID };
    if (failure !== undefined) throw withResponseHeaders(failure, headers);
    return { ...res!, headers: { ...res!.headers, ...headers } };
  };
}

/** The principal of public routes (health, OpenAPI, console files): no grants at all. */
const ANONYMOUS: Principal = Object.freeze({ source: 'token', username: 'system:anonymous', uid: '', groups: [] });

/** The context of one admin request: the caller's authorization and a service that enforces it. */
export function adminContext(hub: HubContext, principal: Principal, grants: Authorizer['grants'], audit?: RequestAudit): AdminContext {
  const authz = new Authorizer(principal, grants, hub.ports.resources);
  return { ...hub, principal, authz, service: new ResourceService(hub, authz), ...(audit ? { audit } : {}) };
}

/**
 * Every route of the admin API (health, apply, the capabilities' routes, the generic resource
 * routes, the OpenAPI document), in matching order: what the API serves and what tests such as the
 * fuzzing suite walk.
 */
export function adminRouteTable(hub: HubContext, capabilityRoutes: readonly Route<AdminContext>[]): readonly Route<AdminContext>[] {
  return adminRouter(hub, capabilityRoutes).list();
}

function adminRouter(hub: HubContext, capabilityRoutes: readonly Route<AdminContext>[]): Router<Ctx> {
  const router = new Router<Ctx>({ requireAuthz: true });
  router.add({
    method: 'GET',
    pattern: '/healthz',
    public: true,
    summary: 'Liveness',
    handler: async () => ({ status: 200, body: { status: 'ok', version: HUB_VERSION } }),
  });
  router.add({
    method: 'POST',
    pattern: '/v1/apply',
    summary: 'Create or update many objects (multi-document YAML or JSON)',
    // Each document is authorized on its own (a refusal is that document's problem).
    authz: { verb: 'create', kind: '*', mode: 'perObject' },
    handler: apply,
  });
  for (const r of capabilityRoutes) router.add(r);
  for (const r of resourceRoutes('/v1', false, hub.registry.kinds)) router.add(r);
  for (const r of resourceRoutes('/v1/clusters/{cluster}', true, hub.registry.kinds)) router.add(r);
  let openapi: unknown;
  router.add({
    method: 'GET',
    pattern: '/openapi.json',
    public: true,
    summary: 'This API description',
    handler: async () => {
      openapi ??= buildOpenApi(router.list(), hub.registry.kinds);
      return { status: 200, body: openapi };
    },
  });
  return router;
}
