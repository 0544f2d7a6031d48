import { beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import type { DynamoPorts } from '../../../lambdas/adapters/dynamodb/index.js';
import { countOperationsOf, numbered, range, resource, type BackendContext } from './harness.js';

/**
 * The batch methods (ResourceStore.getMany, RelationStore.putMany/removeMany), run against each
 * backend: answers aligned with the keys, duplicates and missing keys, the request counts the
 * service limits imply, and answers over BatchGetItem's 16 MB limit (which the server hands back
 * as UnprocessedKeys, where it implements the limit). The request counts are the table's: they are
 * checked on DynamoDB backends only.
 */
export function batchCases(ctx: BackendContext): void {
  describe('batch reads and writes', () => {
    let ports: DynamoPorts;
    beforeAll(async () => {
      ({ ports } = await ctx.freshTable());
    });

    it('getMany reads 250 keys in 3 BatchGetItem requests, aligned with the keys, missing and repeated keys included', async () => {
      const store = ports.resources;
      await Promise.all(range(240).map((i) => store.create(resource('Cluster', numbered('bg', i), { labels: { i: String(i) } }))));
      await store.create(resource('Work', 'w', { namespace: 'bg-001', spec: { n: 1 } }));
      const keys = [
        ...range(240).map((i) => ({ kind: 'Cluster', name: numbered('bg', i) })),
        ...range(8).map((i) => ({ kind: 'Cluster', name: numbered('missing', i) })),
        { kind: 'Cluster', name: 'bg-007' },
        { kind: 'Work', name: 'w', namespace: 'bg-001' },
      ];
      const ops = countOperationsOf(ctx);
      try {
        for (const consistent of [false, true]) {
          ops?.reset();
          const got = await store.getMany(keys, { consistent });
          expect(got).toHaveLength(keys.length);
          expect(got.slice(0, 240).map((r) => r?.metadata.labels?.i)).toEqual(range(240).map(String));
          expect(got.slice(240, 248)).toEqual(range(8).map(() => undefined));
          expect(got[248]).toEqual(got[7]);
          expect(got[249]).toMatchObject({
            kind: 'Work',
            metadata: { name: 'w', namespace: 'bg-001', resourceVersion: '1' },
            spec: { n: 1 },
          });
          // 249 distinct keys: 100 + 100 + 49.
          if (ops) expect(ops.snapshot().counts).toEqual({ BatchGetItem: 3 });
        }
        expect(await store.getMany([])).toEqual([]);
        if (ops) expect(ops.snapshot().counts).toEqual({ BatchGetItem: 3 });
      } finally {
        ops?.detach();
      }
    });

    it('getMany returns every item when the answer exceeds 16 MB (unprocessed keys are asked again)', async () => {
      const store = ports.resources;
      // 70 items of about 280 KB each as stored (random data compresses little): about 19 MB.
      const names = range(70).map((i) => numbered('big', i));
      for (let i = 0; i < names.length; i += 6) {
        await Promise.all(
          names
            .slice(i, i + 6)
            .map((name) => store.create(resource('Blob', name, { spec: { data: randomBytes(280 * 1024).toString('base64') } }))),
        );
      }
      const ops = countOperationsOf(ctx);
      let partial = 0;
      if (ops) {
        ctx.client.middlewareStack.add(
          (next) => async (args) => {
            const out = await next(args);
            const keys = (out.output as { UnprocessedKeys?: Record<string, { Keys?: unknown[] }> }).UnprocessedKeys;
            if (Object.values(keys ?? {}).some((t) => (t.Keys?.length ?? 0) > 0)) partial++;
            return out;
          },
          { step: 'initialize', name: 'batchCasesUnprocessed' },
        );
      }
      try {
        const got = await store.getMany(names.map((name) => ({ kind: 'Blob', name })));
        expect(got.map((r) => r?.metadata.name)).toEqual(names);
        expect(got.every((r) => typeof (r?.spec as { data?: string }).data === 'string')).toBe(true);
        // A server that enforces the limit answers in parts: every partial answer costs one more request.
        if (ops) expect(ops.snapshot().counts.BatchGetItem).toBe(1 + partial);
        if (ctx.name === 'dynamodb-local') expect(partial).toBeGreaterThan(0);
      } finally {
        if (ops) ctx.client.middlewareStack.remove('batchCasesUnprocessed');
        ops?.detach();
      }
    }, 60_000);

    it('putMany and removeMany write 25 items per BatchWriteItem, last data wins, and repeat harmlessly', async () => {
      const rel = ports.relations;
      const items = range(60).map((i) => ({
        relation: 'decisions',
        from: i < 50 ? 'p-a' : 'p-b',
        to: numbered('c', i),
        data: { group: i % 3, name: `g${i % 3}` },
      }));
      const ops = countOperationsOf(ctx);
      try {
        await rel.putMany([...items, { relation: 'decisions', from: 'p-a', to: 'c-000', data: { group: 9, name: 'last' } }]);
        if (ops) expect(ops.snapshot().counts).toEqual({ BatchWriteItem: 3 });
        await rel.putMany(items.slice(10));
        const a = await rel.list('decisions', 'p-a', { limit: 100 });
        expect(a.items).toHaveLength(50);
        expect(a.items[0]).toEqual({ to: 'c-000', data: { group: 9, name: 'last' } });
        expect(a.items[49]).toEqual({ to: 'c-049', data: { group: 49 % 3, name: `g${49 % 3}` } });
        expect(await rel.count('decisions', 'p-b')).toBe(10);

        ops?.reset();
        const gone = items.slice(0, 30).map(({ relation, from, to }) => ({ relation, from, to }));
        await rel.removeMany(gone);
        await rel.removeMany(gone);
        await rel.removeMany([]);
        await rel.putMany([]);
        if (ops) expect(ops.snapshot().counts).toEqual({ BatchWriteItem: 4 });
        expect((await rel.list('decisions', 'p-a', { limit: 100 })).items.map((i) => i.to)).toEqual(
          range(20).map((i) => numbered('c', i + 30)),
        );
      } finally {
        ops?.detach();
      }
    });
  });
}
