import { beforeAll, describe, expect, it } from '@jest/globals';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { countOperations, type DynamoPorts } from '../../../lambdas/adapters/dynamodb/index.js';
import { encodeCursor } from '../../../lambdas/adapters/dynamodb/keys.js';
import type { ComplianceHistory, ComplianceHistoryQuery } from '../../../lambdas/ports/compliance-history.js';
import type { ComplianceEvent } from '../../../shared/compliance.js';
import { ValidationError } from '../../../shared/errors.js';
import type { ComplianceState } from '../../../shared/resources/policy.js';
import type { BackendContext } from './harness.js';

const T0 = Date.parse('2026-01-01T00:00:00.000Z');
const HOUR = 3_600_000;
const EXPIRES = Math.floor(T0 / 1000) + 730 * 86_400;

/** The policies of the data set and their compliance mapping. */
const POLICIES: Record<string, { standards: string[]; categories: string[]; controls: string[] }> = {
  'owner-label': { standards: ['PCI DSS'], categories: ['CM Configuration Management'], controls: ['PCI-2.2'] },
  'no-privileged': { standards: ['PCI DSS', 'NIST SP 800-53'], categories: ['AC Access Control'], controls: ['PCI-2.2', 'AC-6'] },
  'audit-config': { standards: ['NIST SP 800-53'], categories: ['AU Audit'], controls: ['AU-2'] },
  unmapped: { standards: [], categories: [], controls: [] },
};
const CLUSTERS = ['store-001', 'store-002', 'cloud-eu'];
const STATES: ComplianceState[] = ['Compliant', 'NonCompliant', 'Pending', 'Unknown'];

function event(i: number, cluster: string, policy: string, hours: number, compliance: ComplianceState): ComplianceEvent {
  const time = new Date(T0 + hours * HOUR).toISOString();
  return {
    id: `${time}#${cluster}#${policy}#${String(i).padStart(3, '0')}`,
    time,
    cluster,
    policy,
    compliance,
    message: compliance === 'NonCompliant' ? `violation ${i}` : '',
    violations: compliance === 'NonCompliant' ? 1 : 0,
    severity: 'high',
    ...(POLICIES[policy] as (typeof POLICIES)[string]),
    policyGeneration: 1,
    reportedBy: 'agent',
  };
}

/**
 * A deterministic history: every cluster reports every policy at several hours, with many events
 * sharing one time (a report changes several policies at once; several clusters report in the same
 * millisecond), so that the order's tie-break (the id) matters.
 */
function dataSet(): ComplianceEvent[] {
  const events: ComplianceEvent[] = [];
  let i = 0;
  for (const [h, hours] of [0, 1, 1, 2, 5, 5, 8, 13, 21].entries()) {
    for (const [c, cluster] of CLUSTERS.entries()) {
      for (const [p, policy] of Object.keys(POLICIES).entries()) {
        if ((h + c + p) % 3 === 2) continue;
        events.push(event(i++, cluster, policy, hours + (h === 2 ? 0.5 : 0), STATES[(h + c * 2 + p) % 4] as ComplianceState));
      }
    }
  }
  return events;
}

/** The answer of the port's contract, computed from the data set: filter, time then id. */
function expected(all: ComplianceEvent[], q: Omit<ComplianceHistoryQuery, 'limit' | 'cursor'>): string[] {
  const out = all
    .filter((e) => Date.parse(e.time) >= q.since && Date.parse(e.time) <= q.until)
    .filter((e) => !q.cluster || e.cluster === q.cluster)
    .filter((e) => !q.policy || e.policy === q.policy)
    .filter((e) => !q.compliance || e.compliance === q.compliance)
    .filter((e) => !q.standard || e.standards.includes(q.standard))
    .filter((e) => !q.category || e.categories.includes(q.category))
    .filter((e) => !q.control || e.controls.includes(q.control))
    .map((e) => `${e.time}#${e.id}`)
    .sort();
  return (q.direction === 'desc' ? out.reverse() : out).map((k) => k.slice(25));
}

/** Every page of a query, checking each page's size and that only the last one has no cursor. */
async function allPages(history: ComplianceHistory, q: Omit<ComplianceHistoryQuery, 'cursor'>): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await history.query({ ...q, cursor });
    pages++;
    if (page.cursor) expect(page.items).toHaveLength(q.limit);
    else expect(page.items.length).toBeLessThanOrEqual(q.limit);
    ids.push(...page.items.map((e) => e.id));
    cursor = page.cursor;
    if (pages > 500) throw new Error('the cursor never ends');
  } while (cursor);
  return { ids, pages };
}

/** The ComplianceHistory contract, run against the DynamoDB adapter and the in-memory one. */
export function complianceHistoryCases(ctx: BackendContext): void {
  describe('ComplianceHistory', () => {
    let ports: DynamoPorts;
    const all = dataSet();
    const wide = { since: T0 - HOUR, until: T0 + 48 * HOUR };
    beforeAll(async () => {
      ({ ports } = await ctx.freshTable());
      // In batches, out of order, as several report steps would append them.
      const shuffled = [...all].reverse();
      for (let at = 0; at < shuffled.length; at += 17) await ports.complianceHistory.append(shuffled.slice(at, at + 17), EXPIRES);
    });

    it('answers one cluster, one policy and both, in time then id order, both directions', async () => {
      const h = ports.complianceHistory;
      for (const direction of ['asc', 'desc'] as const) {
        for (const filter of [{ cluster: 'store-002' }, { policy: 'no-privileged' }, { cluster: 'cloud-eu', policy: 'owner-label' }]) {
          const q = { ...wide, ...filter, direction, limit: 1000 };
          const page = await h.query(q);
          expect(page.items.map((e) => e.id)).toEqual(expected(all, q));
          expect(page.items.length).toBeGreaterThan(3);
          expect(page.cursor).toBeUndefined();
        }
      }
      // Literal spot check of ties: the first events of store-001 share their hour and sort by id.
      const first = await h.query({ ...wide, cluster: 'store-001', direction: 'asc', limit: 3 });
      expect(first.items.map((e) => [e.time, e.policy])).toEqual([
        ['2026-01-01T00:00:00.000Z', 'no-privileged'],
        ['2026-01-01T00:00:00.000Z', 'owner-label'],
        ['2026-01-01T00:00:00.000Z', 'unmapped'],
      ]);
    });

    it('answers fleet-wide and by standard, category, control and state, merging every policy', async () => {
      const h = ports.complianceHistory;
      const filters: Partial<ComplianceHistoryQuery>[] = [
        {},
        { standard: 'PCI DSS' },
        { standard: 'NIST SP 800-53', compliance: 'NonCompliant' },
        { category: 'AU Audit' },
        { control: 'PCI-2.2' },
        { compliance: 'Pending' },
        { standard: 'ISO 27001' },
        { cluster: 'store-001', compliance: 'Compliant' },
        { policy: 'audit-config', compliance: 'Unknown' },
      ];
      for (const direction of ['asc', 'desc'] as const) {
        for (const filter of filters) {
          const q = { ...wide, ...filter, direction, limit: 1000 };
          const ids = (await h.query(q)).items.map((e) => e.id);
          expect({ filter, ids }).toEqual({ filter, ids: expected(all, q) });
        }
      }
      expect((await h.query({ ...wide, direction: 'asc', limit: 1000 })).items).toHaveLength(all.length);
      expect((await h.query({ ...wide, standard: 'ISO 27001', direction: 'asc', limit: 10 })).items).toEqual([]);
    });

    it('keeps to the time range, bounds included', async () => {
      const h = ports.complianceHistory;
      const q = { since: T0 + HOUR, until: T0 + 5 * HOUR, direction: 'asc' as const, limit: 1000 };
      const ids = (await h.query(q)).items.map((e) => e.id);
      expect(ids).toEqual(expected(all, q));
      const times = new Set((await h.query(q)).items.map((e) => e.time));
      expect([...times].sort()).toEqual([
        '2026-01-01T01:00:00.000Z',
        '2026-01-01T01:30:00.000Z',
        '2026-01-01T02:00:00.000Z',
        '2026-01-01T05:00:00.000Z',
      ]);
      expect((await h.query({ ...q, cluster: 'store-001', since: T0 + 30 * HOUR, until: T0 + 40 * HOUR })).items).toEqual([]);
      expect((await h.query({ ...q, since: T0 + 5 * HOUR, until: T0 + HOUR })).items).toEqual([]);
    });

    it('pages through every query without loss or duplicates, across partitions, both directions', async () => {
      const h = ports.complianceHistory;
      const filters: Partial<ComplianceHistoryQuery>[] = [
        {},
        { cluster: 'store-001' },
        { policy: 'owner-label' },
        { standard: 'PCI DSS' },
        { compliance: 'NonCompliant' },
      ];
      for (const direction of ['asc', 'desc'] as const) {
        for (const filter of filters) {
          for (const limit of [1, 4, 7]) {
            const q = { ...wide, ...filter, direction, limit };
            const { ids, pages } = await allPages(h, q);
            const want = expected(all, q);
            expect({ filter, limit, ids }).toEqual({ filter, limit, ids: want });
            expect(new Set(ids).size).toBe(ids.length);
            expect(pages).toBe(Math.max(1, Math.ceil(want.length / limit)));
          }
        }
      }
    }, 120_000);

    it('gives no cursor when a page ends exactly at the last event', async () => {
      const q = { ...wide, cluster: 'store-002', direction: 'asc' as const };
      const n = expected(all, q).length;
      const page = await ports.complianceHistory.query({ ...q, limit: n });
      expect(page.items).toHaveLength(n);
      expect(page.cursor).toBeUndefined();
    });

    it('refuses a malformed cursor and the cursor of another query with a ValidationError', async () => {
      const h = ports.complianceHistory;
      const q = { ...wide, cluster: 'store-001', direction: 'asc' as const, limit: 2 };
      const other = await h.query({ ...q, cluster: 'store-002' });
      expect(other.cursor).toBeDefined();
      await expect(h.query({ ...q, cursor: other.cursor })).rejects.toThrow(ValidationError);
      await expect(h.query({ ...q, cursor: 'not-a-cursor' })).rejects.toThrow(ValidationError);
      await expect(h.query({ ...q, cursor: encodeCursor({ f: 'x', k: '2026-01-01T00:00:00.000Z#x' }) })).rejects.toThrow(
        /invalid continue cursor/,
      );
      const fleet = await h.query({ ...wide, direction: 'asc', limit: 2 });
      await expect(h.query({ ...wide, direction: 'asc', limit: 2, policy: 'unmapped', cursor: fleet.cursor })).rejects.toThrow(
        ValidationError,
      );
    });

    it('appends idempotently per id', async () => {
      const { ports: fresh } = await ctx.freshTable();
      const h = fresh.complianceHistory;
      const events = [event(1, 'store-001', 'owner-label', 1, 'NonCompliant'), event(2, 'store-001', 'no-privileged', 1, 'Compliant')];
      await h.append(events, EXPIRES);
      await h.append([...events, ...events], EXPIRES);
      await h.append([events[1] as ComplianceEvent, event(3, 'store-001', 'owner-label', 2, 'Compliant')], EXPIRES);
      const q = { ...wide, direction: 'asc' as const, limit: 100 };
      expect((await h.query(q)).items.map((e) => e.id)).toEqual(
        expected([...events, event(3, 'store-001', 'owner-label', 2, 'Compliant')], q),
      );
      expect((await h.query({ ...q, cluster: 'store-001' })).items).toHaveLength(3);
      expect((await h.query({ ...q, policy: 'owner-label' })).items).toHaveLength(2);
      await h.append([], EXPIRES);
    });

    (ctx.isDynamo ? it : () => undefined)(
      'stores one item per event with the documented keys, and catalogues each policy once per process',
      async () => {
        const { ports: fresh, table: freshTable } = await ctx.freshTable();
        const ops = countOperations(ctx.client);
        try {
          const e = event(7, 'store-009', 'no-privileged', 3, 'NonCompliant');
          await fresh.complianceHistory.append([e, event(8, 'store-009', 'owner-label', 3, 'Compliant')], EXPIRES);
          // One catalogue write per new policy, one batch for the events.
          expect(ops.counts).toEqual({ UpdateItem: 2, BatchWriteItem: 1 });
          ops.reset();
          await fresh.complianceHistory.append(
            [event(9, 'store-010', 'no-privileged', 4, 'Compliant'), event(10, 'store-009', 'owner-label', 4, 'NonCompliant')],
            EXPIRES,
          );
          // The policies are known to this process now: the events alone, in one request.
          expect(ops.counts).toEqual({ BatchWriteItem: 1 });
          const item = await ctx.client.send(
            new GetItemCommand({
              TableName: freshTable,
              Key: { pk: { S: 'CE#store-009' }, sk: { S: `${e.time}#${e.id}` } },
              ConsistentRead: true,
            }),
          );
          expect(item.Item?.gsi2pk?.S).toBe('CEP#no-privileged');
          expect(item.Item?.gsi2sk?.S).toBe(`${e.time}#${e.id}`);
          expect(item.Item?.ttl?.N).toBe(String(EXPIRES));
          expect(JSON.parse(item.Item?.e?.S ?? '{}')).toEqual(e);
          const catalog = await ctx.client.send(
            new GetItemCommand({
              TableName: freshTable,
              Key: { pk: { S: 'CEC#catalog' }, sk: { S: 'no-privileged' } },
              ConsistentRead: true,
            }),
          );
          expect(catalog.Item?.st?.SS?.sort()).toEqual(['NIST SP 800-53', 'PCI DSS']);
          expect(catalog.Item?.co?.SS?.sort()).toEqual(['AC-6', 'PCI-2.2']);
        } finally {
          ops.detach();
        }
      },
    );

    (ctx.isDynamo ? it : () => undefined)('refuses the cursor of the same filters in the other direction', async () => {
      const q = { ...wide, policy: 'owner-label', direction: 'asc' as const, limit: 2 };
      const page = await ports.complianceHistory.query(q);
      await expect(ports.complianceHistory.query({ ...q, direction: 'desc', cursor: page.cursor })).rejects.toThrow(ValidationError);
    });

    (ctx.isDynamo ? it : () => undefined)('reads only the partitions of the policies that carried a standard', async () => {
      const ops = countOperations(ctx.client);
      try {
        await ports.complianceHistory.query({ ...wide, standard: 'ISO 27001', direction: 'asc', limit: 10 });
        // The catalogue only: no policy ever carried that standard.
        expect(ops.counts).toEqual({ Query: 1 });
        ops.reset();
        await ports.complianceHistory.query({ ...wide, standard: 'NIST SP 800-53', direction: 'asc', limit: 1000 });
        // The catalogue, then no-privileged and audit-config.
        expect(ops.counts).toEqual({ Query: 3 });
      } finally {
        ops.detach();
      }
    });
  });
}
