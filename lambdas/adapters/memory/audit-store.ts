import { ValidationError } from '../../../shared/errors.js';
import type { AuditEvent } from '../../../shared/tenancy.js';
import { auditMatches, type AuditQuery, type AuditStore } from '../../ports/audit-store.js';

const sortKey = (e: AuditEvent) => `${e.stageTimestamp}#${e.auditID}`;

/** The audit store in memory, for unit tests: same order, filters and cursor rules as the table's. */
export class MemoryAuditStore implements AuditStore {
  private readonly events = new Map<string, AuditEvent>();

  async append(events: readonly AuditEvent[]): Promise<void> {
    for (const e of events) this.events.set(sortKey(e), structuredClone(e));
  }

  async query(q: AuditQuery): Promise<{ items: AuditEvent[]; cursor?: string }> {
    const all = [...this.events.values()]
      .filter((e) => Date.parse(e.stageTimestamp) >= q.since && Date.parse(e.stageTimestamp) <= q.until && auditMatches(e, q))
      .sort((a, b) => (sortKey(b) < sortKey(a) ? -1 : 1));
    let start = 0;
    if (q.cursor) {
      const at = all.findIndex((e) => sortKey(e) === q.cursor);
      if (at < 0) throw new ValidationError('invalid continue cursor: it does not belong to this audit query');
      start = at + 1;
    }
    const items = all.slice(start, start + q.limit);
    const last = items[items.length - 1];
    return { items, ...(start + q.limit < all.length && last ? { cursor: sortKey(last) } : {}) };
  }
}
