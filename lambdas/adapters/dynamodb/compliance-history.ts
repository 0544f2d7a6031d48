import { QueryCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createHash } from 'node:crypto';
import type { ComplianceEvent } from '../../../shared/compliance.js';
import { ValidationError } from '../../../shared/errors.js';
import { pMap } from '../../../shared/concurrency.js';
import { complianceEventMatches, type ComplianceHistory, type ComplianceHistoryQuery } from '../../ports/compliance-history.js';
import { batchWrite } from './batch.js';
import {
  COMPLIANCE_CATALOG_PK,
  complianceClusterPartition,
  complianceEventKeys,
  complianceKeyTime,
  compliancePolicyPartition,
  decodeCursor,
  encodeCursor,
} from './keys.js';
import type { RawItem } from './raw-item.js';
import { TABLE } from './table.js';

/**
 * The compliance history in the single table (key shapes in ./keys.ts, the why in
 * docs/data-model.md):
 *
 * - each event is one item in its cluster's partition `CE#{cluster}` and, through gsi2, in its
 *   policy's partition `CEP#{policy}`, both sorted by `{time}#{id}`: a query by cluster (with or
 *   without a policy) is one key-range Query on the table, a query by policy one on gsi2;
 * - a query by neither (fleet-wide, or by standard / category / control / state only) merges the
 *   gsi2 partitions of every policy with history, k-way, in `{time}#{id}` order. The policies come
 *   from a small catalogue (`CEC#catalog` / `{policy}`) that also keeps the standards, categories and
 *   controls each policy's events carried, so a query by standard reads only the partitions of the
 *   policies that ever carried it;
 * - the state / standard / category / control filters are applied in code while reading; a page is
 *   filled until `limit` matches or the range ends.
 *
 * Order is `{time}#{id}` everywhere (the port's "time, then id"), which is one total order across
 * partitions: a cursor is the last sort key answered plus a fingerprint of the query's filters, and
 * every partition resumes just past that key. The fingerprint makes a cursor of another query a
 * ValidationError; it leaves out `since` / `until`, which the hub resolves against its clock
 * (`since=30d` moves between two pages).
 *
 * Write cost: BatchWriteItem puts, one per event (idempotent per id: the same event has the same
 * key). The catalogue costs one UpdateItem per policy and mapping per process: the first time a
 * process sees a policy (or a new standards/categories/controls set of it), never again, so the
 * per-change budget of "current item + event" holds once a process is warm.
 */
export class DynamoComplianceHistory implements ComplianceHistory {
  /** Catalogue entries this process has written (`policy` + mapping), so each is written once. */
  private readonly catalogued = new Set<string>();

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async append(events: readonly ComplianceEvent[], expiresAt: number): Promise<void> {
    if (!events.length) return;
    // The catalogue first: an event is never readable by cluster without being found fleet-wide.
    await this.catalogue(events);
    await batchWrite(
      this.client,
      this.tableName,
      events.map((e) => {
        const keys = complianceEventKeys(e);
        return {
          PutRequest: {
            Item: {
              [TABLE.partitionKey]: { S: keys.pk },
              [TABLE.sortKey]: { S: keys.sk },
              [TABLE.gsi2.partitionKey]: { S: keys.gsi2pk },
              [TABLE.gsi2.sortKey]: { S: keys.gsi2sk },
              e: { S: JSON.stringify(e) },
              [TABLE.ttlAttribute]: { N: String(Math.floor(expiresAt)) },
            },
          },
        };
      }),
    );
  }

  /** Adds the events' policies (and their mappings) to the catalogue, once per process. */
  private async catalogue(events: readonly ComplianceEvent[]): Promise<void> {
    const todo = new Map<string, ComplianceEvent>();
    for (const e of events) {
      const id = JSON.stringify([e.policy, [...e.standards].sort(), [...e.categories].sort(), [...e.controls].sort()]);
      if (!this.catalogued.has(id)) todo.set(id, e);
    }
    await pMap(
      [...todo],
      async ([id, e]) => {
        const sets: [string, string[]][] = [
          ['st', e.standards],
          ['ca', e.categories],
          ['co', e.controls],
        ];
        const added = sets.filter(([, values]) => values.length > 0);
        const values: Record<string, AttributeValue> = { ':p': { S: e.policy } };
        for (const [name, list] of added) values[`:${name}`] = { SS: [...new Set(list)] };
        await this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: { [TABLE.partitionKey]: { S: COMPLIANCE_CATALOG_PK }, [TABLE.sortKey]: { S: e.policy } },
            // ADD on string sets is idempotent: a second process adding the same policy changes nothing.
            UpdateExpression: `SET p = :p${added.length ? ` ADD ${added.map(([name]) => `${name} :${name}`).join(', ')}` : ''}`,
            ExpressionAttributeValues: values,
          }),
        );
        this.catalogued.add(id);
      },
      { concurrency: 4 },
    );
  }

  async query(q: ComplianceHistoryQuery): Promise<{ items: ComplianceEvent[]; cursor?: string }> {
    const fingerprint = queryFingerprint(q);
    const after = q.cursor === undefined ? undefined : readCursor(q.cursor, fingerprint);
    const range = keyRange(q, after);
    if (!range) return { items: [] };
    const match = (e: ComplianceEvent, sk: string) => sk !== after && complianceEventMatches(e, q);
    const page = Math.min(q.limit + 1, MAX_QUERY_PAGE);
    let readers: PartitionReader[];
    if (q.cluster) {
      readers = [
        new PartitionReader(this.client, this.tableName, undefined, complianceClusterPartition(q.cluster), range, q.direction, page, match),
      ];
    } else if (q.policy) {
      readers = [
        new PartitionReader(this.client, this.tableName, TABLE.gsi2, compliancePolicyPartition(q.policy), range, q.direction, page, match),
      ];
    } else {
      const policies = await this.policies(q);
      // Many partitions share one page: each reads a small first page, then doubles as needed.
      const first = Math.max(MIN_MERGE_PAGE, Math.min(page, Math.ceil((2 * page) / Math.max(policies.length, 1))));
      readers = policies.map(
        (p) => new PartitionReader(this.client, this.tableName, TABLE.gsi2, compliancePolicyPartition(p), range, q.direction, first, match),
      );
    }
    const heads = await pMap(readers, (r) => r.head(), { concurrency: MERGE_CONCURRENCY });
    const taken: Entry[] = [];
    // One more than asked tells whether there is a next page (no cursor on the last page).
    while (taken.length <= q.limit) {
      let best = -1;
      for (let i = 0; i < heads.length; i++) {
        const h = heads[i];
        if (!h) continue;
        const b = best < 0 ? undefined : heads[best];
        if (!b || (q.direction === 'asc' ? h.sk < b.sk : h.sk > b.sk)) best = i;
      }
      if (best < 0) break;
      taken.push(heads[best] as Entry);
      heads[best] = await (readers[best] as PartitionReader).next();
    }
    const items = taken.slice(0, q.limit);
    const last = items[items.length - 1];
    return {
      items: items.map((x) => x.e),
      ...(taken.length > q.limit && last ? { cursor: encodeCursor({ f: fingerprint, k: last.sk }) } : {}),
    };
  }

  /** The policies with history whose events may match the query's standard / category / control. */
  private async policies(q: ComplianceHistoryQuery): Promise<string[]> {
    const names: string[] = [];
    let start: RawItem | undefined;
    do {
      const out = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeNames: { '#pk': TABLE.partitionKey },
          ExpressionAttributeValues: { ':pk': { S: COMPLIANCE_CATALOG_PK } },
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of out.Items ?? []) {
        const has = (attr: string, value: string | undefined) => value === undefined || (item[attr]?.SS ?? []).includes(value);
        if (has('st', q.standard) && has('ca', q.category) && has('co', q.control)) names.push(item[TABLE.sortKey]?.S ?? '');
      }
      start = out.LastEvaluatedKey;
    } while (start);
    return names.filter(Boolean);
  }
}

/** Items one Query reads at most. */
const MAX_QUERY_PAGE = 1000;
/** Smallest first page of one partition in a merge. */
const MIN_MERGE_PAGE = 10;
/** Partition Queries in flight at once while a merge starts. */
const MERGE_CONCURRENCY = 8;

interface Entry {
  sk: string;
  e: ComplianceEvent;
}

/** The inclusive sort-key range a query reads, narrowed to just past the cursor; undefined when empty. */
function keyRange(q: ComplianceHistoryQuery, after: string | undefined): { lo: string; hi: string } | undefined {
  if (!Number.isFinite(q.since) || !Number.isFinite(q.until) || q.since > q.until) return undefined;
  let lo = complianceKeyTime(Math.max(q.since, 0));
  // `#` sorts before `~`: every key of the last millisecond is below the upper bound.
  let hi = `${complianceKeyTime(Math.min(q.until, MAX_TIME))}~`;
  // The cursor's own key is inside the range and skipped by the reader (sort keys are unique).
  if (after !== undefined && q.direction === 'asc' && after > lo) lo = after;
  if (after !== undefined && q.direction === 'desc' && after < hi) hi = after;
  return lo <= hi ? { lo, hi } : undefined;
}

/** Latest time a key can carry (toISOString's range). */
const MAX_TIME = 8.64e15;

/** What makes two requests the same query for a cursor: everything but the page size and the time bounds. */
function queryFingerprint(q: ComplianceHistoryQuery): string {
  const parts = [q.cluster, q.policy, q.standard, q.category, q.control, q.compliance, q.direction].map((v) => v ?? null);
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);
}

const SORT_KEY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z#./;

/** The sort key a cursor continues after; a cursor of another query or a forged one is refused. */
function readCursor(cursor: string, fingerprint: string): string {
  const v = decodeCursor(cursor) as { f?: unknown; k?: unknown } | null;
  if (!v || typeof v !== 'object' || v.f !== fingerprint || typeof v.k !== 'string' || v.k.length > 1024 || !SORT_KEY.test(v.k)) {
    throw new ValidationError('invalid continue cursor: it does not belong to this compliance query');
  }
  return v.k;
}

/**
 * Reads one partition (of the table or of gsi2) in key order, a Query page at a time, keeping only
 * the events that match. Pages grow (double, up to {@link MAX_QUERY_PAGE}) while filters keep
 * discarding what they read.
 */
class PartitionReader {
  private buffer: Entry[] = [];
  private at = 0;
  private start: RawItem | undefined;
  private done = false;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly index: { indexName: string; partitionKey: string; sortKey: string } | undefined,
    private readonly partition: string,
    private readonly range: { lo: string; hi: string },
    private readonly direction: 'asc' | 'desc',
    private pageSize: number,
    private readonly match: (e: ComplianceEvent, sk: string) => boolean,
  ) {}

  /** The next matching entry without consuming it; undefined at the end. */
  async head(): Promise<Entry | undefined> {
    while (this.at >= this.buffer.length && !this.done) await this.fetch();
    return this.buffer[this.at];
  }

  /** Consumes the head and returns the one after it. */
  async next(): Promise<Entry | undefined> {
    this.at++;
    return this.head();
  }

  private async fetch(): Promise<void> {
    const pk = this.index?.partitionKey ?? TABLE.partitionKey;
    const sk = this.index?.sortKey ?? TABLE.sortKey;
    const out = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        ...(this.index ? { IndexName: this.index.indexName } : {}),
        KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :lo AND :hi',
        ExpressionAttributeNames: { '#pk': pk, '#sk': sk },
        ExpressionAttributeValues: { ':pk': { S: this.partition }, ':lo': { S: this.range.lo }, ':hi': { S: this.range.hi } },
        ScanIndexForward: this.direction === 'asc',
        Limit: this.pageSize,
        ...(this.start ? { ExclusiveStartKey: this.start } : {}),
      }),
    );
    const read = out.Items ?? [];
    this.buffer = [];
    this.at = 0;
    for (const item of read) {
      const key = item[sk]?.S ?? '';
      const e = JSON.parse(item.e?.S ?? '{}') as ComplianceEvent;
      if (this.match(e, key)) this.buffer.push({ sk: key, e });
    }
    this.start = out.LastEvaluatedKey;
    this.done = !this.start;
    if (this.buffer.length < read.length) this.pageSize = Math.min(this.pageSize * 2, MAX_QUERY_PAGE);
  }
}
