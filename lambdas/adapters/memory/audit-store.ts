import { ValidationError } from '../../../shared/errors.js';
import { auditMatches, type AuditQuery, type AuditRecord, type AuditStore } from '../../ports/audit-store.js';

/** The audit store in memory, for unit tests: same order, filters and cursor rules as the table's. */
export class MemoryAuditStore implements AuditStore {
  private readonly records = new Map<string, AuditRecord>();

  async append(records: readonly AuditRecord[]): Promise<void> {
    for (const r of records) this.records.set(r.id, r);
  }

  async query(q: AuditQuery): Promise<{ items: AuditRecord[]; cursor?: string }> {
    const all = [...this.records.values()]
      .filter((r) => Date.parse(r.time) >= q.since && Date.parse(r.time) <= q.until && auditMatches(r, q))
      .sort((a, b) => (`${b.time}#${b.id}` < `${a.time}#${a.id}` ? -1 : 1));
    let start = 0;
    if (q.cursor) {
      const at = all.findIndex((r) => `${r.time}#${r.id}` === q.cursor);
      if (at < 0) throw new ValidationError('invalid continue cursor: it does not belong to this audit query');
      start = at + 1;
    }
    const items = all.slice(start, start + q.limit);
    const last = items[items.length - 1];
    return { items, ...(start + q.limit < all.length && last ? { cursor: `${last.time}#${last.id}` } : {}) };
  }
}
