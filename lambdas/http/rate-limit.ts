import { ThrottledError } from '../../shared/errors.js';
import { sha256Hex } from '../../shared/hash.js';
import type { RateLimitSettings } from '../core/context.js';

export { DEFAULT_AGENT_RATE_LIMIT, type RateLimitSettings } from '../core/context.js';

/**
 * Per-credential rate limiting of the agent API: an in-process token bucket per presented
 * credential, kept in a bounded LRU map. Nothing here reads or writes storage, so a request the
 * limiter lets through costs exactly what it did before (an idle poll stays one eventually
 * consistent GetItem and no write) and one it refuses costs no storage at all. Limits are per
 * credential, never per source address: many stores share one NAT address.
 *
 * Each Lambda container (and the one local hub process) has its own buckets, so across the agent
 * function the effective limit of one credential is at most its reserved concurrency times the
 * limit; docs/security.md explains why that is enough and what it leaves open.
 */

/** Key of requests that present no bearer token: they share one bucket (they cost no storage read either). */
export const ANONYMOUS_KEY = 'anonymous';

interface Bucket {
  tokens: number;
  /** When `tokens` was last brought up to date, ms. */
  at: number;
  /** Requests refused since the last log line about this credential. */
  refused: number;
  /** When that line was written, ms (0: never). */
  reportedAt: number;
}

/** One log line per throttled credential at most this often, with the count of refusals since the last. */
export const RATE_LIMIT_REPORT_MS = 60_000;

/** What {@link CredentialRateLimiter.take} decided. */
export type RateDecision =
  | { allowed: true }
  | {
      allowed: false;
      retryAfterSeconds: number;
      /**
       * Set when a log line about this credential is due (the first refusal, then at most one per
       * {@link RATE_LIMIT_REPORT_MS}): the refusals since the previous line, this one included.
       */
      report?: number;
    };

/** Token buckets per credential, bounded in memory. */
export class CredentialRateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    readonly settings: RateLimitSettings,
    private readonly now: () => number,
  ) {}

  /** Whether the limiter is on. */
  get enabled(): boolean {
    return this.settings.requestsPerSecond > 0;
  }

  /** Credentials tracked now (bounded by `maxCredentials`). */
  get size(): number {
    return this.buckets.size;
  }

  /** Takes one token from `key`'s bucket, creating a full one for a credential not seen (or forgotten). */
  take(key: string): RateDecision {
    if (!this.enabled) return { allowed: true };
    const { requestsPerSecond: rate, burst, maxCredentials } = this.settings;
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (bucket) {
      // Most recently seen last: Map keeps insertion order, so the first key is the LRU one.
      this.buckets.delete(key);
      bucket.tokens = Math.min(burst, bucket.tokens + (Math.max(0, now - bucket.at) / 1000) * rate);
      bucket.at = now;
    } else {
      bucket = { tokens: burst, at: now, refused: 0, reportedAt: 0 };
      while (this.buckets.size >= Math.max(1, maxCredentials)) this.buckets.delete(this.buckets.keys().next().value as string);
    }
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    bucket.refused += 1;
    const retryAfterSeconds = Math.max(1, Math.ceil((1 - bucket.tokens) / rate));
    if (bucket.reportedAt !== 0 && now - bucket.reportedAt < RATE_LIMIT_REPORT_MS) return { allowed: false, retryAfterSeconds };
    const report = bucket.refused;
    bucket.refused = 0;
    bucket.reportedAt = now;
    return { allowed: false, retryAfterSeconds, report };
  }
}

/**
 * The bucket key of a request from its Authorization header: a digest of the bearer token (the
 * map never holds a secret), or {@link ANONYMOUS_KEY} without one. No parsing beyond that: a
 * malformed token is refused later without a storage read, and an odd header is the route's to
 * answer.
 */
export function credentialKey(authorization: string | undefined): string {
  const m = authorization ? /^Bearer\s+(\S{1,512})\s*$/i.exec(authorization) : null;
  return m ? sha256Hex(m[1]) : ANONYMOUS_KEY;
}

/** The cluster a token claims (`thc_<cluster>.<secret>`), for log lines; never the secret. */
export function claimedCluster(authorization: string | undefined): string | undefined {
  const m = authorization ? /^Bearer\s+th[bc]_([a-z0-9-]{1,63})\./i.exec(authorization) : null;
  return m?.[1];
}

/** The 429 answered to a credential over its limit. */
export function throttled(retryAfterSeconds: number, settings: RateLimitSettings): ThrottledError {
  return new ThrottledError(
    `this cluster credential sent more than ${settings.burst} requests at once or more than ${settings.requestsPerSecond} per second; retry after ${retryAfterSeconds} s (the agent does)`,
    retryAfterSeconds,
  );
}
