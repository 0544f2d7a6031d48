import { gunzipSync, gzipSync } from 'node:zlib';
import { TetherError } from '../shared/errors.js';

/**
 * JSON payloads the agent keeps in ConfigMaps and Secrets (its last desired state, inventories):
 * plain JSON while small, gzip+base64 when large, so that they fit the API server's 1 MiB limit.
 */

/** How a stored payload is encoded. */
export type PackEncoding = 'json' | 'gzip+base64';

/** Payloads above this many bytes are compressed. */
export const PACK_THRESHOLD_BYTES = 64 * 1024;
/** Kubernetes objects are limited to 1 MiB; leave room for metadata. */
export const PACK_LIMIT_BYTES = 900 * 1024;

/** A stored payload that is too large or unreadable. */
export class PackError extends TetherError {
  // 500: the agent cannot store its own state: its fault, not a caller's.
  static override readonly status = 500;
  static override readonly title = 'Payload cannot be packed';
  readonly code = 'pack-failed';
}

/** Encodes a value; compressed when its JSON exceeds {@link PACK_THRESHOLD_BYTES}. */
export function packJson(value: unknown, thresholdBytes = PACK_THRESHOLD_BYTES): { encoding: PackEncoding; payload: string } {
  const json = JSON.stringify(value);
  const size = Buffer.byteLength(json);
  if (size <= thresholdBytes) return { encoding: 'json', payload: json };
  const payload = gzipSync(json).toString('base64');
  if (payload.length > PACK_LIMIT_BYTES) {
    throw new PackError(`payload is ${payload.length} bytes after compression (${size} before); the limit is ${PACK_LIMIT_BYTES}`);
  }
  return { encoding: 'gzip+base64', payload };
}

/** Decodes what {@link packJson} produced. */
export function unpackJson(encoding: string | undefined, payload: string): unknown {
  try {
    if (encoding === 'gzip+base64') return JSON.parse(gunzipSync(Buffer.from(payload, 'base64')).toString('utf8'));
    if (encoding === undefined || encoding === 'json') return JSON.parse(payload);
  } catch (err) {
    throw new PackError(`stored payload (${encoding ?? 'json'}) is unreadable`, { cause: err });
  }
  throw new PackError(`unknown payload encoding "${encoding}"`);
}
