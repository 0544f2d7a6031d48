import { timingSafeEqual } from 'node:crypto';
import { sha256Hex } from '../../../shared/hash.js';
import { isDnsLabel } from '../../../shared/resources/meta.js';
import type { ClusterHead, CredentialHash } from '../../ports/cluster-head-store.js';
import type { Ids } from '../../ports/ids.js';

/**
 * Agent tokens. Both kinds name their cluster so that the hub finds the head with one GetItem and
 * then compares SHA-256 digests in constant time; only the digests are ever stored.
 *
 * - bootstrap token: `thb_<cluster>.<secret>`, single-use, expiring, minted by import;
 * - cluster credential: `thc_<cluster>.<secret>`, issued at join and on rotation.
 *
 * The secret part is what `Ids.token` returns after its prefix: 256 random bits, base64url.
 */
export type AgentTokenKind = 'bootstrap' | 'credential';

const PREFIX: Record<AgentTokenKind, string> = { bootstrap: 'thb', credential: 'thc' };
const SHAPE = /^(thb|thc)_([a-z0-9-]{1,63})\.([A-Za-z0-9_-]{22,128})$/;

/** A parsed token: which kind and which cluster it claims. Nothing is verified yet. */
export interface ParsedAgentToken {
  kind: AgentTokenKind;
  cluster: string;
  /** SHA-256 of the whole token, hex: what the head stores. */
  hash: string;
}

/** A freshly minted token: shown once to its holder; only `hash` is stored. */
export interface MintedToken {
  token: string;
  hash: string;
}

/** Mints a token of `kind` for `cluster` from the ids port's random secret. */
export function mintAgentToken(ids: Ids, kind: AgentTokenKind, cluster: string): MintedToken {
  const raw = ids.token(PREFIX[kind]);
  // Ids.token returns `<prefix>_<secret>`; keep only the secret.
  const secret = raw.slice(raw.indexOf('_') + 1);
  const token = `${PREFIX[kind]}_${cluster}.${secret}`;
  if (!SHAPE.test(token)) throw new Error(`minted ${kind} token does not have the expected shape; check the Ids port`);
  return { token, hash: sha256Hex(token) };
}

/**
 * Parses a presented token. Returns undefined for anything that is not a well-formed token of the
 * expected kind, so the caller can deny it without touching storage.
 */
export function parseAgentToken(token: string | undefined, expected: AgentTokenKind): ParsedAgentToken | undefined {
  if (!token || token.length > 256) return undefined;
  const m = SHAPE.exec(token);
  if (!m || m[1] !== PREFIX[expected] || !isDnsLabel(m[2])) return undefined;
  return { kind: expected, cluster: m[2], hash: sha256Hex(token) };
}

/** Constant-time comparison of two hex SHA-256 digests. */
export function sameHash(a: string, b: string): boolean {
  const ab = Buffer.from(a, 'hex');
  const bb = Buffer.from(b, 'hex');
  return ab.length === 32 && bb.length === 32 && timingSafeEqual(ab, bb);
}

/** Why a bootstrap token was refused, in audit-log words. */
export type BootstrapDenial = 'unknown cluster' | 'no bootstrap token' | 'unknown token' | 'expired' | 'already used';

/** Checks a bootstrap token against the head. Returns the denial reason, or undefined when valid. */
export function checkBootstrap(head: ClusterHead | undefined, hash: string, now: number): BootstrapDenial | undefined {
  if (!head) return 'unknown cluster';
  const b = head.bootstrap;
  if (!b) return 'no bootstrap token';
  if (!sameHash(b.hash, hash)) return 'unknown token';
  if (b.spent) return 'already used';
  if (b.expiresAt <= now) return 'expired';
  return undefined;
}

/** Why a credential was refused, in audit-log words. */
export type CredentialDenial = 'unknown cluster' | 'revoked' | 'unknown credential' | 'rotated out' | `cluster is ${string}`;

/** Head states in which a credential is honoured. */
const CREDENTIAL_STATES = new Set(['Joined', 'Detaching']);

/**
 * Finds the presented credential among the head's hashes. Every stored hash is compared (no early
 * exit), so the time taken does not reveal which one matched.
 */
export function checkCredential(
  head: ClusterHead | undefined,
  hash: string,
  now: number,
): { ok: true; credential: CredentialHash } | { ok: false; reason: CredentialDenial } {
  if (!head) return { ok: false, reason: 'unknown cluster' };
  let match: CredentialHash | undefined;
  for (const c of head.credentials) if (sameHash(c.hash, hash)) match ??= c;
  if (!CREDENTIAL_STATES.has(head.state)) return { ok: false, reason: head.credentials.length ? `cluster is ${head.state}` : 'revoked' };
  if (!match) return { ok: false, reason: head.credentials.length ? 'unknown credential' : 'revoked' };
  if (match.expiresAt !== undefined && match.expiresAt <= now) return { ok: false, reason: 'rotated out' };
  return { ok: true, credential: match };
}

/** The newest credential on the head (the one rotation is measured against). */
export function newestCredential(head: ClusterHead): CredentialHash | undefined {
  return head.credentials.reduce<CredentialHash | undefined>((best, c) => (!best || c.issuedAt > best.issuedAt ? c : best), undefined);
}

/** Should the hub ask the agent to rotate? True once the newest credential is older than `maxAgeMs`. */
export function rotationDue(head: ClusterHead, now: number, maxAgeMs: number): boolean {
  const newest = newestCredential(head);
  return newest !== undefined && now - newest.issuedAt >= maxAgeMs;
}

/** Credentials kept on a head at most: the current one plus rotated-out ones still in their overlap. */
export const MAX_CREDENTIALS = 3;

/**
 * The head's credentials after a rotation: the presented credential and any other still-open ones
 * expire after the overlap, expired ones are dropped, the new one is added, and the oldest beyond
 * {@link MAX_CREDENTIALS} are dropped (the head item must stay small).
 */
export function rotateCredentials(credentials: CredentialHash[], newHash: string, now: number, overlapMs: number): CredentialHash[] {
  const kept = credentials
    .filter((c) => c.expiresAt === undefined || c.expiresAt > now)
    .map((c) => ({ ...c, expiresAt: Math.min(c.expiresAt ?? Number.MAX_SAFE_INTEGER, now + overlapMs) }));
  const older = kept.sort((a, b) => b.issuedAt - a.issuedAt);
  return [{ hash: newHash, issuedAt: now }, ...older].slice(0, MAX_CREDENTIALS);
}
