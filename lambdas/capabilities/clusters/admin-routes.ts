import { z } from 'zod';
import { ValidationError } from '../../../shared/errors.js';
import { LabelsSchema } from '../../../shared/labels.js';
import { isDnsLabel } from '../../../shared/resources/meta.js';
import { parseOrThrow } from '../../../shared/validation.js';
import type { HubContext } from '../../core/context.js';
import { detachCluster } from './detach.js';
import { acceptCluster, denyCluster, importCluster, upgradeCluster } from './lifecycle.js';
import type { AdminContext } from '../../http/admin-api.js';
import { parseObjectBody, type HttpRequest } from '../../http/request.js';
import type { Route, RouteAuthz } from '../../http/router.js';

/**
 * Admin routes of the cluster lifecycle: import, accept, deny, detach and upgrade. Bodies are
 * strict (unknown fields are 422 with field errors); an unknown cluster is 404, a cluster in the
 * wrong state 409.
 */

type AdminCtx = AdminContext;

/** Longest bootstrap token lifetime import accepts: 30 days. */
export const MAX_BOOTSTRAP_TTL_SECONDS = 30 * 24 * 3600;

export const ImportBodySchema = z
  .object({
    labels: LabelsSchema.optional(),
    autoAccept: z.boolean().optional(),
    ttlSeconds: z.number().int().min(60).max(MAX_BOOTSTRAP_TTL_SECONDS).optional(),
  })
  .strict();

export const DetachBodySchema = z.object({ force: z.boolean().optional() }).strict();

export const UpgradeBodySchema = z
  .object({
    version: z
      .string()
      .regex(
        /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/,
        'version must be a valid image tag (letters, digits, "_", "." and "-", at most 128 characters)',
      ),
  })
  .strict();

const EmptyBodySchema = z.object({}).strict();

function clusterName(req: HttpRequest): string {
  const name = req.params.name;
  if (!isDnsLabel(name)) {
    throw new ValidationError(
      `"${name}" is not a valid cluster name: use a DNS-1123 label (lowercase letters, digits and '-', at most 63 characters)`,
      [{ path: 'name', message: 'invalid name' }],
    );
  }
  return name;
}

function body<S extends z.ZodType>(req: HttpRequest, schema: S, what: string): z.infer<S> {
  return parseOrThrow(schema, parseObjectBody(req, { optional: true }), what);
}

/**
 * Where agents reach the hub: the configured agent URL, else the hub URL, else what the request
 * itself was addressed to (the Host header, https unless the proxy said otherwise).
 */
export function agentBaseUrl(ctx: HubContext, req: HttpRequest): string {
  const configured = ctx.config.agentUrl ?? ctx.config.hubUrl;
  if (configured) return configured.replace(/\/+$/, '');
  const host = req.headers['x-forwarded-host'] ?? req.headers.host;
  if (!host || !/^[A-Za-z0-9.\-:[\]]+$/.test(host)) {
    throw new ValidationError(
      'cannot tell which URL agents should use: the hub has no TETHER_HUB_URL and the request has no valid Host header',
    );
  }
  const proto = (req.headers['x-forwarded-proto'] ?? 'https').split(',')[0].trim();
  return `${proto === 'http' ? 'http' : 'https'}://${host}`;
}

/** Lifecycle actions act on one cluster: `control` on it, within the caller's sets. */
const clusterControl: RouteAuthz = { verb: 'control', kind: 'Cluster', object: (req) => ({ name: req.params.name }) };

/** The routes this capability contributes (composed in ./capability.ts). */
export const clusterAdminRoutes: readonly Route<AdminCtx>[] = [
  {
    method: 'POST',
    pattern: '/v1/clusters/{name}/import',
    summary: 'Mint a bootstrap token and return the agent import manifest (YAML) and a one-line install command',
    authz: { verb: 'create', kind: 'Cluster', mode: 'unscoped' },
    handler: async (req, ctx) => {
      const name = clusterName(req);
      const input = body(req, ImportBodySchema, 'import request');
      const result = await importCluster(ctx, name, input, agentBaseUrl(ctx, req), { sourceIp: req.sourceIp });
      return { status: 200, headers: { 'cache-control': 'no-store' }, body: result };
    },
  },
  {
    method: 'POST',
    pattern: '/v1/clusters/{name}/accept',
    summary: 'Accept a cluster: its agent may join',
    authz: clusterControl,
    handler: async (req, ctx) => {
      const name = clusterName(req);
      body(req, EmptyBodySchema, 'accept request');
      return { status: 200, body: await acceptCluster(ctx, name, { sourceIp: req.sourceIp }) };
    },
  },
  {
    method: 'POST',
    pattern: '/v1/clusters/{name}/deny',
    summary: 'Deny a cluster: revokes its bootstrap token and credentials',
    authz: clusterControl,
    handler: async (req, ctx) => {
      const name = clusterName(req);
      body(req, EmptyBodySchema, 'deny request');
      return { status: 200, body: await denyCluster(ctx, name, { sourceIp: req.sourceIp }) };
    },
  },
  {
    method: 'POST',
    pattern: '/v1/clusters/{name}/detach',
    summary: 'Detach a cluster: the agent removes what it applied, then the cluster is removed ({force: true} skips the agent)',
    authz: clusterControl,
    handler: async (req, ctx) => {
      const name = clusterName(req);
      const input = body(req, DetachBodySchema, 'detach request');
      const out = await detachCluster(ctx, name, input.force ?? false, req.sourceIp);
      return { status: 202, body: { cluster: out.cluster, message: out.message, mode: out.mode } };
    },
  },
  {
    method: 'POST',
    pattern: '/v1/clusters/{name}/upgrade',
    summary: "Set the cluster's desired agent version",
    authz: clusterControl,
    handler: async (req, ctx) => {
      const name = clusterName(req);
      const input = body(req, UpgradeBodySchema, 'upgrade request');
      return { status: 200, body: await upgradeCluster(ctx, name, input.version, { sourceIp: req.sourceIp }) };
    },
  },
];
