import { timingSafeEqual } from 'node:crypto';
import { ForbiddenError, UnauthenticatedError } from '../../shared/errors.js';
import { sha256Hex } from '../../shared/hash.js';
import type { Principal } from '../../shared/tenancy.js';
import type { TokenGrant } from '../core/authz/grants.js';
import type { HubContext } from '../core/context.js';
import { BOOTSTRAP_TOKEN_NAME, LAST_USED_RESOLUTION_MS, type AdminTokenRecord } from '../ports/admin-token-store.js';
import type { HttpRequest } from './request.js';

/** Extracts a bearer token from the Authorization header, or undefined when absent. */
export function bearerToken(req: HttpRequest): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  if (!m) throw new UnauthenticatedError('the Authorization header must be "Bearer <token>"');
  return m[1];
}

/** Constant-time comparison of two hex digests. */
export function sameDigest(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'hex');
  const bb = Buffer.from(b, 'hex');
  return ab.length === bb.length && ab.length > 0 && timingSafeEqual(ab, bb);
}

/** Three base64url segments: a JWT (an OIDC token), never one of the hub's own tokens (`tha_...`). */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}

/** The name of a stored token: records from before tokens had names are the bootstrap token. */
export function tokenName(record: AdminTokenRecord): string {
  return record.name ?? BOOTSTRAP_TOKEN_NAME;
}

/** The principal an API token stands for. */
export function tokenPrincipal(record: AdminTokenRecord): Principal {
  const name = tokenName(record);
  return {
    source: 'token',
    username: `token:${name}`,
    uid: name,
    groups: [],
    ...(record.expiresAt !== undefined ? { expiresAt: record.expiresAt } : {}),
  };
}

/** An authenticated caller: the principal, and for an API token what the token itself grants. */
export interface Caller {
  principal: Principal;
  token?: TokenGrant;
}

function refuse(ctx: HubContext, req: HttpRequest, reason: string): never {
  ctx.ports.audit.record({ action: 'admin.authenticate', outcome: 'denied', reason, sourceIp: req.sourceIp, path: req.path });
  throw new ForbiddenError('the admin token is not valid (unknown, revoked or expired)');
}

/**
 * Authenticates an admin API request into a {@link Caller}: 401 without a token, 403 with one that
 * is not valid. A JWT goes to the configured OIDC verifier (without one it is an unknown token);
 * anything else is an API token, looked up by its SHA-256 (one strongly consistent read) and
 * compared in constant time. A revoked or expired token is refused. The token's `lastUsedAt` is
 * written at most every {@link LAST_USED_RESOLUTION_MS}, after the answer is under way, never
 * holding the request.
 */
export async function authenticateCaller(req: HttpRequest, ctx: HubContext): Promise<Caller> {
  const token = bearerToken(req);
  if (!token) {
    throw new UnauthenticatedError(
      'this endpoint needs an admin token: send "Authorization: Bearer <token>" (tether login --hub URL --token T)',
    );
  }
  if (looksLikeJwt(token)) {
    if (!ctx.oidc) refuse(ctx, req, 'a JWT, and no OIDC issuer is configured');
    try {
      return { principal: await ctx.oidc.verify(token) };
    } catch (err) {
      // One fixed reason, so a flood of forged tokens aggregates into one audit record per window.
      if (err instanceof UnauthenticatedError) {
        ctx.ports.audit.record({
          action: 'admin.authenticate',
          outcome: 'denied',
          reason: 'invalid OIDC token',
          sourceIp: req.sourceIp,
          path: req.path,
        });
      }
      throw err;
    }
  }
  const hash = sha256Hex(token);
  const record = await ctx.ports.adminTokens.getByHash(hash);
  const now = ctx.ports.clock.now();
  if (!record || !sameDigest(record.hash, hash)) refuse(ctx, req, 'unknown token');
  if (record.revokedAt !== undefined) refuse(ctx, req, `revoked token ${tokenName(record)}`);
  if (record.expiresAt !== undefined && record.expiresAt <= now) refuse(ctx, req, `expired token ${tokenName(record)}`);
  if (record.lastUsedAt === undefined || now - record.lastUsedAt >= LAST_USED_RESOLUTION_MS) {
    // Not awaited: bookkeeping, which must never slow or fail the request.
    void ctx.ports.adminTokens.touch(record, now).catch((err: unknown) => {
      ctx.ports.log.warn('could not record when an API token was last used', { token: tokenName(record), error: String(err) });
    });
  }
  return {
    principal: tokenPrincipal(record),
    token: { name: tokenName(record), role: record.role, ...(record.clusterSets?.length ? { clusterSets: record.clusterSets } : {}) },
  };
}

/** Authenticates an admin API request into its {@link Principal} (see {@link authenticateCaller}). */
export async function authenticate(req: HttpRequest, ctx: HubContext): Promise<Principal> {
  return (await authenticateCaller(req, ctx)).principal;
}
