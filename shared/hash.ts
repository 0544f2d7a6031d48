import { createHash } from 'node:crypto';

/**
 * Serialises a JSON value with object keys sorted at every level, so that two values that are
 * equal as JSON always produce the same string (and the same hash), whatever their key order.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value as Record<string, unknown>).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  return value;
}

/** SHA-256 of the canonical JSON of a value, hex encoded. */
export function canonicalHash(value: unknown): string {
  return sha256Hex(canonicalJson(value));
}

/** SHA-256 of a string, hex encoded. Used for token hashes and content hashes. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
