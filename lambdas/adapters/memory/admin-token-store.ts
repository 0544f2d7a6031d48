import type { AdminTokenRecord, AdminTokenStore } from '../../ports/admin-token-store.js';

function clean(record: AdminTokenRecord): AdminTokenRecord {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as unknown as AdminTokenRecord;
}

/** {@link AdminTokenStore} in process memory, keyed by hash and by name; records are copied in and out. */
export class MemoryAdminTokenStore implements AdminTokenStore {
  private readonly records = new Map<string, AdminTokenRecord>();
  private readonly names = new Map<string, AdminTokenRecord>();

  async getByHash(hash: string): Promise<AdminTokenRecord | undefined> {
    const found = this.records.get(hash);
    return found ? structuredClone(found) : undefined;
  }

  async getByName(name: string): Promise<AdminTokenRecord | undefined> {
    const found = this.names.get(name);
    return found ? structuredClone(found) : undefined;
  }

  async list(): Promise<AdminTokenRecord[]> {
    return [...this.names.values()].sort((a, b) => (a.name ?? '').localeCompare(b.name ?? '')).map((r) => structuredClone(r));
  }

  /** Creates or overwrites the record of `record.hash`; undefined fields are not kept, as on the table. */
  async put(record: AdminTokenRecord): Promise<void> {
    const stored = clean(structuredClone(record));
    this.records.set(record.hash, stored);
    if (record.name) this.names.set(record.name, structuredClone(stored));
  }

  async touch(record: AdminTokenRecord, at: number): Promise<void> {
    const byHash = this.records.get(record.hash);
    if (byHash) byHash.lastUsedAt = at;
    const byName = record.name ? this.names.get(record.name) : undefined;
    if (byName && byName.hash === record.hash) byName.lastUsedAt = at;
  }

  /** Idempotent: deleting an unknown hash is not an error. */
  async delete(hash: string): Promise<void> {
    this.records.delete(hash);
  }
}
