import { QueryCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ValidationError } from '../../../shared/errors.js';
import { AUDIT_RETENTION_DAYS, auditMatches, type AuditQuery, type AuditRecord, type AuditStore } from '../../ports/audit-store.js';
import { batchWrite } from './batch.js';
import { auditKey, auditPartition, decodeCursor, encodeCursor } from './keys.js';
import { TABLE } from './table.js';

const DAY_MS = 86_400_000;
/** Items read per Query page while filling one answer page. */
const QUERY_PAGE = 200;

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The days a query spans, newest first. */
export function auditDays(since: number, until: number): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${dayOf(until)}T00:00:00Z`); t >= Date.parse(`${dayOf(since)}T00:00:00Z`); t -= DAY_MS) days.push(dayOf(t));
  return days;
}

/** A cursor is the day and sort key to continue below; anything else is refused. */
function readCursor(cursor: string, days: string[]): { day: string; sk: string } {
  const v = decodeCursor(cursor) as { day?: unknown; sk?: unknown } | null;
  if (
    !v ||
    typeof v !== 'object' ||
    typeof v.day !== 'string' ||
    typeof v.sk !== 'string' ||
    !days.includes(v.day) ||
    !v.sk.startsWith(v.day) ||
    v.sk.length > 200
  ) {
    throw new ValidationError('invalid continue cursor: it does not belong to this audit query');
  }
  return { day: v.day, sk: v.sk };
}

/**
 * Audit records in the single table, one partition per UTC day, sorted by time: a query reads the
 * days it spans newest first, one Query page at a time, and filters in code. Records past the
 * retention are skipped on read (TTL deletes them later).
 */
export class DynamoAuditStore implements AuditStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly retentionDays = AUDIT_RETENTION_DAYS,
    private readonly now: () => number = Date.now,
  ) {}

  async append(records: readonly AuditRecord[]): Promise<void> {
    if (!records.length) return;
    await batchWrite(
      this.client,
      this.tableName,
      records.map((r) => {
        const key = auditKey(r.time, r.id);
        const ttl = Math.floor(Date.parse(r.time) / 1000) + this.retentionDays * 86_400;
        return {
          PutRequest: {
            Item: {
              [TABLE.partitionKey]: { S: key.pk },
              [TABLE.sortKey]: { S: key.sk },
              r: { S: JSON.stringify(r) },
              ttl: { N: String(ttl) },
            },
          },
        };
      }),
    );
  }

  async query(q: AuditQuery): Promise<{ items: AuditRecord[]; cursor?: string }> {
    const oldest = Math.max(q.since, this.now() - this.retentionDays * DAY_MS);
    const days = auditDays(oldest, q.until);
    const from = q.cursor ? readCursor(q.cursor, days) : undefined;
    const items: AuditRecord[] = [];
    const lower = new Date(oldest).toISOString();
    const upper = `${new Date(q.until).toISOString()}~`;
    for (const day of from ? days.slice(days.indexOf(from.day)) : days) {
      let start: Record<string, { S: string }> | undefined =
        from && day === from.day ? { [TABLE.partitionKey]: { S: auditPartition(day) }, [TABLE.sortKey]: { S: from.sk } } : undefined;
      do {
        const out = await this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :lo AND :hi',
            ExpressionAttributeNames: { '#pk': TABLE.partitionKey, '#sk': TABLE.sortKey },
            ExpressionAttributeValues: { ':pk': { S: auditPartition(day) }, ':lo': { S: lower }, ':hi': { S: upper } },
            ScanIndexForward: false,
            Limit: QUERY_PAGE,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        );
        for (const item of out.Items ?? []) {
          const record = JSON.parse(item.r?.S ?? '{}') as AuditRecord;
          if (!auditMatches(record, q)) continue;
          items.push(record);
          if (items.length === q.limit) return { items, cursor: encodeCursor({ day, sk: item[TABLE.sortKey]?.S }) };
        }
        start = out.LastEvaluatedKey as Record<string, { S: string }> | undefined;
      } while (start);
    }
    return { items };
  }
}
