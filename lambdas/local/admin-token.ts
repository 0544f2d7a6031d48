import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256Hex } from '../../shared/hash.js';
import type { HubContext } from '../hub/context.js';

/** The admin token of a local hub and whether this start created it. */
export interface LocalAdminToken {
  token: string;
  file: string;
  created: boolean;
}

/**
 * Ensures the local hub has an admin token: created on first start (256 random bits), written to
 * `<data>/admin-token` with mode 0600, and only its SHA-256 stored in the table. Later starts read
 * the file back (and re-register its hash if the table was wiped).
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
    token = ctx.ports.ids.token('tha');
    writeFileSync(file, `${token}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
    created = true;
  }
  const hash = sha256Hex(token);
  if (!(await ctx.ports.adminTokens.getByHash(hash))) {
    await ctx.ports.adminTokens.put({ hash, role: 'admin', description: 'local hub admin token', createdAt: ctx.ports.clock.now() });
  }
  return { token, file, created };
}
