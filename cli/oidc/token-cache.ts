import { readFile, stat, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { configLocation, writePrivateFile } from '../config.js';
import { UsageError } from '../errors.js';
import type { CliIO } from '../io.js';

/**
 * The tokens `tether login --oidc` obtained, per hub: a file next to the config file
 * (`oidc-tokens.json`), mode 0600. A cache that others can read is refused, not just warned about:
 * it holds a refresh token, which outlives any ID token.
 */

/** What is kept for one hub. */
export interface CachedOidcTokens {
  issuer: string;
  clientId: string;
  /** The ID token the hub accepts (audience: the client id). */
  idToken: string;
  /** When the ID token expires, epoch ms. */
  expiresAt: number;
  refreshToken?: string;
  /** The user name the hub will see (for `tether logout` and messages). */
  username?: string;
}

type CacheFile = Record<string, CachedOidcTokens>;

/** Path of the token cache: `oidc-tokens.json` in the config file's directory. */
export function tokenCachePath(io: Pick<CliIO, 'env' | 'cwd'>): { path: string; ownDir: boolean } {
  const { path, ownDir } = configLocation(io);
  return { path: join(dirname(path), 'oidc-tokens.json'), ownDir };
}

async function readCache(io: Pick<CliIO, 'env' | 'cwd'>): Promise<CacheFile> {
  const { path } = tokenCachePath(io);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new UsageError(`cannot read the OIDC token cache ${path}: ${(err as Error).message}`, { cause: err });
  }
  if (process.platform !== 'win32') {
    const mode = (await stat(path)).mode & 0o777;
    if (mode & 0o077) {
      throw new UsageError(
        `the OIDC token cache ${path} is readable by other users (mode ${mode.toString(8)}); it holds a refresh token, so it is not used. Run "tether logout" and sign in again (or chmod 600 ${path} if nobody else could have read it)`,
      );
    }
  }
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as CacheFile) : {};
  } catch {
    throw new UsageError(`the OIDC token cache ${path} is not valid JSON; run "tether logout" and sign in again`);
  }
}

/** The cached tokens for `hub`, if any. */
export async function cachedTokens(io: Pick<CliIO, 'env' | 'cwd'>, hub: string): Promise<CachedOidcTokens | undefined> {
  return (await readCache(io))[hub];
}

/** Saves the tokens for `hub` (mode 0600). @returns the cache's path. */
export async function saveTokens(io: Pick<CliIO, 'env' | 'cwd'>, hub: string, tokens: CachedOidcTokens): Promise<string> {
  const { path, ownDir } = tokenCachePath(io);
  const all = await readCache(io).catch(() => ({}) as CacheFile);
  all[hub] = tokens;
  await writePrivateFile(path, `${JSON.stringify(all, null, 2)}\n`, ownDir);
  return path;
}

/** Forgets the tokens of `hub` (all hubs when undefined); removes the file when nothing is left. @returns whether anything was removed. */
export async function forgetTokens(io: Pick<CliIO, 'env' | 'cwd'>, hub: string | undefined): Promise<boolean> {
  const { path, ownDir } = tokenCachePath(io);
  let all: CacheFile;
  try {
    all = await readCache(io);
  } catch {
    // A cache we refuse to read (too open, corrupt) is removed as a whole: logging out must work.
    await unlink(path).catch(() => undefined);
    return true;
  }
  const had = hub === undefined ? Object.keys(all).length > 0 : hub in all;
  if (hub !== undefined) delete all[hub];
  if (hub === undefined || Object.keys(all).length === 0) await unlink(path).catch(() => undefined);
  else await writePrivateFile(path, `${JSON.stringify(all, null, 2)}\n`, ownDir);
  return had;
}
