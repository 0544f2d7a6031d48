import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../../shared/errors.js';
import { parseDuration } from '../../../shared/duration.js';
import { findKind } from '../../../shared/resources/kinds.js';
import { API_VERSION, isDnsLabel, NameSchema, type Resource } from '../../../shared/resources/meta.js';
import type { AdminTokenRecord } from '../../ports/admin-token-store.js';
import { PseudoKinds, Verbs, type AuthzDecision, type Verb } from '../../../shared/tenancy.js';
import { parseOrThrow } from '../../../shared/validation.js';
import { isBuiltInRole } from '../../core/authz/grants.js';
import type { AdminContext } from '../../http/admin-api.js';
import { parseObjectBody, type HttpRequest, type HttpResponse } from '../../http/request.js';
import type { Route } from '../../http/router.js';
import { issueToken, revokeToken, tokenView } from './tokens.js';

/**
 * The tenancy routes: API tokens (`/v1/tokens`, admin only: who may do what is an admin's
 * business) and what the caller may do (`/v1/auth/whoami`, `/v1/auth/can-i`, for any caller).
 */

/** Longest token lifetime: ten years (as `tether admin create-token`). */
const MAX_TTL_MS = 3650 * 86_400_000;

export const TokenCreateBodySchema = z
  .object({
    name: NameSchema,
    role: NameSchema,
    clusterSets: z.array(NameSchema).max(100).optional(),
    /** Lifetime: `30d`, `12h`; absent: no expiry. */
    ttl: z.string().max(32).optional(),
    description: z.string().trim().min(1).max(256).optional(),
  })
  .strict();

function tokenName(req: HttpRequest): string {
  const name = req.params.name;
  if (!isDnsLabel(name)) throw new ValidationError(`"${name}" is not a valid token name`, [{ path: 'name', message: 'invalid name' }]);
  return name;
}

async function createToken(req: HttpRequest, ctx: AdminContext): Promise<HttpResponse> {
  const body = parseOrThrow(TokenCreateBodySchema, parseObjectBody(req), 'token request');
  if (!isBuiltInRole(body.role) && !(await ctx.ports.resources.get({ kind: 'Role', name: body.role }))) {
    throw new ValidationError(`role "${body.role}" is neither built in (admin, operator, viewer, auditor) nor a Role`, [
      { path: 'role', message: 'unknown role' },
    ]);
  }
  let expiresAt: number | undefined;
  if (body.ttl !== undefined) {
    const ms = parseDuration(body.ttl);
    if (ms === undefined || ms < 60_000 || ms > MAX_TTL_MS) {
      throw new ValidationError(`ttl must be a duration such as 30d or 12h, between 1m and 3650d, got "${body.ttl}"`, [
        { path: 'ttl', message: 'invalid duration' },
      ]);
    }
    expiresAt = ctx.ports.clock.now() + ms;
  }
  // 256 random bits, prefixed like every admin token (`tha_`).
  const token = ctx.ports.ids.token('tha');
  const record = await issueToken(ctx.ports, token, {
    name: body.name,
    role: body.role,
    ...(body.clusterSets?.length ? { clusterSets: body.clusterSets } : {}),
    ...(body.description !== undefined ? { description: body.description } : {}),
    ...(expiresAt !== undefined ? { expiresAt } : {}),
    createdBy: ctx.principal.username,
  });
  ctx.ports.audit.change?.({
    verb: 'create',
    kind: PseudoKinds.ApiToken,
    plural: 'tokens',
    new: tokenResource(record, ctx.ports.clock.now()),
  });
  // The token itself is in this answer only: never stored, never listed.
  return {
    status: 201,
    headers: { 'cache-control': 'no-store' },
    body: { kind: 'ApiToken', token, ...tokenView(record, ctx.ports.clock.now()) },
  };
}

/**
 * A token as the audit trail's diff sees it: its view (name, role, sets, state; never the token or
 * its hash) in the shape of a resource.
 */
function tokenResource(record: AdminTokenRecord, now: number): Resource {
  const { name, createdAt, ...spec } = tokenView(record, now);
  return {
    apiVersion: API_VERSION,
    kind: PseudoKinds.ApiToken,
    metadata: { name, uid: name, resourceVersion: '1', generation: 1, creationTimestamp: createdAt },
    spec,
  };
}

function verbParam(req: HttpRequest): Verb {
  const verb = Verbs.find((v) => v === req.query.verb);
  if (!verb) {
    throw new ValidationError(`verb must be one of ${Verbs.join(', ')}, got "${req.query.verb ?? ''}"`, [
      { path: 'verb', message: 'invalid verb' },
    ]);
  }
  return verb;
}

/** A kind by name, plural or short name, or a pseudo-kind by name. */
function kindParam(req: HttpRequest, ctx: AdminContext): string {
  const raw = req.query.kind ?? '';
  const found = findKind(raw, ctx.registry.kinds);
  if (found) return found.kind;
  const pseudo = Object.values(PseudoKinds).find((k) => k.toLowerCase() === raw.toLowerCase());
  if (pseudo) return pseudo;
  throw new ValidationError(`kind "${raw}" is not a kind of this hub`, [{ path: 'kind', message: 'unknown kind' }]);
}

/**
 * `can-i`: the decision for the caller. With a name, on that object's cluster sets; an object the
 * caller may not read is answered as if it did not exist (the kind as a whole), so that names do
 * not leak through this route either.
 */
async function canI(req: HttpRequest, ctx: AdminContext): Promise<HttpResponse> {
  const verb = verbParam(req);
  const kind = kindParam(req, ctx);
  const name = req.query.name || undefined;
  const namespace = req.query.namespace || undefined;
  if (name !== undefined && !isDnsLabel(name))
    throw new ValidationError(`"${name}" is not a valid name`, [{ path: 'name', message: 'invalid name' }]);
  if (namespace !== undefined && !isDnsLabel(namespace))
    throw new ValidationError(`"${namespace}" is not a valid cluster name`, [{ path: 'namespace', message: 'invalid name' }]);
  let decision: AuthzDecision = ctx.authz.decide(verb, kind);
  if (name !== undefined && decision.allowed) {
    const found = await ctx.ports.resources.get({ kind, name, namespace });
    if (found && (await ctx.authz.admitsObject('get', found))) decision = ctx.authz.decide(verb, kind, await ctx.authz.scopes.of(found));
  }
  return { status: 200, headers: { 'cache-control': 'no-store' }, body: decision };
}

/** The routes this capability contributes (composed in ./capability.ts). */
export const tenancyAdminRoutes: readonly Route<AdminContext>[] = [
  {
    method: 'GET',
    pattern: '/v1/auth/whoami',
    summary: 'Who the caller is: user, groups, how it authenticated, its bindings and rules',
    authz: { verb: 'get', kind: 'Self', mode: 'self' },
    handler: async (_req, ctx) => ({ status: 200, headers: { 'cache-control': 'no-store' }, body: ctx.authz.whoami() }),
  },
  {
    method: 'GET',
    pattern: '/v1/auth/can-i',
    summary: 'May the caller do this? verb, kind, name (and namespace for a Work): an AuthzDecision',
    authz: { verb: 'get', kind: 'Self', mode: 'self' },
    handler: canI,
  },
  {
    method: 'POST',
    pattern: '/v1/tokens',
    summary: 'Create an API token {name, role, clusterSets?, ttl?, description?}; the token is in this answer only',
    authz: { verb: 'create', kind: PseudoKinds.ApiToken, mode: 'unscoped' },
    handler: createToken,
  },
  {
    method: 'GET',
    pattern: '/v1/tokens',
    summary: 'API tokens with their role, sets, state and last use (never a token or its hash)',
    authz: { verb: 'list', kind: PseudoKinds.ApiToken, mode: 'unscoped' },
    handler: async (_req, ctx) => {
      const now = ctx.ports.clock.now();
      const items = (await ctx.ports.adminTokens.list()).map((r) => tokenView(r, now));
      return { status: 200, headers: { 'cache-control': 'no-store' }, body: { kind: 'ApiTokenList', items } };
    },
  },
  {
    method: 'GET',
    pattern: '/v1/tokens/{name}',
    summary: 'One API token (never the token or its hash)',
    authz: { verb: 'get', kind: PseudoKinds.ApiToken, mode: 'unscoped' },
    handler: async (req, ctx) => {
      const record = await ctx.ports.adminTokens.getByName(tokenName(req));
      if (!record) throw new NotFoundError('API token', tokenName(req));
      return { status: 200, headers: { 'cache-control': 'no-store' }, body: tokenView(record, ctx.ports.clock.now()) };
    },
  },
  {
    method: 'DELETE',
    pattern: '/v1/tokens/{name}',
    summary: 'Revoke an API token: it stops working at once and stays listed as Revoked',
    authz: { verb: 'delete', kind: PseudoKinds.ApiToken, mode: 'unscoped' },
    handler: async (req, ctx) => {
      const now = ctx.ports.clock.now();
      const before = await ctx.ports.adminTokens.getByName(tokenName(req));
      const revoked = await revokeToken(ctx.ports, tokenName(req));
      if (before && before.revokedAt === undefined) {
        ctx.ports.audit.change?.({
          verb: 'update',
          kind: PseudoKinds.ApiToken,
          plural: 'tokens',
          old: tokenResource(before, now),
          new: tokenResource(revoked, now),
        });
      }
      return { status: 200, body: tokenView(revoked, now) };
    },
  },
];
