import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { HUB_CAPABILITIES } from '../../../lambdas/capabilities/index.js';
import { defineCapability } from '../../../lambdas/capabilities/capability.js';
import { behaviourFor } from '../../../lambdas/core/registry.js';
import { readResource } from '../../../lambdas/core/typed-resources.js';
import { createAdminApi } from '../../../lambdas/http/admin-api.js';
import { toProblem } from '../../../lambdas/http/problem.js';
import type { HttpRequest } from '../../../lambdas/http/request.js';
import { columnsFor } from '../../../cli/output/columns.js';
import { AGE_COLUMN, defineKind } from '../../../shared/resources/define-kind.js';
import { ValidationError } from '../../../shared/errors.js';
import { sha256Hex } from '../../../shared/hash.js';
import { ConditionSchema } from '../../../shared/resources/meta.js';
import { memoryHubContext } from '../../support/memory-hub.js';

/**
 * The worked example of docs/contributing.md, run: a capability that adds a stored kind with a
 * behaviour and an admin route is one object, and composing it is all the hub needs. (In the
 * repository the kind is also listed in shared/resources/kinds.ts, so that the CLI resolves its
 * names; the admin API serves whatever the composition serves.)
 */

// shared/resources/runbook.ts
const RunbookSpecSchema = z.object({ url: z.url(), severity: z.enum(['low', 'high']).default('low') }).strict();
const runbookKind = defineKind({
  kind: 'Runbook',
  plural: 'runbooks',
  singular: 'runbook',
  shortNames: ['rb'],
  namespaced: false,
  spec: RunbookSpecSchema,
  status: z.object({ conditions: z.array(ConditionSchema).default([]), acknowledgedBy: z.string().optional() }),
  description: 'A link to the runbook an on-call engineer follows.',
  printerColumns: [
    { name: 'SEVERITY', jsonPath: '.spec.severity', type: 'string', tones: { high: 'bad' } },
    { name: 'URL', jsonPath: '.spec.url', type: 'string' },
    AGE_COLUMN,
  ],
});

// lambdas/capabilities/runbooks/capability.ts
const runbooksCapability = defineCapability({
  name: 'runbooks',
  kinds: [runbookKind],
  behaviours: [
    behaviourFor(runbookKind, {
      initialStatus: () => ({ conditions: [] }),
      async validate(next) {
        // Typed by kind: next.spec.url is a string, no cast.
        if (!next.spec.url.startsWith('https://'))
          throw new ValidationError('runbook url must use https', [{ path: 'spec.url', message: 'not https' }]);
      },
    }),
  ],
  adminRoutes: [
    {
      method: 'POST',
      pattern: '/v1/runbooks/{name}/acknowledge',
      summary: 'Acknowledge a runbook',
      authz: { verb: 'control', kind: 'Runbook', object: (req) => ({ name: req.params.name }) },
      handler: async (req, ctx) => {
        const rb = await readResource(ctx, runbookKind, { name: req.params.name }, { consistent: true });
        if (!rb) return { status: 404, body: { detail: 'no such runbook' } };
        const saved = await ctx.ports.resources.replace(
          { ...rb, status: { ...rb.status, conditions: rb.status?.conditions ?? [], acknowledgedBy: 'admin' } },
          rb.metadata.resourceVersion,
        );
        return { status: 200, body: saved };
      },
    },
  ],
});

function request(method: string, path: string, body?: unknown): HttpRequest {
  return {
    method,
    path,
    headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
    query: {},
    body: body === undefined ? '' : JSON.stringify(body),
    params: {},
    requestId: 'test',
  };
}

describe('the worked example of docs/contributing.md', () => {
  it('composes a new capability: its kind gets CRUD, validation and its own route; the rest of the hub is untouched', async () => {
    const hub = memoryHubContext({ capabilities: [...HUB_CAPABILITIES, runbooksCapability] });
    await hub.ctx.ports.adminTokens.put({ hash: sha256Hex('t'), role: 'admin', createdAt: 0 });
    const routes = [...HUB_CAPABILITIES, runbooksCapability].flatMap((c) => c.adminRoutes ?? []);
    const api = createAdminApi({ ...hub.ctx }, routes);
    const call = async (req: HttpRequest) => {
      try {
        return await api(req);
      } catch (err) {
        return { status: toProblem(err).problem.status, body: toProblem(err).problem };
      }
    };
    const doc = {
      apiVersion: 'tether.dev/v1alpha1',
      kind: 'Runbook',
      metadata: { name: 'disk-full' },
      spec: { url: 'https://wiki.example.com/disk-full', severity: 'high' },
    };
    expect((await call(request('POST', '/v1/runbooks', { ...doc, spec: { url: 'http://insecure.example.com' } }))).status).toBe(422);
    expect((await call(request('POST', '/v1/runbooks', doc))).status).toBe(201);
    const ack = await call(request('POST', '/v1/runbooks/disk-full/acknowledge'));
    expect(ack.status).toBe(200);
    expect((ack.body as { status: { acknowledgedBy: string } }).status.acknowledgedBy).toBe('admin');
    // A hub composed without it does not serve the kind.
    const plainHub = memoryHubContext();
    await plainHub.ctx.ports.adminTokens.put({ hash: sha256Hex('t'), role: 'admin', createdAt: 0 });
    const plain = createAdminApi(
      plainHub.ctx,
      HUB_CAPABILITIES.flatMap((c) => c.adminRoutes ?? []),
    );
    const missing = await plain(request('GET', '/v1/runbooks')).catch((err) => ({ status: toProblem(err).problem.status }));
    expect(missing.status).toBe(404);
  });

  it('gets its tether get columns from the kind, with no change to the CLI (once listed in KINDS)', () => {
    expect(runbookKind.printerColumns?.map((c) => c.name)).toEqual(['SEVERITY', 'URL', 'AGE']);
    // An unlisted kind falls back to NAME, AGE (and LABELS with -o wide).
    expect(columnsFor('Runbook', true).map((c) => c.header)).toEqual(['NAME', 'AGE', 'LABELS']);
  });
});
