import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Hex } from '../../shared/hash.js';
import type { HubContext } from '../core/context.js';
import { BOOTSTRAP_TOKEN_NAME, type AdminTokenRecord, type AdminTokenStore } from '../ports/admin-token-store.js';
import { issueToken, migrateUnnamed } from '../capabilities/tenancy/tokens.js';
import type { Clock } from '../ports/clock.js';
import type { Ids } from '../ports/ids.js';

/** The admin token of a local hub and whether this start created it. */
export interface LocalAdminToken {
  token: string;
  file: string;
  created: boolean;
}

/** A new admin token: 256 random bits from the `Ids` port, prefixed `tha_`. */
export function newAdminToken(ids: Ids): string {
  return ids.token('tha');
}

/** What is stored with an admin token besides its hash and creation time; the name defaults to `bootstrap`. */
export type AdminTokenGrant = Pick<AdminTokenRecord, 'role' | 'description' | 'expiresAt' | 'createdBy'> & { name?: string };

/**
 * Stores `token` as a bootstrap token: only its SHA-256 goes into the store, with `grant` and the
 * creation time, under `grant.name` (default `bootstrap`). A live token of that name is a 409
 * unless `replace`, which revokes it: this is rotation. Shared by the local hub and
 * `tether admin create-token` (a deployed hub's table).
 */
export async function registerAdminToken(
  ports: { adminTokens: AdminTokenStore; clock: Clock },
  token: string,
  grant: AdminTokenGrant,
  opts: { replace?: boolean } = {},
): Promise<AdminTokenRecord> {
  const { name, ...rest } = grant;
  return issueToken(ports, token, { name: name ?? BOOTSTRAP_TOKEN_NAME, createdBy: 'bootstrap', ...rest }, opts);
}

/**
 * Ensures the local hub has an admin token: created on first start (256 random bits), written to
 * `<data>/admin-token` with mode 0600, and only its SHA-256 stored in the table, as the API token
 * named `bootstrap` with the admin role. Later starts read the file back (and re-register its hash
 * if the table was wiped). Deleting the file and restarting rotates it: a new token replaces the
 * old one, which is revoked.
 */
export async function ensureLocalAdminToken(ctx: HubContext, dataDir: string): Promise<LocalAdminToken> {
  const file = join(dataDir, 'admin-token');
  let token: string | undefined;
  let created = false;
  if (existsSync(file)) {
    token = readFileSync(file, 'utf8').trim();
    if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
  }
  if (!token) {
    token = newAdminToken(ctx.ports.ids);
    writeFileSync(file, `${token}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    created = true;
  }
  const stored = await ctx.ports.adminTokens.getByHash(sha256Hex(token));
  if (!stored) {
    // First start, a wiped table, or a deleted file (rotation): the new token replaces the old.
    await registerAdminToken(ctx.ports, token, { role: 'admin', description: 'local hub admin token' }, { replace: true });
  } else {
    // A record from before tokens had names becomes the bootstrap token.
    await migrateUnnamed(ctx.ports, stored);
  }
  return { token, file, created };
}
