import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeEach, describe, expect, it } from '@jest/globals';
import type { DynamoPorts } from '../../../lambdas/adapters/dynamodb/index.js';
import { MAX_HEAD_BYTES } from '../../../lambdas/adapters/dynamodb/index.js';
import type { ClusterHead, ClusterHeadStore } from '../../../lambdas/ports/cluster-head-store.js';
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

async function allExpired(heads: ClusterHeadStore, now: number, limit: number): Promise<ClusterHead[]> {
  const out: ClusterHead[] = [];
  let cursor: string | undefined;
  for (let page = 0; ; page++) {
    if (page > 100) throw new Error('listExpiredLeases did not terminate');
    const result = await heads.listExpiredLeases(now, limit, cursor);
    expect(result.heads.length).toBeLessThanOrEqual(limit);
    out.push(...result.heads);
    cursor = result.cursor;
    if (!cursor) return out;
  }
}

/** The ClusterHeadStore cases, run against each backend. */
export function clusterHeadStoreCases(ctx: BackendContext): void {
  describe('DynamoClusterHeadStore', () => {
    let table: string;
    let ports: DynamoPorts;
    beforeEach(async () => {
      ({ table, ports } = await ctx.freshTable());
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

    it('renews the lease exactly once among concurrent renewers', async () => {
      const heads = ports.heads;
      await heads.create(head('store-3'));
      const first = await Promise.all(range(20).map((i) => heads.renewLease('store-3', NOW + i, undefined, NOW + i + 180_000)));
      expect(first.filter(Boolean)).toHaveLength(1);
      const winner = first.indexOf(true);
      const stored = (await heads.get('store-3', { consistent: true })) as ClusterHead;
      expect(stored.leaseRenewedAt).toBe(NOW + winner);
      expect(stored.leaseExpiresAt).toBe(NOW + winner + 180_000);
      expect(stored.version).toBe(2);

      const later = NOW + 60_000;
      const second = await Promise.all(range(20).map((i) => heads.renewLease('store-3', later + i, stored.leaseRenewedAt, later + i + 180_000)));
      expect(second.filter(Boolean)).toHaveLength(1);
      expect(await heads.renewLease('store-3', later + 99, stored.leaseRenewedAt, later + 180_099)).toBe(false);
      await expect(heads.renewLease('missing', NOW, undefined, NOW + 1)).rejects.toBeInstanceOf(NotFoundError);
    });

    it('lists only expired leases, in expiry order, through the sparse index', async () => {
      const heads = ports.heads;
      const expired = range(30).map((i) => ({ name: numbered('old', i), at: NOW - 1000 * ((i * 7) % 30) }));
      await Promise.all([
        ...expired.map((e) => heads.create(head(e.name, { leaseRenewedAt: e.at - 180_000, leaseExpiresAt: e.at }))),
        ...range(10).map((i) => heads.create(head(numbered('fresh', i), { leaseRenewedAt: NOW, leaseExpiresAt: NOW + 1 + i }))),
        ...range(5).map((i) => heads.create(head(numbered('nolease', i), { state: 'Pending' }))),
      ]);

      const listed = await allExpired(heads, NOW, 7);
      const expectedOrder = [...expired].sort((a, b) => a.at - b.at || (a.name < b.name ? -1 : 1)).map((e) => e.name);
      expect(listed.map((h) => h.cluster)).toEqual(expectedOrder);
      expect(listed.every((h) => (h.leaseExpiresAt as number) <= NOW && h.version === 1)).toBe(true);
      expect((await allExpired(heads, NOW, 1000)).map((h) => h.cluster)).toEqual(expectedOrder);
      expect(await allExpired(heads, NOW - 1_000_000, 5)).toEqual([]);

      // Clearing leaseExpiresAt takes a head out of the index; renewing moves it into the future.
      const gone = (await heads.get(expired[0].name, { consistent: true })) as ClusterHead;
      await heads.put({ ...gone, leaseExpiresAt: undefined, state: 'Joined' });
      const raw = await ctx.client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: `H#${gone.cluster}` }, sk: { S: 'H' } }, ConsistentRead: true }));
      expect(raw.Item?.gsi1pk).toBeUndefined();
      expect(raw.Item?.gsi1sk).toBeUndefined();
      const renewed = (await heads.get(expired[1].name, { consistent: true })) as ClusterHead;
      expect(await heads.renewLease(renewed.cluster, NOW, renewed.leaseRenewedAt, NOW + 180_000)).toBe(true);
      const remaining = (await allExpired(heads, NOW, 7)).map((h) => h.cluster);
      expect(remaining).toEqual(expectedOrder.filter((n) => n !== gone.cluster && n !== renewed.cluster));

      await expect(heads.listExpiredLeases(NOW, 5, 'bogus')).rejects.toBeInstanceOf(ValidationError);
    }, 30_000);
  });
}
