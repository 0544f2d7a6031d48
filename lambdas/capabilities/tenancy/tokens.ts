import { AlreadyExistsError, NotFoundError } from '../../../shared/errors.js';
import { sha256Hex } from '../../../shared/hash.js';
import type { AdminTokenRecord, AdminTokenStore } from '../../ports/admin-token-store.js';
import type { Clock } from '../../ports/clock.js';
import { BOOTSTRAP_TOKEN_NAME } from '../../ports/admin-token-store.js';

/**
 * API tokens as hub records: issued with a name, a role and cluster sets, shown once, stored as a
 * SHA-256 only, listed with their last use, revoked (kept, so the list says so) and expiring.
 */

/** The ports token bookkeeping needs (the local hub and `tether admin create-token` pass just these). */
export interface TokenPorts {
  adminTokens: AdminTokenStore;
  clock: Clock;
}

/** What a token is issued with. */
export interface TokenGrantInput {
  name: string;
  role: string;
  clusterSets?: string[];
  description?: string;
  expiresAt?: number;
  createdBy?: string;
}

/** A token as listed: never its hash, never the token. */
export interface TokenView {
  name: string;
  role: string;
  clusterSets?: string[];
  description?: string;
  state: 'Active' | 'Expired' | 'Revoked';
  createdAt: string;
  createdBy?: string;
  expiresAt?: string;
  lastUsedAt?: string;
  revokedAt?: string;
}

const iso = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());

/** The listed view of a record. */
export function tokenView(record: AdminTokenRecord, now: number): TokenView {
  const view: TokenView = {
    name: record.name ?? BOOTSTRAP_TOKEN_NAME,
    role: record.role,
    state: record.revokedAt !== undefined ? 'Revoked' : record.expiresAt !== undefined && record.expiresAt <= now ? 'Expired' : 'Active',
    createdAt: iso(record.createdAt)!,
  };
  if (record.clusterSets?.length) view.clusterSets = [...record.clusterSets];
  if (record.description !== undefined) view.description = record.description;
  if (record.createdBy !== undefined) view.createdBy = record.createdBy;
  if (record.expiresAt !== undefined) view.expiresAt = iso(record.expiresAt);
  if (record.lastUsedAt !== undefined) view.lastUsedAt = iso(record.lastUsedAt);
  if (record.revokedAt !== undefined) view.revokedAt = iso(record.revokedAt);
  return view;
}

/**
 * Stores `token` (its SHA-256 only) under `grant.name`. A name held by a live token is a 409,
 * unless `replace`: then the previous token of that name is revoked (rotation). A revoked or
 * expired token's name may be reused.
 */
export async function issueToken(
  ports: TokenPorts,
  token: string,
  grant: TokenGrantInput,
  opts: { replace?: boolean } = {},
): Promise<AdminTokenRecord> {
  const now = ports.clock.now();
  const previous = await ports.adminTokens.getByName(grant.name);
  const hash = sha256Hex(token);
  if (previous && previous.hash !== hash) {
    const live = previous.revokedAt === undefined && (previous.expiresAt === undefined || previous.expiresAt > now);
    if (live && !opts.replace) throw new AlreadyExistsError('API token', grant.name);
    // The old token's own item says revoked; the name's entry becomes the new token's below.
    if (live) await ports.adminTokens.put({ ...previous, name: undefined, revokedAt: now });
  }
  const record: AdminTokenRecord = {
    hash,
    name: grant.name,
    role: grant.role,
    createdAt: now,
    ...(grant.clusterSets?.length ? { clusterSets: grant.clusterSets } : {}),
    ...(grant.description !== undefined ? { description: grant.description } : {}),
    ...(grant.expiresAt !== undefined ? { expiresAt: grant.expiresAt } : {}),
    ...(grant.createdBy !== undefined ? { createdBy: grant.createdBy } : {}),
  };
  await ports.adminTokens.put(record);
  return record;
}

/** Revokes the named token (idempotent); 404 when there is none. */
export async function revokeToken(ports: TokenPorts, name: string): Promise<AdminTokenRecord> {
  const record = await ports.adminTokens.getByName(name);
  if (!record) throw new NotFoundError('API token', name);
  if (record.revokedAt !== undefined) return record;
  const revoked = { ...record, revokedAt: ports.clock.now() };
  await ports.adminTokens.put(revoked);
  return revoked;
}

/**
 * Gives a record stored before tokens had names the bootstrap name, so it is listed (and can be
 * revoked) like any other. Only the local hub can do this by itself: it knows the token.
 */
export async function migrateUnnamed(ports: TokenPorts, record: AdminTokenRecord): Promise<AdminTokenRecord> {
  if (record.name !== undefined) return record;
  const named = { ...record, name: BOOTSTRAP_TOKEN_NAME };
  if (!(await ports.adminTokens.getByName(BOOTSTRAP_TOKEN_NAME))) await ports.adminTokens.put(named);
  return named;
}
