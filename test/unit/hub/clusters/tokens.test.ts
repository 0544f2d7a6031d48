import { describe, expect, it } from '@jest/globals';
import { sha256Hex } from '../../../../shared/hash.js';
import type { ClusterHead } from '../../../../lambdas/ports/cluster-head-store.js';
import { cryptoIds, type Ids } from '../../../../lambdas/ports/ids.js';
import {
  checkBootstrap,
  checkCredential,
  MAX_CREDENTIALS,
  mintAgentToken,
  parseAgentToken,
  rotateCredentials,
  rotationDue,
  sameHash,
} from '../../../../lambdas/capabilities/clusters/tokens.js';

const NOW = 1_800_000_000_000;

function head(extra: Partial<ClusterHead> = {}): ClusterHead {
  return { cluster: 'store-1', version: 3, desiredRevision: 1, state: 'Joined', leaseDurationSeconds: 60, credentials: [], ...extra };
}

describe('agent tokens', () => {
  it('mint the documented shapes with 256 random bits, and hash the whole token', () => {
    const b = mintAgentToken(cryptoIds, 'bootstrap', 'store-1');
    const c = mintAgentToken(cryptoIds, 'credential', 'store-1');
    expect(b.token).toMatch(/^thb_store-1\.[A-Za-z0-9_-]{43}$/);
    expect(c.token).toMatch(/^thc_store-1\.[A-Za-z0-9_-]{43}$/);
    expect(b.hash).toBe(sha256Hex(b.token));
    expect(mintAgentToken(cryptoIds, 'bootstrap', 'store-1').token).not.toBe(b.token);
  });

  it('refuse to mint from an Ids port that gives too little randomness', () => {
    const weak: Ids = { uid: () => 'u', token: (p) => `${p}_abc` };
    expect(() => mintAgentToken(weak, 'credential', 'store-1')).toThrow(/shape/);
  });

  it('parse only well-formed tokens of the expected kind', () => {
    const { token, hash } = mintAgentToken(cryptoIds, 'credential', 'store-1');
    expect(parseAgentToken(token, 'credential')).toEqual({ kind: 'credential', cluster: 'store-1', hash });
    expect(parseAgentToken(token, 'bootstrap')).toBeUndefined();
    for (const bad of [
      undefined,
      '',
      'thc_',
      'thc_store-1.',
      'thc_store-1.short',
      `thc_Store.${'a'.repeat(43)}`,
      `thc_-x.${'a'.repeat(43)}`,
      `thc_a.b.${'a'.repeat(43)}`,
      `thc_x.${'a'.repeat(300)}`,
    ]) {
      expect(parseAgentToken(bad, 'credential')).toBeUndefined();
    }
  });

  it('compare digests in constant time and only as 32-byte values', () => {
    const h = sha256Hex('x');
    expect(sameHash(h, h)).toBe(true);
    expect(sameHash(h, sha256Hex('y'))).toBe(false);
    expect(sameHash('', '')).toBe(false);
    expect(sameHash('abcd', 'abcd')).toBe(false);
  });
});

describe('bootstrap check', () => {
  const hash = sha256Hex('t');
  it('accepts an unspent, unexpired token with the stored hash', () => {
    expect(checkBootstrap(head({ bootstrap: { hash, expiresAt: NOW + 1, spent: false } }), hash, NOW)).toBeUndefined();
  });
  it('names why a token is refused', () => {
    expect(checkBootstrap(undefined, hash, NOW)).toBe('unknown cluster');
    expect(checkBootstrap(head(), hash, NOW)).toBe('no bootstrap token');
    expect(checkBootstrap(head({ bootstrap: { hash: sha256Hex('other'), expiresAt: NOW + 1, spent: false } }), hash, NOW)).toBe(
      'unknown token',
    );
    expect(checkBootstrap(head({ bootstrap: { hash, expiresAt: NOW + 1, spent: true } }), hash, NOW)).toBe('already used');
    expect(checkBootstrap(head({ bootstrap: { hash, expiresAt: NOW, spent: false } }), hash, NOW)).toBe('expired');
  });
});

describe('credential check', () => {
  const a = sha256Hex('a');
  const b = sha256Hex('b');
  it('accepts a current credential of a joined or detaching cluster', () => {
    const h = head({ credentials: [{ hash: a, issuedAt: NOW - 1 }] });
    expect(checkCredential(h, a, NOW)).toMatchObject({ ok: true });
    expect(checkCredential({ ...h, state: 'Detaching' }, a, NOW)).toMatchObject({ ok: true });
  });
  it('names why a credential is refused', () => {
    expect(checkCredential(undefined, a, NOW)).toEqual({ ok: false, reason: 'unknown cluster' });
    expect(checkCredential(head({ state: 'Denied' }), a, NOW)).toEqual({ ok: false, reason: 'revoked' });
    expect(checkCredential(head({ credentials: [{ hash: b, issuedAt: 0 }] }), a, NOW)).toEqual({ ok: false, reason: 'unknown credential' });
    expect(checkCredential(head({ credentials: [{ hash: a, issuedAt: 0, expiresAt: NOW }] }), a, NOW)).toEqual({
      ok: false,
      reason: 'rotated out',
    });
    expect(checkCredential(head({ state: 'Accepted', credentials: [{ hash: a, issuedAt: 0 }] }), a, NOW)).toEqual({
      ok: false,
      reason: 'cluster is Accepted',
    });
  });
});

describe('rotation', () => {
  const day = 24 * 3600 * 1000;
  it('is due once the newest credential reaches the maximum age', () => {
    const h = head({
      credentials: [
        { hash: 'x', issuedAt: NOW - 40 * day, expiresAt: NOW + 1 },
        { hash: 'y', issuedAt: NOW - 10 * day },
      ],
    });
    expect(rotationDue(h, NOW, 30 * day)).toBe(false);
    expect(rotationDue(h, NOW + 20 * day, 30 * day)).toBe(true);
    expect(rotationDue(head(), NOW, 30 * day)).toBe(false);
  });

  it('adds the new credential first, gives the others the overlap, drops expired and excess ones', () => {
    const creds = [
      { hash: 'old', issuedAt: NOW - 3000 },
      { hash: 'gone', issuedAt: NOW - 9000, expiresAt: NOW - 1 },
      { hash: 'closing', issuedAt: NOW - 5000, expiresAt: NOW + 10 },
    ];
    const next = rotateCredentials(creds, 'new', NOW, 300_000);
    expect(next).toEqual([
      { hash: 'new', issuedAt: NOW },
      { hash: 'old', issuedAt: NOW - 3000, expiresAt: NOW + 300_000 },
      { hash: 'closing', issuedAt: NOW - 5000, expiresAt: NOW + 10 },
    ]);
    const many = Array.from({ length: 5 }, (_, i) => ({ hash: `c${i}`, issuedAt: NOW }));
    const capped = rotateCredentials(many, 'newest', NOW, 1000);
    expect(capped).toHaveLength(MAX_CREDENTIALS);
    expect(capped[0]).toEqual({ hash: 'newest', issuedAt: NOW });
  });
});
