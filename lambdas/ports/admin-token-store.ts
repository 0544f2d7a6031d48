/**
 * A stored API token (the admin API's credentials): only its SHA-256 is kept. Tokens are named;
 * a record written before tokens had names is the bootstrap admin token ({@link BOOTSTRAP_TOKEN_NAME}).
 */
export interface AdminTokenRecord {
  hash: string;
  /** Unique name (`tether token create NAME`); absent on records older than named tokens. */
  name?: string;
  /** A built-in role (admin, operator, viewer, auditor) or a custom Role's name. */
  role: string;
  /** Cluster sets the role applies in; absent or empty: unscoped. */
  clusterSets?: string[];
  description?: string;
  createdAt: number;
  /** Who created it (`token:<name>`, an OIDC user, or `bootstrap`). */
  createdBy?: string;
  expiresAt?: number;
  /** When it last authenticated a request, to within {@link LAST_USED_RESOLUTION_MS}. */
  lastUsedAt?: number;
  /** When it was revoked: a revoked token authenticates nothing. */
  revokedAt?: number;
}

/** Name of the bootstrap admin token (and of every record stored before tokens had names). */
export const BOOTSTRAP_TOKEN_NAME = 'bootstrap';

/** `lastUsedAt` is written at most this often per token: never a write per request. */
export const LAST_USED_RESOLUTION_MS = 5 * 60_000;

/**
 * API tokens keyed by hash (what authentication reads: one strongly consistent read) and listed by
 * name. Lookups are by hash, so the raw token never reaches storage.
 */
export interface AdminTokenStore {
  getByHash(hash: string): Promise<AdminTokenRecord | undefined>;
  /** The named token's record, or undefined. */
  getByName(name: string): Promise<AdminTokenRecord | undefined>;
  /** Every named token, by name. */
  list(): Promise<AdminTokenRecord[]>;
  /** Creates or overwrites the record of `record.hash` (and its name's entry when it has a name). */
  put(record: AdminTokenRecord): Promise<void>;
  /** Records that the token was used at `at` (`lastUsedAt`); unknown tokens are ignored. */
  touch(record: AdminTokenRecord, at: number): Promise<void>;
  /** Deletes the hash's record (not its name's entry). Idempotent. */
  delete(hash: string): Promise<void>;
}
