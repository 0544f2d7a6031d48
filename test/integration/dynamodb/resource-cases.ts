import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { MAX_ITEM_BYTES, type DynamoPorts } from '../../../lambdas/adapters/dynamodb/index.js';
import { resourceKey } from '../../../lambdas/adapters/dynamodb/keys.js';
import type { ResourceStore } from '../../../lambdas/ports/resource-store.js';
import { AlreadyExistsError, ConflictError, NotFoundError, PayloadTooLargeError, ValidationError } from '../../../shared/errors.js';
import type { Resource } from '../../../shared/resources/meta.js';
import { countOperationsOf, numbered, range, resource, type BackendContext } from './harness.js';

/** Reads every page of a list, returning the names in order and the number of pages. */
async function listAll(store: ResourceStore, kind: string, limit: number, filter?: (r: Resource) => boolean) {
  const names: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await store.list(kind, { limit, cursor, filter });
    expect(page.items.length).toBeLessThanOrEqual(limit);
    names.push(...page.items.map((r) => r.metadata.name));
    cursor = page.cursor;
    pages++;
    if (pages > 500) throw new Error('list did not terminate');
  } while (cursor);
  return { names, pages };
}

/** The ResourceStore cases, run against each backend. */
export function resourceStoreCases(ctx: BackendContext): void {
  describe('ResourceStore', () => {
    let table: string;
    let ports: DynamoPorts;
    beforeAll(async () => {
      ({ table, ports } = await ctx.freshTable());
    });

    it('creates, gets, replaces and deletes with numeric versions', async () => {
      const store = ports.resources;
      const input = resource('Cluster', 'crud-1', { labels: { tier: 'store' } });
      input.metadata.resourceVersion = '99';
      const created = await store.create(input);
      expect(created.metadata.resourceVersion).toBe('1');
      expect(await store.get({ kind: 'Cluster', name: 'crud-1' }, { consistent: true })).toEqual(created);

      const replaced = await store.replace({ ...created, spec: { hubAcceptsClient: true } }, '1');
      expect(replaced.metadata.resourceVersion).toBe('2');
      const read = await store.get({ kind: 'Cluster', name: 'crud-1' }, { consistent: true });
      expect(read?.spec).toEqual({ hubAcceptsClient: true });
      expect(read?.metadata.resourceVersion).toBe('2');

      await store.delete({ kind: 'Cluster', name: 'crud-1' });
      expect(await store.get({ kind: 'Cluster', name: 'crud-1' }, { consistent: true })).toBeUndefined();
      await expect(store.delete({ kind: 'Cluster', name: 'crud-1' })).rejects.toBeInstanceOf(NotFoundError);
      await expect(store.replace(created, '1')).rejects.toBeInstanceOf(NotFoundError);
      await expect(store.delete({ kind: 'Cluster', name: 'crud-1' }, '2')).rejects.toBeInstanceOf(NotFoundError);
    });

    it('refuses to create an existing object', async () => {
      await ports.resources.create(resource('Cluster', 'dup-1'));
      const err = await ports.resources.create(resource('Cluster', 'dup-1')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AlreadyExistsError);
      expect((err as AlreadyExistsError).objectName).toBe('dup-1');
    });

    it('rejects a stale replace or delete with the current version, and applies the fresh one', async () => {
      const store = ports.resources;
      const v1 = await store.create(resource('Cluster', 'stale-1'));
      await store.replace({ ...v1, spec: { a: 1 } }, '1');
      const err = await store.replace({ ...v1, spec: { a: 2 } }, '1').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConflictError);
      expect((err as ConflictError).currentResourceVersion).toBe('2');
      const delErr = await store.delete({ kind: 'Cluster', name: 'stale-1' }, '1').catch((e: unknown) => e);
      expect(delErr).toBeInstanceOf(ConflictError);
      expect((delErr as ConflictError).currentResourceVersion).toBe('2');
      expect((await store.get({ kind: 'Cluster', name: 'stale-1' }, { consistent: true }))?.spec).toEqual({ a: 1 });
      await expect(store.replace(v1, 'seven')).rejects.toBeInstanceOf(ValidationError);
      await store.delete({ kind: 'Cluster', name: 'stale-1' }, '2');
      expect(await store.get({ kind: 'Cluster', name: 'stale-1' }, { consistent: true })).toBeUndefined();
    });

    it('loses no update when 100 writers read-modify-write one object concurrently', async () => {
      const store = ports.resources;
      const key = { kind: 'Cluster', name: 'contended' };
      await store.create(resource('Cluster', 'contended'));
      let conflicts = 0;
      // Every writer stops by this deadline, so none can outlive the test and hit a closed server.
      const deadline = Date.now() + 100_000;
      const outcomes = await Promise.allSettled(
        range(100).map(async (i) => {
          for (let attempt = 0; Date.now() < deadline; attempt++) {
            const current = (await store.get(key, { consistent: true })) as Resource;
            const labels = { ...current.metadata.labels, [`writer-${i}`]: 'done' };
            try {
              await store.replace({ ...current, metadata: { ...current.metadata, labels } }, current.metadata.resourceVersion);
              return;
            } catch (err) {
              if (!(err instanceof ConflictError)) throw err;
              conflicts++;
              // Exponential backoff with full jitter, as a real client does.
              await sleep(Math.random() * Math.min(10 * 2 ** Math.min(attempt, 8), 2000));
            }
          }
          throw new Error(`writer ${i} ran out of time`);
        }),
      );
      expect(outcomes.filter((o) => o.status === 'rejected')).toEqual([]);
      const final = (await store.get(key, { consistent: true })) as Resource;
      expect(Object.keys(final.metadata.labels ?? {}).sort()).toEqual(
        range(100)
          .map((i) => `writer-${i}`)
          .sort(),
      );
      expect(final.metadata.resourceVersion).toBe('101');
      expect(conflicts).toBeGreaterThan(0);
    }, 120_000);

    it('pages in name order with limit and cursor, never skipping or repeating when a filter drops items', async () => {
      const kind = 'PageKind';
      await Promise.all(
        range(60).map((i) => ports.resources.create(resource(kind, numbered('item', i), { labels: { keep: i % 3 === 0 ? 'no' : 'yes' } }))),
      );
      const all = range(60).map((i) => numbered('item', i));
      const kept = all.filter((_, i) => i % 3 !== 0);
      const keep = (r: Resource) => r.metadata.labels?.keep === 'yes';

      expect((await listAll(ports.resources, kind, 13)).names).toEqual(all);
      const filtered = await listAll(ports.resources, kind, 7, keep);
      expect(filtered.names).toEqual(kept);
      expect(filtered.pages).toBeGreaterThanOrEqual(Math.ceil(kept.length / 7));

      // A tiny page budget makes the store stop mid-partition with short (even empty) pages.
      const budgeted = ctx.resourceStore(table, { maxPagesPerList: 1, filteredPageSize: 4 });
      const rare = (r: Resource) => Number(r.metadata.name.slice(-3)) % 10 === 0;
      const sparse = await listAll(budgeted, kind, 3, rare);
      expect(sparse.names).toEqual(all.filter((_, i) => i % 10 === 0));
      expect(sparse.pages).toBeGreaterThan(2);
    }, 30_000);

    it('rejects a cursor from another list', async () => {
      await ports.resources.create(resource('OtherKind', 'a'));
      await ports.resources.create(resource('OtherKind', 'b'));
      const page = await ports.resources.list('OtherKind', { limit: 1 });
      expect(page.cursor).toBeDefined();
      await expect(ports.resources.list('PageKind', { limit: 1, cursor: page.cursor })).rejects.toBeInstanceOf(ValidationError);
      await expect(ports.resources.list('OtherKind', { limit: 1, cursor: 'not-a-cursor' })).rejects.toBeInstanceOf(ValidationError);
    });

    it('stores large bodies compressed, round-trips them, and reads small ones as plain JSON', async () => {
      const manifests = range(3000).map((i) => ({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `config-${i}`, namespace: 'apps' },
        data: { 'app.properties': `feature.flag.${i % 7}=true\nreplicas=${i % 5}\n` },
      }));
      const big = resource('Work', 'big', { namespace: 'c1', spec: { manifests } });
      expect(Buffer.byteLength(JSON.stringify(big))).toBeGreaterThan(400 * 1024);
      const created = await ports.resources.create(big);
      expect(await ports.resources.get({ kind: 'Work', name: 'big', namespace: 'c1' }, { consistent: true })).toEqual(created);
      await ports.resources.create(resource('Work', 'small', { namespace: 'c1' }));
      // How the bodies are stored is the table's own business: checked on its items.
      if (!ctx.isDynamo) return;

      const raw = await ctx.client.send(
        new GetItemCommand({
          TableName: table,
          Key: { pk: { S: resourceKey({ kind: 'Work', name: 'big', namespace: 'c1' }).pk }, sk: { S: 'big' } },
        }),
      );
      expect(raw.Item?.body).toBeUndefined();
      expect(raw.Item?.bodyz?.B?.byteLength).toBeLessThan(JSON.stringify(big).length / 5);

      const rawSmall = await ctx.client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: 'R#Work#c1' }, sk: { S: 'small' } } }));
      expect(JSON.parse(rawSmall.Item?.body?.S ?? '{}').metadata.name).toBe('small');
      expect(rawSmall.Item?.bodyz).toBeUndefined();
    });

    it('refuses an item still too large when compressed, before writing anything', async () => {
      const ops = countOperationsOf(ctx);
      try {
        const huge = resource('Work', 'huge', { namespace: 'c1', spec: { blob: randomBytes(450 * 1024).toString('base64') } });
        const err = await ports.resources.create(huge).catch((e: unknown) => e);
        expect(err).toBeInstanceOf(PayloadTooLargeError);
        expect((err as PayloadTooLargeError).limitBytes).toBe(MAX_ITEM_BYTES);
        expect((err as PayloadTooLargeError).actualBytes).toBeGreaterThan(MAX_ITEM_BYTES);
        if (ops) expect(ops.counts.PutItem ?? 0).toBe(0);
        expect(await ports.resources.get({ kind: 'Work', name: 'huge', namespace: 'c1' }, { consistent: true })).toBeUndefined();

        const small = await ports.resources.create(resource('Work', 'grows', { namespace: 'c1' }));
        await expect(ports.resources.replace({ ...huge, metadata: { ...huge.metadata, name: 'grows' } }, '1')).rejects.toBeInstanceOf(
          PayloadTooLargeError,
        );
        expect(await ports.resources.get({ kind: 'Work', name: 'grows', namespace: 'c1' }, { consistent: true })).toEqual(small);
      } finally {
        ops?.detach();
      }
    });

    it('keeps namespaced objects of different clusters apart', async () => {
      const store = ports.resources;
      await store.create(resource('Work', 'app', { namespace: 'east-1', spec: { from: 'east' } }));
      await store.create(resource('Work', 'app', { namespace: 'west-1', spec: { from: 'west' } }));
      expect((await store.get({ kind: 'Work', name: 'app', namespace: 'east-1' }))?.spec).toEqual({ from: 'east' });
      expect((await store.get({ kind: 'Work', name: 'app', namespace: 'west-1' }))?.spec).toEqual({ from: 'west' });
      expect(await store.get({ kind: 'Work', name: 'app' })).toBeUndefined();
      expect((await store.list('Work', { namespace: 'east-1', limit: 10 })).items.map((w) => w.spec)).toEqual([{ from: 'east' }]);
      expect((await store.list('Work', { limit: 10 })).items).toEqual([]);
      await store.delete({ kind: 'Work', name: 'app', namespace: 'east-1' });
      expect(await store.get({ kind: 'Work', name: 'app', namespace: 'west-1' }, { consistent: true })).toBeDefined();
    });
  });
}
