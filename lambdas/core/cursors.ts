import { createHmac, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '../../shared/errors.js';
import type { Ports } from '../ports/index.js';

/**
 * Signed list cursors. A `continue` value is the store's own cursor (an encoded table key) plus an
 * HMAC-SHA256 of it and of the list it belongs to, under a key the hub makes once and keeps in its
 * table ({@link CURSOR_KEY_SECRET}). A cursor that was changed, made up, or taken from another list
 * is refused with a 422 before anything reaches the table, so a caller can never choose where a
 * query starts.
 */

/** Name of the signing key in the hub's {@link SecretStore}. */
export const CURSOR_KEY_SECRET = 'cursor-hmac';

/** Longest `continue` value the hub reads (its own are a few hundred characters). */
export const MAX_CURSOR_LENGTH = 2048;

/** Characters of the signature (base64url of the full 32-byte HMAC). */
const MAC_LENGTH = 43;

const keys = new WeakMap<object, Promise<Buffer>>();

/** The signing key, read (or created) once per process and store. */
function signingKey(ports: Pick<Ports, 'secrets' | 'ids'>): Promise<Buffer> {
  let key = keys.get(ports.secrets);
  if (!key) {
    key = ports.secrets.getOrCreate(CURSOR_KEY_SECRET, () => ports.ids.token('hk')).then((s) => Buffer.from(s, 'utf8'));
    // A failed read must not stick: the next request tries again.
    key.catch(() => keys.delete(ports.secrets));
    keys.set(ports.secrets, key);
  }
  return key;
}

function mac(key: Buffer, cursor: string, scope: string): string {
  return createHmac('sha256', key).update(scope).update('\n').update(cursor).digest('base64url');
}

/** The store cursor `cursor` signed for the list `scope` (e.g. the request path). */
export async function sealCursor(ports: Pick<Ports, 'secrets' | 'ids'>, cursor: string, scope: string): Promise<string> {
  return `${cursor}.${mac(await signingKey(ports), cursor, scope)}`;
}

function invalid(reason: string): ValidationError {
  return new ValidationError(
    `invalid continue cursor: ${reason}; use the continue value of the previous page as it was, or start again without it`,
    [{ path: 'continue', message: reason }],
  );
}

/**
 * The store cursor inside a `continue` value made by {@link sealCursor} for the same `scope`.
 * @throws ValidationError when it is too long, malformed, or not signed by this hub for this list.
 */
export async function openCursor(ports: Pick<Ports, 'secrets' | 'ids'>, token: string, scope: string): Promise<string> {
  if (token.length > MAX_CURSOR_LENGTH) throw invalid(`it is longer than ${MAX_CURSOR_LENGTH} characters`);
  const dot = token.lastIndexOf('.');
  const cursor = dot > 0 ? token.slice(0, dot) : '';
  const given = dot > 0 ? token.slice(dot + 1) : '';
  if (!cursor || given.length !== MAC_LENGTH || !/^[A-Za-z0-9_-]+$/.test(given)) throw invalid('it is malformed');
  const expected = Buffer.from(mac(await signingKey(ports), cursor, scope), 'utf8');
  if (!timingSafeEqual(expected, Buffer.from(given, 'utf8'))) throw invalid('it was not issued for this list, or was changed');
  return cursor;
}
