import { QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ValidationError } from '../../../shared/errors.js';
import type { AuditEvent } from '../../../shared/tenancy.js';
import {
  AUDIT_RETENTION_DAYS,
  auditMatches,
  eventOfLegacy,
  outcomeOf,
  type AuditQuery,
  type AuditStore,
  type LegacyAuditRecord,
} from '../../ports/audit-store.js';
import { batchWrite } from './batch.js';
import { auditKey, auditPartition, decodeCursor, encodeCursor } from './keys.js';
import { TABLE } from './table.js';

const DAY_MS = 86_400_000;
/** Items read per Query call while filling one answer page. */
const QUERY_PAGE = 200;
/**
 * Items one answer page evaluates at most (read capacity is spent on every item a Query reads,
 * FilterExpression or not). A filtered query over a busy range answers in pages that may hold
 * fewer than `limit` items, each with a cursor, instead of reading without bound.
 */
export const AUDIT_SCAN_BUDGET = 2_000;
/** Query calls one answer page makes at most (a long range of quiet days costs one call a day). */
export const AUDIT_QUERY_BUDGET = 40;

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The days a query spans, newest first. */
export function auditDays(since: number, until: number): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${dayOf(until)}T00:00:00Z`); t >= Date.parse(`${dayOf(since)}T00:00:00Z`); t -= DAY_MS) days.push(dayOf(t));
  return days;
}

/** Where a page continues: below `sk` in `day`, or (no `sk`) from the top of `day`. */
interface Position {
  day: string;
  sk?: string;
}

/** A cursor is a position inside the query's days; anything else is refused. */
function readCursor(cursor: string, days: string[]): Position {
  const v = decodeCursor(cursor) as { day?: unknown; sk?: unknown } | null;
  if (
    !v ||
    typeof v !== 'object' ||
    typeof v.day !== 'string' ||
    !days.includes(v.day) ||
    (v.sk !== undefined && (typeof v.sk !== 'string' || !v.sk.startsWith(v.day) || v.sk.length > 200))
  ) {
    throw new ValidationError('invalid continue cursor: it does not belong to this audit query');
  }
  return { day: v.day, ...(typeof v.sk === 'string' ? { sk: v.sk } : {}) };
}

/** The item's event: the stored one, or an old record converted. */
function eventOf(item: Record<string, AttributeValue>): AuditEvent {
  if (item.e?.S) return JSON.parse(item.e.S) as AuditEvent;
  return eventOfLegacy(JSON.parse(item.r?.S ?? '{}') as LegacyAuditRecord);
}

/**
 * The server-side pre-filter: items whose filter attributes match, and every old record (which
 * has none; it is converted and filtered in code). Saves transfer and work in code, not read
 * capacity: see {@link AUDIT_SCAN_BUDGET}.
 */
function filterOf(q: AuditQuery): { expression?: string; names: Record<string, string>; values: Record<string, AttributeValue> } {
  const names: Record<string, string> = {};
  const values: Record<string, AttributeValue> = {};
  const conds: string[] = [];
  const eq = (attr: string, value: string | undefined) => {
    if (value === undefined) return;
    names[`#${attr}`] = attr;
    values[`:${attr}`] = { S: value };
    conds.push(`#${attr} = :${attr}`);
  };
  eq('u', q.user);
  if (q.verb?.endsWith('.')) {
    names['#v'] = 'v';
    values[':v'] = { S: q.verb };
    conds.push('begins_with(#v, :v)');
  } else eq('v', q.verb);
  eq('k', q.resource);
  eq('n', q.name);
  eq('o', q.outcome);
  if (q.clusterSet !== undefined) {
    names['#cs'] = 'cs';
    values[':cs'] = { S: q.clusterSet };
    conds.push('contains(#cs, :cs)');
  }
  if (!conds.length) return { names, values };
  names['#r'] = 'r';
  return { expression: `attribute_exists(#r) OR (${conds.join(' AND ')})`, names, values };
}

/**
 * Audit events in the single table, one partition per UTC day, sorted by time: a query reads the
 * days it spans newest first, one Query page at a time. Each event also carries its filter fields
 * as attributes (user, verb, resource, name, outcome, cluster sets), so a filter is a
 * FilterExpression; an answer page evaluates at most {@link AUDIT_SCAN_BUDGET} items and
 * {@link AUDIT_QUERY_BUDGET} Query calls, then returns what it found with a cursor. Records past
 * the retention are never read (TTL deletes them later); records of the old shape are converted
 * on read. Writes are idempotent: an event's key is its time and auditID.
 */
export class DynamoAuditStore implements AuditStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly retentionDays = AUDIT_RETENTION_DAYS,
    private readonly now: () => number = Date.now,
    /** Items one answer page evaluates at most (tests use a small one). */
    private readonly scanBudget = AUDIT_SCAN_BUDGET,
  ) {}

  async append(events: readonly AuditEvent[]): Promise<void> {
    if (!events.length) return;
    await batchWrite(
      this.client,
      this.tableName,
      events.map((e) => {
        const key = auditKey(e.stageTimestamp, e.auditID);
        const ttl = Math.floor(Date.parse(e.stageTimestamp) / 1000) + this.retentionDays * 86_400;
        const sets = [...new Set(e.clusterSets ?? [])];
        const item: Record<string, AttributeValue> = {
          [TABLE.partitionKey]: { S: key.pk },
          [TABLE.sortKey]: { S: key.sk },
          e: { S: JSON.stringify(e) },
          u: { S: e.user.username },
          v: { S: e.verb },
          o: { S: outcomeOf(e) },
          ttl: { N: String(ttl) },
        };
        if (e.objectRef?.resource) item.k = { S: e.objectRef.resource };
        if (e.objectRef?.name) item.n = { S: e.objectRef.name };
        if (sets.length) item.cs = { SS: sets };
        return { PutRequest: { Item: item } };
      }),
    );
  }

  async query(q: AuditQuery): Promise<{ items: AuditEvent[]; cursor?: string }> {
    const oldest = Math.max(q.since, this.now() - this.retentionDays * DAY_MS);
    if (oldest > q.until) return { items: [] };
    const days = auditDays(oldest, q.until);
    const from = q.cursor ? readCursor(q.cursor, days) : undefined;
    const items: AuditEvent[] = [];
    const lower = new Date(oldest).toISOString();
    const upper = `${new Date(q.until).toISOString()}~`;
    const filter = filterOf(q);
    let scanned = 0;
    let calls = 0;
    const remaining = from ? days.slice(days.indexOf(from.day)) : days;
    for (const day of remaining) {
      let start: Record<string, AttributeValue> | undefined =
        from?.sk && day === from.day ? { [TABLE.partitionKey]: { S: auditPartition(day) }, [TABLE.sortKey]: { S: from.sk } } : undefined;
      do {
        // Budget spent: continue here next page (the top of this day when nothing of it was read yet).
        if (scanned >= this.scanBudget || calls >= AUDIT_QUERY_BUDGET) {
          const sk = start?.[TABLE.sortKey]?.S;
          return { items, cursor: encodeCursor(sk ? { day, sk } : { day }) };
        }
        const out = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :lo AND :hi',
            ...(filter.expression ? { FilterExpression: filter.expression } : {}),
            ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey, ...filter.names },
            ExpressionAttributeValues: {
              ':pk': { S: auditPartition(day) },
              ':lo': { S: lower },
              ':hi': { S: upper },
              ...filter.values,
            },
            ScanIndexForward: false,
            Limit: Math.min(QUERY_PAGE, this.scanBudget - scanned),
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        calls += 1;
        scanned += out.ScannedCount ?? 0;
        for (const item of out.Items ?? []) {
          const event = eventOf(item);
          if (!auditMatches(event, q)) continue;
          items.push(event);
          if (items.length === q.limit) return { items, cursor: encodeCursor({ day, sk: item[TABLE.sortKey]?.S }) };
        }
        start = out.LastEvaluatedKey;
      } while (start);
    }
    return { items };
  }
}
