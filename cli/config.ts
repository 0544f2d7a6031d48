import { chmod, mkdir, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { UsageError } from './errors.js';
import { homeOf, type CliIO } from './io.js';

/**
 * Where the CLI finds its hub and token: flags, then TETHER_HUB/TETHER_TOKEN, then the config
 * file that `tether login` writes. The file holds a credential, so it is written 0600 in a 0700
 * directory and a warning is printed when it is found readable by others.
 */

/** What the config file holds. */
export interface CliConfig {
  hub?: string;
  token?: string;
}

/** Where a setting came from, for `-v` output and error hints. */
export type SettingSource = 'flag' | 'env' | 'config' | 'oidc';

/** The settings a command runs with after applying precedence. */
export interface ResolvedSettings {
  hub?: string;
  token?: string;
  source: { hub?: SettingSource; token?: SettingSource };
  /** The config file consulted (it may not exist). */
  configPath: string;
  /** Problems worth telling the user about (e.g. a world-readable config file). */
  warnings: string[];
}

interface ConfigLocation {
  path: string;
  /**
   * The directory is Tether's own (`.../tether/`), so it may be created and tightened to 0700.
   * A `$TETHER_CONFIG` path may live in a shared directory we must not chmod.
   */
  ownDir: boolean;
}

/** Resolves the config file path: `$TETHER_CONFIG`, `$XDG_CONFIG_HOME/tether/config.json` or `~/.config/tether/config.json`. */
export function configLocation(io: Pick<CliIO, 'env' | 'cwd'>): ConfigLocation {
  const explicit = nonEmpty(io.env.TETHER_CONFIG);
  if (explicit) return { path: resolve(io.cwd, explicit), ownDir: false };
  const base = nonEmpty(io.env.XDG_CONFIG_HOME) ?? join(homeOf(io), '.config');
  return { path: join(base, 'tether', 'config.json'), ownDir: true };
}

/** Reads the config file; a missing file is an empty config. */
export async function readConfig(io: Pick<CliIO, 'env' | 'cwd'>): Promise<{ config: CliConfig; path: string; warnings: string[] }> {
  const { path } = configLocation(io);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { config: {}, path, warnings: [] };
    throw new UsageError(`cannot read the config file ${path}: ${(err as Error).message}`, { cause: err });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`the config file ${path} is not valid JSON; fix it or run "tether login" again`, { cause: err });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`the config file ${path} must hold a JSON object like {"hub": "...", "token": "..."}`);
  }
  const raw = parsed as Record<string, unknown>;
  const config: CliConfig = {};
  if (typeof raw.hub === 'string') config.hub = raw.hub;
  if (typeof raw.token === 'string') config.token = raw.token;
  const warnings: string[] = [];
  if (config.token && process.platform !== 'win32') {
    const mode = (await stat(path)).mode & 0o777;
    if (mode & 0o077) {
      warnings.push(
        `the config file ${path} holds a token and is readable by other users (mode ${mode.toString(8)}); run: chmod 600 ${path}`,
      );
    }
  }
  return { config, path, warnings };
}

/**
 * Writes the config file with mode 0600 (its Tether directory 0700), atomically: a temporary file
 * created 0600 is renamed over the old one, so the token is never briefly readable by others and
 * an older, looser file mode does not survive.
 * @returns the path written.
 */
export async function writeConfig(io: Pick<CliIO, 'env' | 'cwd'>, config: CliConfig): Promise<string> {
  const { path, ownDir } = configLocation(io);
  await writePrivateFile(path, `${JSON.stringify(config, null, 2)}\n`, ownDir);
  return path;
}

/**
 * Writes a file only its owner may read (mode 0600; its directory 0700 when `ownDir`), atomically:
 * a temporary file created 0600 is renamed over the old one, so the content is never briefly
 * readable by others and an older, looser file mode does not survive.
 */
export async function writePrivateFile(path: string, text: string, ownDir: boolean): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (ownDir) await chmod(dir, 0o700);
  const tmp = join(dir, `.config.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(text, 'utf8');
    // The umask can only remove bits, but a chmod makes the mode independent of it anyway.
    await handle.chmod(0o600);
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/** Applies precedence: flags > environment (TETHER_HUB, TETHER_TOKEN) > config file. */
export async function resolveSettings(io: Pick<CliIO, 'env' | 'cwd'>, flags: { hub?: string; token?: string }): Promise<ResolvedSettings> {
  const file = await readConfig(io);
  const pick = (flag: string | undefined, env: string | undefined, conf: string | undefined) => {
    if (nonEmpty(flag)) return { value: flag, source: 'flag' as const };
    if (nonEmpty(env)) return { value: env, source: 'env' as const };
    if (nonEmpty(conf)) return { value: conf, source: 'config' as const };
    return { value: undefined, source: undefined };
  };
  const hub = pick(flags.hub, io.env.TETHER_HUB, file.config.hub);
  const token = pick(flags.token, io.env.TETHER_TOKEN, file.config.token);
  return {
    hub: hub.value === undefined ? undefined : normaliseHubUrl(hub.value, hub.source),
    token: token.value,
    source: { hub: hub.source, token: token.source },
    configPath: file.path,
    warnings: file.warnings,
  };
}

/**
 * Checks a hub URL and drops trailing slashes, so paths can be appended.
 * @throws UsageError when it is not an http(s) URL.
 */
export function normaliseHubUrl(text: string, source: SettingSource = 'flag'): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch (err) {
    throw new UsageError(`invalid hub URL "${text}" (from ${describeSource(source)}): expected something like http://127.0.0.1:8080`, {
      cause: err,
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`invalid hub URL "${text}" (from ${describeSource(source)}): only http and https are supported`);
  }
  if (url.search || url.hash) {
    throw new UsageError(`invalid hub URL "${text}" (from ${describeSource(source)}): it must not have a query or fragment`);
  }
  return url.toString().replace(/\/+$/, '');
}

function describeSource(source: SettingSource): string {
  return source === 'flag' ? '--hub' : source === 'env' ? 'TETHER_HUB' : 'the config file';
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === undefined || v.trim() === '' ? undefined : v;
}
