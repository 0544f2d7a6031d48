import { randomBytes, randomUUID } from 'node:crypto';

/** Source of identifiers and secrets, injected for deterministic tests. */
export interface Ids {
  uid(): string;
  /** A random secret token of at least 128 bits, URL-safe. */
  token(prefix: string): string;
}

export const cryptoIds: Ids = {
  uid: () => randomUUID(),
  // 32 bytes = 256 bits of entropy.
  token: (prefix: string) => `${prefix}_${randomBytes(32).toString('base64url')}`,
};
