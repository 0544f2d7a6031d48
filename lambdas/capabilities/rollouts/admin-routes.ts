import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../../shared/errors.js';
import { sha256Hex, canonicalJson } from '../../../shared/hash.js';
import type { FleetDeploymentStatus } from '../../../shared/resources/fleetdeployment.js';
import { isDnsLabel } from '../../../shared/resources/meta.js';
import { parseOrThrow } from '../../../shared/validation.js';
import { abortRollout, overrideWindows, pauseRollout, resumeRollout, rollbackRollout } from './control.js';
import { getRevision, listRevisions, type StoredRevision } from './revisions.js';
import { fleetDeploymentKind } from '../../../shared/resources/fleetdeployment.js';
import { asKind } from '../../core/typed-resources.js';
import type { AdminContext } from '../../http/admin-api.js';
import { parseObjectBody, type HttpRequest, type HttpResponse } from '../../http/request.js';
import type { Route } from '../../http/router.js';

/**
 * Admin routes of rollouts: pause, resume, abort, rollback (to the previous or a chosen revision)
 * and the audited emergency window override of a FleetDeployment, a small status view with a
 * content ETag for watchers (`If-None-Match` answers 304 while nothing changed), and the kept
 * revisions (`tether rollout history`).
 */

type AdminCtx = AdminContext;

export const OverrideWindowBodySchema = z
  .object({
    reason: z
      .string({ error: 'reason is required: say why windows are overridden (it goes to the audit log)' })
      .trim()
      .min(3, 'reason must say why (at least 3 characters)')
      .max(500),
    until: z.string().optional(),
  })
  .strict();

const EmptyBodySchema = z.object({}).strict();

/** Body of the rollback: empty (the previous revision) or `{toRevision: N}`. */
export const RollbackBodySchema = z
  .object({
    toRevision: z
      .number({ error: 'toRevision must be a revision number' })
      .int()
      .min(1, 'toRevision must be a revision number (1 or more)')
      .optional(),
  })
  .strict();

function revisionParam(req: HttpRequest): number {
  const text = req.params.revision;
  if (!/^\d+$/.test(text) || Number(text) < 1)
    throw new ValidationError(`"${text}" is not a revision number`, [{ path: 'revision', message: 'expected a whole number, 1 or more' }]);
  return Number(text);
}

/** One line of the history: what `tether rollout history` lists (the content only by number). */
function historyEntry(r: StoredRevision, current: number | undefined) {
  return {
    revision: r.revision,
    createdAt: r.createdAt,
    hash: r.hash,
    ...(r.rollbackOf !== undefined ? { rollbackOf: r.rollbackOf } : {}),
    current: r.revision === current,
  };
}

function deploymentName(req: HttpRequest): string {
  const name = req.params.name;
  if (!isDnsLabel(name)) {
    throw new ValidationError(`"${name}" is not a valid FleetDeployment name: use a DNS-1123 label`, [
      { path: 'name', message: 'invalid name' },
    ]);
  }
  return name;
}

const deploymentObject = (req: HttpRequest) => ({ name: req.params.name });

function emptyBody(req: HttpRequest, what: string): void {
  parseOrThrow(EmptyBodySchema, parseObjectBody(req, { optional: true }), what);
}

/** The status view: what `tether rollout status` shows. */
export function rolloutView(name: string, status: FleetDeploymentStatus | undefined, generation: number) {
  const s = status ?? { conditions: [] };
  return {
    name,
    generation,
    observedGeneration: s.observedGeneration,
    revision: s.revision,
    state: s.state ?? 'Pending',
    pausedReason: s.pausedReason,
    summary: s.summary,
    groups: s.groups ?? [],
    clusters: s.clusters ?? [],
    clustersOmitted: s.clustersOmitted,
    conditions: s.conditions ?? [],
    waves: s.waves,
    lastWaveTime: s.lastWaveTime,
    control: s.control,
  };
}

function action(verb: string, summary: string, run: (ctx: AdminCtx, name: string, req: HttpRequest) => Promise<unknown>): Route<AdminCtx> {
  return {
    method: 'POST',
    pattern: `/v1/fleetdeployments/{name}/${verb}`,
    summary,
    authz: { verb: 'control', kind: 'FleetDeployment', object: deploymentObject },
    handler: async (req, ctx): Promise<HttpResponse> => ({ status: 200, body: await run(ctx, deploymentName(req), req) }),
  };
}

/** The routes this capability contributes (composed in ./capability.ts). */
export const rolloutAdminRoutes: readonly Route<AdminCtx>[] = [
  {
    method: 'GET',
    pattern: '/v1/fleetdeployments/{name}/status',
    summary: 'Rollout status of a FleetDeployment (ETag of the content; If-None-Match answers 304)',
    authz: { verb: 'get', kind: 'FleetDeployment', object: deploymentObject },
    handler: async (req, ctx): Promise<HttpResponse> => {
      const fd = await ctx.service.get(fleetDeploymentKind, deploymentName(req));
      const view = rolloutView(fd.metadata.name, asKind(fleetDeploymentKind, fd).status, fd.metadata.generation);
      const tag = `"${sha256Hex(canonicalJson(view)).slice(0, 32)}"`;
      const inm = req.headers['if-none-match'];
      if (inm && inm.split(',').some((t) => t.trim().replace(/^W\//, '') === tag)) return { status: 304, headers: { etag: tag } };
      return { status: 200, headers: { etag: tag, 'cache-control': 'no-cache' }, body: view };
    },
  },
  action('pause', 'Pause a rollout: no new waves; clusters already updating carry on', (ctx, name, req) => {
    emptyBody(req, 'pause request');
    return pauseRollout(ctx, name, { sourceIp: req.sourceIp });
  }),
  action('resume', 'Resume a rollout paused by request, by failures (acknowledging them) or aborted', (ctx, name, req) => {
    emptyBody(req, 'resume request');
    return resumeRollout(ctx, name, { sourceIp: req.sourceIp });
  }),
  action('abort', 'Abort the rollout of the current revision: no new waves, what is applied stays', (ctx, name, req) => {
    emptyBody(req, 'abort request');
    return abortRollout(ctx, name, { sourceIp: req.sourceIp });
  }),
  action(
    'rollback',
    'Roll every updated cluster back to the previous revision, or to body {toRevision}, progressively',
    (ctx, name, req) => {
      const body = parseOrThrow(RollbackBodySchema, parseObjectBody(req, { optional: true }), 'rollback request');
      return rollbackRollout(ctx, name, { sourceIp: req.sourceIp }, body.toRevision);
    },
  ),
  {
    method: 'GET',
    pattern: '/v1/fleetdeployments/{name}/revisions',
    summary: 'Revisions of a FleetDeployment kept for rollback (the last 10), oldest first, without their content',
    authz: { verb: 'get', kind: 'FleetDeployment', object: deploymentObject },
    handler: async (req, ctx): Promise<HttpResponse> => {
      const fd = await ctx.service.get(fleetDeploymentKind, deploymentName(req));
      const current = asKind(fleetDeploymentKind, fd).status?.revision;
      const revisions = await listRevisions(ctx, fd.metadata.name);
      return {
        status: 200,
        headers: { 'cache-control': 'no-cache' },
        body: { name: fd.metadata.name, currentRevision: current, revisions: revisions.map((r) => historyEntry(r, current)) },
      };
    },
  },
  {
    method: 'GET',
    pattern: '/v1/fleetdeployments/{name}/revisions/{revision}',
    summary: 'One kept revision of a FleetDeployment with its template and overrides',
    authz: { verb: 'get', kind: 'FleetDeployment', object: deploymentObject },
    handler: async (req, ctx): Promise<HttpResponse> => {
      const fd = await ctx.service.get(fleetDeploymentKind, deploymentName(req));
      const n = revisionParam(req);
      const r = await getRevision(ctx, fd.metadata.name, n);
      if (!r) throw new NotFoundError(`FleetDeployment "${fd.metadata.name}" revision`, String(n));
      const current = asKind(fleetDeploymentKind, fd).status?.revision;
      return { status: 200, body: { ...historyEntry(r, current), template: r.content.template, overrides: r.content.overrides } };
    },
  },
  action(
    'override-window',
    'Emergency: ignore maintenance windows for the current revision (audited); body {reason, until?}',
    (ctx, name, req) => {
      const body = parseOrThrow(OverrideWindowBodySchema, parseObjectBody(req), 'override-window request');
      return overrideWindows(ctx, name, body, { sourceIp: req.sourceIp });
    },
  ),
];
