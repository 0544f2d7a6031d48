import type { ComplianceEvent } from '../../../shared/compliance.js';
import { ValidationError } from '../../../shared/errors.js';
import { complianceEventMatches, type ComplianceHistory, type ComplianceHistoryQuery } from '../../ports/compliance-history.js';

/** The compliance history in memory, for unit tests: the same order, filters and cursor rules as the table's. */
export class MemoryComplianceHistory implements ComplianceHistory {
  private readonly events = new Map<string, ComplianceEvent>();

  async append(events: readonly ComplianceEvent[]): Promise<void> {
    for (const e of events) if (!this.events.has(e.id)) this.events.set(e.id, e);
  }

  async query(q: ComplianceHistoryQuery): Promise<{ items: ComplianceEvent[]; cursor?: string }> {
    // Fixed-width UTC time, as the table's keys: string order is time order whatever RFC 3339 form an event carries.
    const key = (e: ComplianceEvent) => `${new Date(Date.parse(e.time)).toISOString()}#${e.id}`;
    const all = [...this.events.values()]
      .filter((e) => Date.parse(e.time) >= q.since && Date.parse(e.time) <= q.until && complianceEventMatches(e, q))
      .sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
    if (q.direction === 'desc') all.reverse();
    let start = 0;
    if (q.cursor) {
      const at = all.findIndex((e) => key(e) === q.cursor);
      if (at < 0) throw new ValidationError('invalid continue cursor: it does not belong to this compliance query');
      start = at + 1;
    }
    const items = all.slice(start, start + q.limit);
    const last = items[items.length - 1];
    return { items, ...(start + q.limit < all.length && last ? { cursor: key(last) } : {}) };
  }
}
