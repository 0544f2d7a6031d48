import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDynamoPorts, createTableIfMissing } from '../../../lambdas/adapters/dynamodb/index.js';
import { startDynalite } from '../../../lambdas/local/dynamo-embedded.js';
import { createTestDynamoClient } from '../../support/dynamo-servers.js';
import { resource } from './harness.js';

describe('startDynalite', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 at a free port', async () => {
    const db = await startDynalite();
    try {
      expect(db.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(Number(new URL(db.endpoint).port)).toBeGreaterThan(0);
      const status = await new Promise<number | undefined>((resolve, reject) => {
        get(db.endpoint, (res) => {
          res.resume();
          resolve(res.statusCode);
        }).on('error', reject);
      });
      expect(status).toBe(200);
    } finally {
      await db.close();
    }
  });

  it('persists to a path and can be reopened in the same process after close', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'tether-dynalite-')), 'data');
    dirs.push(path);
    const first = await startDynalite({ path });
    const client1 = createTestDynamoClient(first.endpoint);
    await createTableIfMissing(client1, 'tether');
    const created = await createDynamoPorts(client1, 'tether').resources.create(resource('Cluster', 'kept'));
    client1.destroy();
    await first.close();
    await first.close();

    const second = await startDynalite({ path });
    const client2 = createTestDynamoClient(second.endpoint);
    try {
      expect((await client2.send(new ListTablesCommand({}))).TableNames).toEqual(['tether']);
      await createTableIfMissing(client2, 'tether');
      expect(await createDynamoPorts(client2, 'tether').resources.get({ kind: 'Cluster', name: 'kept' }, { consistent: true })).toEqual(
        created,
      );
    } finally {
      client2.destroy();
      await second.close();
    }
  });

  it('keeps nothing between in-memory instances', async () => {
    const a = await startDynalite();
    const clientA = createTestDynamoClient(a.endpoint);
    await createTableIfMissing(clientA, 'tether');
    clientA.destroy();
    await a.close();
    const b = await startDynalite();
    const clientB = createTestDynamoClient(b.endpoint);
    try {
      expect((await clientB.send(new ListTablesCommand({}))).TableNames).toEqual([]);
    } finally {
      clientB.destroy();
      await b.close();
    }
  });
});
