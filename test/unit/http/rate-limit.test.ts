import { describe, expect, it } from '@jest/globals';
import {
  ANONYMOUS_KEY,
  claimedCluster,
  credentialKey,
  CredentialRateLimiter,
  DEFAULT_AGENT_RATE_LIMIT,
  RATE_LIMIT_REPORT_MS,
} from '../../../lambdas/http/rate-limit.js';

function rig(settings = { requestsPerSecond: 2, burst: 5, maxCredentials: 3 }) {
  let now = 1_000_000;
  const limiter = new CredentialRateLimiter(settings, () => now);
  return { limiter, advance: (ms: number) => (now += ms) };
}

describe('CredentialRateLimiter', () => {
  it('lets a burst through, then refuses with a Retry-After of the time until the next token', () => {
    const { limiter, advance } = rig();
    for (let i = 0; i < 5; i++) expect(limiter.take('a')).toEqual({ allowed: true });
    expect(limiter.take('a')).toEqual({ allowed: false, retryAfterSeconds: 1, report: 1 });
    advance(499);
    expect(limiter.take('a').allowed).toBe(false);
    advance(1);
    // 500 ms at 2 per second: one token back.
    expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.take('a').allowed).toBe(false);
  });

  it('keeps credentials apart: one flooding never refuses another', () => {
    const { limiter } = rig();
    for (let i = 0; i < 1000; i++) limiter.take('flood');
    for (let i = 0; i < 5; i++) expect(limiter.take('good').allowed).toBe(true);
  });

  it('asks for a log line on the first refusal and then at most once a minute, with the refusals since', () => {
    const { limiter, advance } = rig({ requestsPerSecond: 0.001, burst: 1, maxCredentials: 10 });
    limiter.take('a');
    const reports: number[] = [];
    for (let i = 0; i <= 600; i++) {
      const d = limiter.take('a');
      if (!d.allowed && d.report !== undefined) reports.push(d.report);
      advance(200);
    }
    // 601 refusals 200 ms apart over 120 s: the first, then one a minute with the count since the previous line.
    expect(reports).toEqual([1, RATE_LIMIT_REPORT_MS / 200, RATE_LIMIT_REPORT_MS / 200]);
  });

  it('bounds its memory: the least recently seen credential is forgotten first (and starts again full)', () => {
    const { limiter } = rig();
    for (let i = 0; i < 5; i++) limiter.take('a');
    limiter.take('b');
    limiter.take('c');
    limiter.take('a'); // refused, and now the most recently seen
    limiter.take('d'); // evicts b
    expect(limiter.size).toBe(3);
    expect(limiter.take('a').allowed).toBe(false);
    for (let i = 0; i < 5; i++) expect(limiter.take('b').allowed).toBe(true);
  });

  it('is off with a rate of 0', () => {
    const { limiter } = rig({ requestsPerSecond: 0, burst: 1, maxCredentials: 1 });
    for (let i = 0; i < 100; i++) expect(limiter.take('a').allowed).toBe(true);
    expect(limiter.size).toBe(0);
  });

  it('has defaults far above a normal agent (a poll every 30 s)', () => {
    expect(DEFAULT_AGENT_RATE_LIMIT.requestsPerSecond).toBeGreaterThanOrEqual(30 * (1 / 30));
    expect(DEFAULT_AGENT_RATE_LIMIT.burst).toBeGreaterThanOrEqual(60);
  });
});

describe('credentialKey and claimedCluster', () => {
  it('keys by a digest of the bearer token, never the token; no token shares one bucket', () => {
    const key = credentialKey('Bearer thc_store-1.secretsecretsecretsecret12');
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(key).not.toContain('secret');
    expect(credentialKey('bearer thc_store-1.secretsecretsecretsecret12')).toBe(key);
    expect(credentialKey(undefined)).toBe(ANONYMOUS_KEY);
    expect(credentialKey('Basic abc')).toBe(ANONYMOUS_KEY);
  });

  it('names the cluster a token claims, for log lines', () => {
    expect(claimedCluster('Bearer thc_store-1.secretsecretsecretsecret12')).toBe('store-1');
    expect(claimedCluster('Bearer garbage')).toBeUndefined();
  });
});
