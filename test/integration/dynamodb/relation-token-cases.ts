import { beforeAll, describe, expect, it } from '@jest/globals';
import { countOperations, type DynamoPorts } from '../../../lambdas/adapters/dynamodb/index.js';
import { ValidationError } from '../../../shared/errors.js';
import { sha256Hex } from '../../../shared/hash.js';
import { numbered, range, type BackendContext } from './harness.js';

/** The RelationStore, AdminTokenStore and operation-counter cases, run against each backend (the counter on DynamoDB only). */
export function relationAndTokenCases(ctx: BackendContext): void {
  let ports: DynamoPorts;
  beforeAll(async () => {
    ({ ports } = await ctx.freshTable());
  });

  describe('RelationStore', () => {
    it('puts, lists in pages, counts and removes targets of one source', async () => {
      const rel = ports.relations;
      await Promise.all(
        range(25).map((i) => rel.put('members', 'set-a', numbered('m', i), i % 2 === 0 ? { weight: i, ok: true } : undefined)),
      );
      await Promise.all(range(3).map((i) => rel.put('members', 'set-b', numbered('m', i))));

      const seen: { to: string; data?: Record<string, string | number | boolean> }[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await rel.list('members', 'set-a', { limit: 10, cursor });
        expect(page.items.length).toBeLessThanOrEqual(10);
        seen.push(...page.items);
        cursor = page.cursor;
        pages++;
      } while (cursor && pages < 10);
      expect(seen.map((s) => s.to)).toEqual(range(25).map((i) => numbered('m', i)));
      expect(seen[4]).toEqual({ to: 'm-004', data: { weight: 4, ok: true } });
      expect(seen[5]).toEqual({ to: 'm-005' });
      expect(pages).toBe(3);

      expect(await rel.count('members', 'set-a')).toBe(25);
      expect(await rel.count('members', 'set-b')).toBe(3);
      expect(await rel.count('members', 'set-c')).toBe(0);

      await rel.remove('members', 'set-a', 'm-003');
      await rel.remove('members', 'set-a', 'm-003');
      await rel.put('members', 'set-a', 'm-004', { weight: 40 });
      expect(await rel.count('members', 'set-a')).toBe(24);
      const first = await rel.list('members', 'set-a', { limit: 5 });
      expect(first.items.map((i) => i.to)).toEqual(['m-000', 'm-001', 'm-002', 'm-004', 'm-005']);
      expect(first.items[3].data).toEqual({ weight: 40 });

      await expect(rel.list('members', 'set-b', { limit: 5, cursor: first.cursor })).rejects.toBeInstanceOf(ValidationError);
      await expect(rel.put('bad#name', 'a', 'b')).rejects.toBeInstanceOf(ValidationError);
    });
  });

  describe('AdminTokenStore', () => {
    it('puts, gets by hash and deletes token records', async () => {
      const tokens = ports.adminTokens;
      const full = {
        hash: sha256Hex('token-1'),
        role: 'admin' as const,
        description: 'bootstrap admin',
        createdAt: 1_800_000_000_000,
        expiresAt: 1_800_086_400_000,
      };
      const bare = { hash: sha256Hex('token-2'), role: 'viewer' as const, createdAt: 1_800_000_000_000 };
      await tokens.put(full);
      await tokens.put(bare);
      expect(await tokens.getByHash(full.hash)).toEqual(full);
      expect(await tokens.getByHash(bare.hash)).toEqual(bare);
      expect(await tokens.getByHash(sha256Hex('unknown'))).toBeUndefined();
      await tokens.delete(full.hash);
      await tokens.delete(full.hash);
      expect(await tokens.getByHash(full.hash)).toBeUndefined();
      expect(await tokens.getByHash(bare.hash)).toEqual(bare);
    });

    it('lists named tokens by name (never unnamed ones), finds them by name and records their last use', async () => {
      const tokens = ports.adminTokens;
      const named = {
        hash: sha256Hex('token-3'),
        name: 'ci-east',
        role: 'operator',
        clusterSets: ['stores-east'],
        createdAt: 1_800_000_000_000,
        createdBy: 'token:bootstrap',
      };
      await tokens.put({ ...named, name: 'zz-last', hash: sha256Hex('token-4') });
      await tokens.put(named);
      expect(await tokens.getByName('ci-east')).toEqual(named);
      expect(await tokens.getByName('nobody')).toBeUndefined();
      const listed = await tokens.list();
      expect(listed.map((t) => t.name).filter((n) => n === 'ci-east' || n === 'zz-last')).toEqual(['ci-east', 'zz-last']);
      expect(listed.every((t) => t.name !== undefined)).toBe(true);
      await tokens.touch(named, 1_800_000_360_000);
      expect((await tokens.getByHash(named.hash))?.lastUsedAt).toBe(1_800_000_360_000);
      expect((await tokens.getByName('ci-east'))?.lastUsedAt).toBe(1_800_000_360_000);
      // A touch of a token whose name now belongs to another leaves the other alone.
      await tokens.put({ ...named, hash: sha256Hex('token-5'), lastUsedAt: undefined });
      await tokens.touch(named, 1_800_000_720_000);
      expect((await tokens.getByName('ci-east'))?.lastUsedAt).toBeUndefined();
      await tokens.put({ ...named, revokedAt: 1_800_000_900_000 });
      expect((await tokens.getByHash(named.hash))?.revokedAt).toBe(1_800_000_900_000);
    });
  });

  describe('countOperations', () => {
    (ctx.isDynamo ? it : () => undefined)(
      'counts an idle poll as exactly one eventually consistent GetItem of half a read unit',
      async () => {
        await ports.heads.create({ cluster: 'poller', desiredRevision: 3, state: 'Joined', leaseDurationSeconds: 60, credentials: [] });
        const ops = countOperations(ctx.client);
        try {
          expect((await ports.heads.get('poller'))?.desiredRevision).toBe(3);
          expect(ops.snapshot()).toEqual({ counts: { GetItem: 1 }, capacity: { GetItem: 0.5 }, total: 1 });
          ops.reset();
          expect(ops.snapshot()).toEqual({ counts: {}, capacity: {}, total: 0 });
          await ports.heads.get('poller', { consistent: true });
          await ports.heads.bumpRevision('poller');
          expect(ops.counts).toEqual({ GetItem: 1, UpdateItem: 1 });
          expect(ops.capacity.GetItem).toBe(1);
        } finally {
          ops.detach();
        }
        await ports.heads.get('poller');
        expect(ops.snapshot().total).toBe(2);
      },
    );
  });
}
