import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTableIfMissing } from '../../../lambdas/adapters/dynamodb/index.js';
import { DynaliteError, startDynalite, type EmbeddedDynamo } from '../../../lambdas/local/dynamo-embedded.js';
import { createTestDynamoClient } from '../../support/dynamo-servers.js';
import { startTestHub } from '../../support/local-hub.js';
import { listeningAddresses, tryConnect } from '../../support/loopback.js';

async function tableNames(db: EmbeddedDynamo): Promise<string[] | undefined> {
  const client = createTestDynamoClient(db.endpoint);
  try {
    return (await client.send(new ListTablesCommand({}))).TableNames;
  } finally {
    client.destroy();
  }
}

describe('startDynalite on a worker thread (the default)', () => {
  const dirs: string[] = [];
  const running: EmbeddedDynamo[] = [];
  const dataPath = () => {
    const dir = mkdtempSync(join(tmpdir(), 'tether-dynalite-thread-'));
    dirs.push(dir);
    return join(dir, 'dynamodb');
  };
  afterEach(async () => {
    for (const db of running.splice(0)) await db.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('serves DynamoDB requests from a thread whose busy time it reports', async () => {
    const db = await startDynalite({ path: dataPath() });
    running.push(db);
    expect(db.mode).toBe('thread');
    const client = createTestDynamoClient(db.endpoint);
    try {
      await createTableIfMissing(client, 'tether');
    } finally {
      client.destroy();
    }
    expect(await tableNames(db)).toEqual(['tether']);
    const elu = db.eventLoopUtilization?.();
    expect(elu?.active).toBeGreaterThan(0);
  });

  it('listens on 127.0.0.1 only', async () => {
    const db = await startDynalite();
    running.push(db);
    const url = new URL(db.endpoint);
    expect(url.hostname).toBe('127.0.0.1');
    const port = Number(url.port);
    // The kernel's own table: one listening socket, bound to 127.0.0.1 (0100007F), no IPv6 or wildcard.
    expect(listeningAddresses(port)).toEqual(['0100007F']);
    expect(await tryConnect('127.0.0.1', port)).toBe('connected');
    // Linux routes all of 127/8 to the loopback interface: a server bound to every address
    // (0.0.0.0) would accept on 127.0.0.2 too; one bound to 127.0.0.1 refuses.
    expect(await tryConnect('127.0.0.2', port)).toBe('ECONNREFUSED');
  });

  it('stops listening and releases the data directory on close, so it can be reopened', async () => {
    const path = dataPath();
    const first = await startDynalite({ path });
    const client = createTestDynamoClient(first.endpoint);
    await createTableIfMissing(client, 'tether');
    client.destroy();
    await Promise.all([first.close(), first.close()]);
    expect(await tryConnect('127.0.0.1', Number(new URL(first.endpoint).port))).toBe('ECONNREFUSED');

    const second = await startDynalite({ path });
    running.push(second);
    expect(await tableNames(second)).toEqual(['tether']);
  });

  it('fails to start with a clear error when another instance holds the data directory', async () => {
    const path = dataPath();
    const first = await startDynalite({ path });
    running.push(first);
    const second = startDynalite({ path });
    await expect(second).rejects.toBeInstanceOf(DynaliteError);
    await expect(second).rejects.toThrow(/cannot start the embedded DynamoDB.*is another tether dev using it\?.*lock/i);
    // The first one is unharmed.
    expect(await tableNames(first)).toEqual([]);
  });

  it('can still run inline on the caller’s event loop', async () => {
    const db = await startDynalite({ mode: 'inline' });
    running.push(db);
    expect(db.mode).toBe('inline');
    expect(db.eventLoopUtilization).toBeUndefined();
    expect(await tableNames(db)).toEqual([]);
  });
});

describe('the local hub', () => {
  it('serves from its dynalite thread and reports the endpoint', async () => {
    const hub = await startTestHub();
    try {
      expect(hub.endpoints.dynamodb).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const client = createTestDynamoClient(hub.endpoints.dynamodb!);
      try {
        expect((await client.send(new ListTablesCommand({}))).TableNames).toEqual(['tether']);
      } finally {
        client.destroy();
      }
      expect((await hub.api('/v1/clusters')).status).toBe(200);
    } finally {
      await hub.stop();
    }
    expect(await tryConnect('127.0.0.1', Number(new URL(hub.endpoints.dynamodb!).port))).toBe('ECONNREFUSED');
  });

  it('does not start when its data directory is in use by another hub', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tether-dynalite-hub-'));
    const first = await startTestHub({ dataDir });
    try {
      await expect(startTestHub({ dataDir })).rejects.toThrow(/is another tether dev using it\?/);
      expect((await first.api('/v1/clusters')).status).toBe(200);
    } finally {
      await first.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
