/** A stored admin API token: only its SHA-256 is kept. */
export interface AdminTokenRecord {
  hash: string;
  /** Role for the tenancy model; only `admin` exists today. */
  role: 'admin' | 'operator' | 'viewer' | 'auditor';
  description?: string;
  createdAt: number;
  expiresAt?: number;
}

/** Admin tokens keyed by hash. Lookups are by hash, so the raw token never reaches storage. */
export interface AdminTokenStore {
  getByHash(hash: string): Promise<AdminTokenRecord | undefined>;
  put(record: AdminTokenRecord): Promise<void>;
  delete(hash: string): Promise<void>;
}
