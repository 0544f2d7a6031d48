import type { AdminTokenRecord, AdminTokenStore } from '../../ports/admin-token-store.js';

/** {@link AdminTokenStore} in process memory, keyed by hash; records are copied in and out. */
export class MemoryAdminTokenStore implements AdminTokenStore {
  private readonly records = new Map<string, AdminTokenRecord>();

  async getByHash(hash: string): Promise<AdminTokenRecord | undefined> {
    const found = this.records.get(hash);
    return found ? { ...found } : undefined;
  }

  /** Creates or overwrites the record of `record.hash`; undefined fields are not kept, as on the table. */
  async put(record: AdminTokenRecord): Promise<void> {
    this.records.set(
      record.hash,
      Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as unknown as AdminTokenRecord,
    );
  }

  /** Idempotent: deleting an unknown hash is not an error. */
  async delete(hash: string): Promise<void> {
    this.records.delete(hash);
  }
}
