import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { EnvelopeCipher, MasterKeyProvider } from './cipher.js';

/**
 * The local hub's master key: 32 random bytes in a file of its data directory, created with mode
 * 0600. A file that anyone but its owner may read is refused (the hub does not start): its key
 * opens every synced Secret the hub stores.
 */

/** Reads the key file, creating it (0600, exclusive) when it does not exist. @throws on a readable-by-others or malformed file. */
export function loadOrCreateKeyFile(path: string): Buffer {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  if (fd !== undefined) {
    const key = randomBytes(32);
    try {
      writeSync(fd, key);
    } finally {
      closeSync(fd);
    }
    return key;
  }
  const mode = statSync(path).mode & 0o777;
  if (mode & 0o077) {
    throw new Error(
      `the sync key file ${path} has mode ${mode.toString(8).padStart(4, '0')}: group or others may access it; run chmod 600 on it (the hub refuses to start with it)`,
    );
  }
  const key = readFileSync(path);
  if (key.length !== 32)
    throw new Error(`the sync key file ${path} must hold 32 bytes, it holds ${key.length}; move it away to make a new one`);
  return key;
}

/** An envelope whose master key is the local key file at `path` (created if missing). */
export function keyFileEnvelope(path: string): EnvelopeCipher {
  return new EnvelopeCipher('local-file', new MasterKeyProvider('local-file', loadOrCreateKeyFile(path)));
}
