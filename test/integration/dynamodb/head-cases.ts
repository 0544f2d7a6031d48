import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeEach, describe, expect, it } from '@jest/globals';
import type { DynamoPorts } from '../../../lambdas/adapters/dynamodb/index.js';
import { MAX_HEAD_BYTES } from '../../../lambdas/adapters/dynamodb/index.js';
import type { ClusterHead, ClusterHeadStore, LeaseEntry } from '../../../lambdas/ports/cluster-head-store.js';
import { AlreadyExistsError, ConflictError, NotFoundError, PayloadTooLargeError, ValidationError } from '../../../shared/errors.js';
import { numbered, range, type BackendContext } from './harness.js';

const NOW = 1_800_000_000_000;

function head(cluster: string, extra: Partial<ClusterHead> = {}): Omit<ClusterHead, 'version'> {
  return {
    cluster,
    desiredRevision: 0,
    state: 'Accepted',
    leaseDurationSeconds: 60,
    credentials: [{ hash: 'a'.repeat(64), issuedAt: NOW - 1000 }],
    ...extra,
  };
}

async function allLeases(heads: ClusterHeadStore, limit: number): Promise<LeaseEntry[]> {
  const out: LeaseEntry[] = [];
  let cursor: string | undefined;
  for (let page = 0; ; page++) {
    if (page > 200) throw new Error('listLeases did not terminate');
    const result = await heads.listLeases(limit, cursor);
    expect(result.leases.length).toBeLessThanOrEqual(limit);
    out.push(...result.leases);
    cursor = result.cursor;
    if (!cursor) return out;
  }
}

/** The ClusterHeadStore cases, run against each backend. */
export function clusterHeadStoreCases(ctx: BackendContext): void {
  describe('ClusterHeadStore', () => {
    let table: string;
    let ports: DynamoPorts;
    beforeEach(async () => {
      ({ table, ports } = await ctx.freshTable());
    });

    it('getMany reads many heads in batches, aligned with the names, undefined where none exists', async () => {
      const heads = ports.heads;
      // 150 heads: two BatchGetItem requests (100 keys each at most).
      const names = range(150).map((i) => numbered('many', i));
      const created = new Map<string, ClusterHead>();
      for (const n of names) created.set(n, await heads.create(head(n, { state: 'Joined', leaseRenewedAt: NOW })));
      const asked = ['missing-1', ...names, names[3], 'missing-2'];
      const got = await heads.getMany(asked);
      expect(got).toHaveLength(asked.length);
      expect(got[0]).toBeUndefined();
      expect(got[asked.length - 1]).toBeUndefined();
      for (let i = 1; i <= names.length; i++) expect(got[i]).toEqual(created.get(asked[i]));
      expect(got[names.length + 1]).toEqual(created.get(names[3]));
      expect(await heads.getMany([])).toEqual([]);
    });

    it('creates, gets, puts with a version check, and deletes', async () => {
      const heads = ports.heads;
      const created = await heads.create(head('store-1', { attrs: { region: 'eu', paused: false } }));
      expect(created.version).toBe(1);
      expect(await heads.get('store-1', { consistent: true })).toEqual(created);
      expect(await heads.get('store-1')).toEqual(created);
      await expect(heads.create(head('store-1'))).rejects.toBeInstanceOf(AlreadyExistsError);

      const joined = await heads.put({ ...created, state: 'Joined' });
      expect(joined.version).toBe(2);
      const err = await heads.put({ ...created, state: 'Denied' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConflictError);
      expect((err as ConflictError).currentResourceVersion).toBe('2');
      expect((await heads.get('store-1', { consistent: true }))?.state).toBe('Joined');
      await expect(heads.put({ ...created, cluster: 'nowhere' })).rejects.toBeInstanceOf(NotFoundError);

      await heads.delete('store-1');
      await heads.delete('store-1');
      expect(await heads.get('store-1', { consistent: true })).toBeUndefined();
    });

    it('refuses a head that would make the poll read cost more', async () => {
      const err = await ports.heads.create(head('fat', { attrs: { note: 'x'.repeat(MAX_HEAD_BYTES) } })).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PayloadTooLargeError);
      expect(await ports.heads.get('fat', { consistent: true })).toBeUndefined();
    });

    it('bumps the revision atomically and invalidates concurrent puts', async () => {
      const heads = ports.heads;
      const created = await heads.create(head('store-2'));
      const revisions = await Promise.all(range(10).map(() => heads.bumpRevision('store-2')));
      expect(revisions.sort((a, b) => a - b)).toEqual(range(10).map((i) => i + 1));
      const after = await heads.get('store-2', { consistent: true });
      expect(after?.desiredRevision).toBe(10);
      expect(after?.version).toBe(11);
      await expect(heads.put({ ...created, state: 'Joined' })).rejects.toBeInstanceOf(ConflictError);
      await expect(heads.bumpRevision('missing')).rejects.toBeInstanceOf(NotFoundError);
    });

    it('gives a head a lease exactly once among concurrent renewers, and only while it holds none', async () => {
      const heads = ports.heads;
      await heads.create(head('store-3'));
      const first = await Promise.all(range(20).map((i) => heads.renewLease('store-3', NOW + i)));
      expect(first.filter(Boolean)).toHaveLength(1);
      const winner = first.indexOf(true);
      const stored = (await heads.get('store-3', { consistent: true })) as ClusterHead;
      expect(stored.leaseRenewedAt).toBe(NOW + winner);
      expect(stored.version).toBe(2);
      // A held lease is not renewed again: later polls only record heartbeats.
      expect(await heads.renewLease('store-3', NOW + 60_000)).toBe(false);
      expect((await heads.get('store-3', { consistent: true }))?.version).toBe(2);

      // Once dropped (a put without leaseRenewedAt), exactly one renewer takes it again.
      await heads.put({ ...stored, leaseRenewedAt: undefined });
      const second = await Promise.all(range(20).map((i) => heads.renewLease('store-3', NOW + 120_000 + i)));
      expect(second.filter(Boolean)).toHaveLength(1);
      await expect(heads.renewLease('missing', NOW)).rejects.toBeInstanceOf(NotFoundError);
    });

    it('lists the live set through the sparse index, every shard, in pages; the index key does not move', async () => {
      const heads = ports.heads;
      const live = range(40).map((i) => numbered('live', i));
      await Promise.all([
        ...live.map((name, i) => heads.create(head(name, { state: 'Joined', leaseRenewedAt: NOW - 1000 * i }))),
        ...range(5).map((i) => heads.create(head(numbered('nolease', i), { state: 'Pending' }))),
      ]);
      for (const limit of [1, 7, 1000]) {
        const listed = await allLeases(heads, limit);
        // Only what judging a lease takes: no credentials, no version.
        const byName = (a: LeaseEntry, b: LeaseEntry) => a.cluster.localeCompare(b.cluster);
        expect([...listed].sort(byName)).toEqual(
          live.map((cluster, i) => ({ cluster, leaseDurationSeconds: 60, leaseRenewedAt: NOW - 1000 * i })).sort(byName),
        );
      }

      const rawKeys = async (cluster: string) => {
        const raw = await ctx.client.send(
          new GetItemCommand({ TableName: table, Key: { pk: { S: `H#${cluster}` }, sk: { S: 'H' } }, ConsistentRead: true }),
        );
        return { gsi1pk: raw.Item?.gsi1pk?.S, gsi1sk: raw.Item?.gsi1sk?.S };
      };
      // The live-set key is the cluster's: unchanged by other writes of a live head (index keys are
      // the table's own; other backends only keep the head in the live set).
      if (ctx.isDynamo) {
        const before = await rawKeys(live[2]);
        expect(before.gsi1sk).toBe(live[2]);
        await heads.bumpRevision(live[2]);
        expect(await rawKeys(live[2])).toEqual(before);
      } else {
        await heads.bumpRevision(live[2]);
      }

      // Dropping the lease takes a head out of the index; a renewal brings it back.
      const gone = (await heads.get(live[0], { consistent: true })) as ClusterHead;
      await heads.put({ ...gone, leaseRenewedAt: undefined });
      if (ctx.isDynamo) expect(await rawKeys(gone.cluster)).toEqual({ gsi1pk: undefined, gsi1sk: undefined });
      expect((await allLeases(heads, 7)).map((h) => h.cluster).sort()).toEqual(live.slice(1).sort());
      expect(await heads.renewLease(gone.cluster, NOW)).toBe(true);
      expect((await allLeases(heads, 7)).map((h) => h.cluster).sort()).toEqual([...live].sort());

      await expect(heads.listLeases(5, 'bogus')).rejects.toBeInstanceOf(ValidationError);
      await expect(heads.listLeases(0)).rejects.toBeInstanceOf(ValidationError);

      // Segment by segment: each page stays in its segment, and together they are the live set.
      const bySegment: string[][] = [];
      for (let segment = 0; segment < heads.leaseSegments; segment++) {
        const found: string[] = [];
        let cursor: string | undefined;
        for (let page = 0; ; page++) {
          if (page > 50) throw new Error('a segment did not terminate');
          const result = await heads.listLeases(2, cursor, segment);
          expect(result.leases.length).toBeLessThanOrEqual(2);
          found.push(...result.leases.map((h) => h.cluster));
          cursor = result.cursor;
          if (!cursor) break;
          // A cursor of this segment is refused for another one.
          await expect(heads.listLeases(2, cursor, (segment + 1) % heads.leaseSegments)).rejects.toThrow(
            `the cursor belongs to segment ${segment}`,
          );
        }
        bySegment.push(found);
      }
      expect(bySegment.flat().sort()).toEqual([...live].sort());
      expect(new Set(bySegment.flat()).size).toBe(live.length);
      expect(bySegment.filter((s) => s.length > 0).length).toBeGreaterThan(1);
      await expect(heads.listLeases(5, undefined, heads.leaseSegments)).rejects.toBeInstanceOf(ValidationError);
      await expect(heads.listLeases(5, undefined, -1)).rejects.toBeInstanceOf(ValidationError);
    }, 60_000);
  });
}
