import { timingSafeEqual } from 'node:crypto';
import { ForbiddenError, UnauthenticatedError } from '../../shared/errors.js';
import { sha256Hex } from '../../shared/hash.js';
import type { AdminTokenRecord } from '../ports/admin-token-store.js';
import type { HubContext } from '../core/context.js';
import { looksLikeJwt } from '../core/identity/oidc.js';
import type { Principal } from '../../shared/tenancy.js';
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

/**
 * Authenticates an admin API request: 401 without a token, 403 with one that is not a valid admin
 * token. Only the SHA-256 of tokens is stored; the lookup is by hash and the final comparison is
 * constant-time. When single sign-on is configured, a bearer shaped like a JWT is an OIDC ID token
 * and goes to the verifier instead (401 with the reason when it is not valid): it costs no storage
 * read, and the hub's own tokens never have that shape.
 */
export async function authenticateAdmin(req: HttpRequest, ctx: HubContext): Promise<AdminTokenRecord | Principal> {
  const token = bearerToken(req);
  if (!token) {
    throw new UnauthenticatedError(
      'this endpoint needs an admin token: send "Authorization: Bearer <token>" (tether login --hub URL --token T)',
    );
  }
  if (ctx.oidc && looksLikeJwt(token)) return authenticateOidc(token, req, ctx);
  const hash = sha256Hex(token);
  const record = await ctx.ports.adminTokens.getByHash(hash);
  const now = ctx.ports.clock.now();
  if (!record || !sameDigest(record.hash, hash) || (record.expiresAt !== undefined && record.expiresAt <= now)) {
    ctx.ports.audit.record({
      action: 'admin.authenticate',
      outcome: 'denied',
      reason: record ? 'expired' : 'unknown token',
      sourceIp: req.sourceIp,
      path: req.path,
    });
    throw new ForbiddenError('the admin token is not valid (unknown, revoked or expired)');
  }
  return record;
}

/** The OIDC side of {@link authenticateAdmin}: the verifier's principal, or a 401 recorded as a denial. */
async function authenticateOidc(token: string, req: HttpRequest, ctx: HubContext): Promise<Principal> {
  try {
    return await ctx.oidc!.verify(token);
  } catch (err) {
    if (err instanceof UnauthenticatedError) {
      // One fixed reason, so a flood of forged tokens aggregates into one audit record per window.
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
