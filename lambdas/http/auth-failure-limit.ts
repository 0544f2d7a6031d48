import { ThrottledError, UnauthenticatedError, ForbiddenError } from '../../shared/errors.js';
import type { AuthFailureLimitSettings, HubContext } from '../core/context.js';
import { authenticateCaller, type Caller } from './auth.js';
import { sha256Hex } from '../../shared/hash.js';
import type { HttpRequest } from './request.js';

/**
 * Per-source limiting of failed admin authentications, in memory: a source (client address) that
 * keeps presenting bad credentials (random API tokens, forged JWTs) spends a token bucket; once it
 * is empty, credentials from that source that have not authenticated recently are refused with a
 * 429 before any storage read or signature check, so the flood costs the hub next to nothing and
 * other callers keep their latency (bench B11). A credential that authenticated recently (its
 * SHA-256 is remembered, never the credential) passes whatever its source did: checks stay per
 * credential, and a good client behind the same NAT as the flood is not locked out. It is still
 * fully authenticated every time: being known only skips the limiter, not the check.
 *
 * Each Lambda container (and the local hub process) keeps its own buckets, like the agent API's
 * rate limiter; API Gateway throttling and a WAF rate rule are the cross-container defences.
 */

export { DEFAULT_AUTH_FAILURE_LIMIT, type AuthFailureLimitSettings } from '../core/context.js';

interface Bucket {
  tokens: number;
  at: number;
}

/** What {@link AuthFailureLimiter.admit} decided. */
export type AdmitDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/** The buckets per source and the recently good credentials, bounded in memory. */
export class AuthFailureLimiter {
  private readonly sources = new Map<string, Bucket>();
  private readonly good = new Map<string, number>();

  constructor(
    readonly settings: AuthFailureLimitSettings,
    private readonly now: () => number,
  ) {}

  /** Whether a request from `source` with the credential digest `key` may be authenticated at all. */
  admit(source: string, key: string | undefined): AdmitDecision {
    if (this.settings.failuresPerSecond <= 0) return { allowed: true };
    const bucket = this.refill(source, false);
    if (!bucket || bucket.tokens >= 1) return { allowed: true };
    const seen = key === undefined ? undefined : this.good.get(key);
    if (seen !== undefined && this.now() - seen < this.settings.knownGoodMs) return { allowed: true };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - bucket.tokens) / this.settings.failuresPerSecond)) };
  }

  /** Records a failed authentication from `source`. */
  failed(source: string): void {
    if (this.settings.failuresPerSecond <= 0) return;
    const bucket = this.refill(source, true)!;
    bucket.tokens = Math.max(0, bucket.tokens - 1);
  }

  /** Records that the credential digest `key` authenticated. */
  succeeded(key: string): void {
    if (this.settings.failuresPerSecond <= 0) return;
    this.good.delete(key);
    this.good.set(key, this.now());
    while (this.good.size > Math.max(1, this.settings.maxKnownGood)) this.good.delete(this.good.keys().next().value as string);
  }

  /** Sources tracked now. */
  get size(): number {
    return this.sources.size;
  }

  private refill(source: string, create: boolean): Bucket | undefined {
    const now = this.now();
    let bucket = this.sources.get(source);
    if (bucket) {
      this.sources.delete(source);
      bucket.tokens = Math.min(
        this.settings.burst,
        bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * this.settings.failuresPerSecond,
      );
      bucket.at = now;
    } else {
      if (!create) return undefined;
      bucket = { tokens: this.settings.burst, at: now };
      while (this.sources.size >= Math.max(1, this.settings.maxSources)) this.sources.delete(this.sources.keys().next().value as string);
    }
    this.sources.set(source, bucket);
    return bucket;
  }
}

/**
 * {@link authenticateCaller} behind the limiter: a source over its budget of failures gets a 429
 * (recorded as one aggregated audit denial) unless its credential authenticated recently.
 */
export async function authenticateLimited(req: HttpRequest, ctx: HubContext, limiter: AuthFailureLimiter): Promise<Caller> {
  const source = req.sourceIp ?? 'unknown';
  const key = credentialDigest(req.headers.authorization);
  const gate = limiter.admit(source, key);
  if (!gate.allowed) {
    ctx.ports.audit.record({
      action: 'admin.authenticate',
      outcome: 'denied',
      reason: 'too many failed authentications',
      sourceIp: source,
      path: req.path,
    });
    throw new ThrottledError(
      `too many failed authentications from ${source}; retry after ${gate.retryAfterSeconds} s with a valid token (tether login)`,
      gate.retryAfterSeconds,
    );
  }
  try {
    const caller = await authenticateCaller(req, ctx);
    if (key) limiter.succeeded(key);
    return caller;
  } catch (err) {
    if (err instanceof UnauthenticatedError || err instanceof ForbiddenError) limiter.failed(source);
    throw err;
  }
}

/**
 * The digest of the whole Authorization header's credential (never the credential itself), or
 * undefined without one. Not the agent limiter's key: that one caps the length, and two long JWTs
 * must never share a digest here, or one good ID token would let every forged one through.
 */
function credentialDigest(authorization: string | undefined): string | undefined {
  return authorization ? sha256Hex(authorization.trim()) : undefined;
}
