import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { createTableIfMissing } from '../../../lambdas/adapters/dynamodb/index.js';
import { countOperations, type OperationCounter } from '../../../lambdas/adapters/dynamodb/op-counter.js';
import { composeHub, contextFromEnv, onDynamoClientCreated, SDK_LOGGER_MIDDLEWARE } from '../../../lambdas/handlers/compose.js';
import type { HubContext } from '../../../lambdas/core/context.js';
import { silentLog } from '../../../lambdas/ports/log.js';
import { startDynaliteServer, type DynamoServer } from '../../support/dynamo-servers.js';

/**
 * The DynamoDB client the composition root builds: without the SDK's logger middleware (it only
 * fed a no-op logger), and in Lambda with each command's middleware chain resolved once and
 * reused. Both are per-request CPU on the poll path; this pins that they change nothing else.
 */

const NOW = 1_800_000_000_000;
let server: DynamoServer;
let table = 0;
const built: { client: DynamoDBClient; ops: OperationCounter }[] = [];

beforeAll(async () => {
  server = await startDynaliteServer();
}, 60_000);

afterAll(async () => {
  await server?.stop();
});

afterEach(() => {
  for (const { client, ops } of built.splice(0)) {
    ops.detach();
    client.destroy();
  }
});

/** Composes a hub on dynalite and returns it with its client, counted from creation. */
async function compose(cacheSdkHandlers: boolean): Promise<{ ctx: HubContext; client: DynamoDBClient; ops: OperationCounter }> {
  const tableName = `compose-${table++}`;
  let instrumented: { client: DynamoDBClient; ops: OperationCounter } | undefined;
  const remove = onDynamoClientCreated((client) => {
    instrumented = { client, ops: countOperations(client) };
  });
  let ctx: HubContext;
  try {
    ctx = composeHub({
      tableName,
      queueUrl: 'http://127.0.0.1:9/000000000000/q',
      dynamodbEndpoint: server.endpoint,
      log: silentLog,
      cacheSdkHandlers,
    });
  } finally {
    remove();
  }
  if (!instrumented) throw new Error('composeHub did not announce its client');
  built.push(instrumented);
  await createTableIfMissing(instrumented.client, tableName);
  return { ctx, ...instrumented };
}

async function createHeads(ctx: HubContext, clusters: string[]): Promise<void> {
  for (const cluster of clusters) {
    await ctx.ports.heads.create({
      cluster,
      desiredRevision: cluster.length,
      state: 'Accepted',
      leaseDurationSeconds: 60,
      credentials: [{ hash: 'a'.repeat(64), issuedAt: NOW }],
    });
  }
}

describe('composeHub DynamoDB client', () => {
  it('drops the SDK logger middleware and keeps the rest of the stack', async () => {
    const { client } = await compose(false);
    const names = client.middlewareStack.identify().join('\n');
    expect(names).not.toContain(SDK_LOGGER_MIDDLEWARE);
    expect(names).toContain('retryMiddleware');
    expect(names).toContain('httpSigningMiddleware');
  });

  it('does not cache middleware chains unless asked (the local hub instruments clients at any time)', async () => {
    const { client } = await compose(false);
    expect(client.config.cacheMiddleware).toBeUndefined();
  });

  it.each([false, true])(
    'with cacheSdkHandlers=%s, reads answer each request with its own input and every request is counted',
    async (cache) => {
      const { ctx, client, ops } = await compose(cache);
      expect(client.config.cacheMiddleware === true).toBe(cache);
      await createHeads(ctx, ['alpha', 'bravo-two']);
      ops.reset();
      for (let i = 0; i < 3; i++) {
        expect((await ctx.ports.heads.get('alpha'))?.desiredRevision).toBe(5);
        expect((await ctx.ports.heads.get('bravo-two', { consistent: true }))?.desiredRevision).toBe(9);
        expect(await ctx.ports.heads.get('missing')).toBeUndefined();
      }
      expect(ops.snapshot().counts).toEqual({ GetItem: 9 });
      expect(ops.snapshot().capacity.GetItem).toBeGreaterThan(0);
    },
  );

  it('with cached chains, an error still reaches the caller as the SDK error', async () => {
    const { ctx } = await compose(true);
    await createHeads(ctx, ['alpha']);
    await expect(
      ctx.ports.heads.create({ cluster: 'alpha', desiredRevision: 0, state: 'Accepted', leaseDurationSeconds: 60, credentials: [] }),
    ).rejects.toMatchObject({
      name: 'AlreadyExistsError',
    });
  });

  it('with cached chains, middleware added after a command was first sent is not used for it (instrument in onDynamoClientCreated)', async () => {
    const { ctx, client } = await compose(true);
    await createHeads(ctx, ['alpha']);
    await ctx.ports.heads.get('alpha');
    const late = countOperations(client);
    try {
      await ctx.ports.heads.get('alpha');
      expect(late.snapshot().total).toBe(0);
    } finally {
      late.detach();
    }
  });
});

describe('contextFromEnv', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('builds a Lambda client that caches middleware chains and has no logger middleware', () => {
    Object.assign(process.env, {
      TETHER_TABLE: 'compose-env',
      TETHER_QUEUE_URL: 'http://127.0.0.1:9/000000000000/q',
      TETHER_DYNAMODB_ENDPOINT: server.endpoint,
    });
    let client: DynamoDBClient | undefined;
    const remove = onDynamoClientCreated((c) => {
      client = c;
    });
    try {
      contextFromEnv(silentLog);
    } finally {
      remove();
    }
    try {
      expect(client?.config.cacheMiddleware).toBe(true);
      expect(client?.middlewareStack.identify().join('\n')).not.toContain(SDK_LOGGER_MIDDLEWARE);
    } finally {
      client?.destroy();
    }
  });

  it('reads the seconds settings, and refuses a value that is not a whole number of seconds, naming the variable', () => {
    Object.assign(process.env, {
      TETHER_TABLE: 'compose-env',
      TETHER_QUEUE_URL: 'http://127.0.0.1:9/000000000000/q',
      TETHER_DYNAMODB_ENDPOINT: server.endpoint,
      TETHER_POLL_INTERVAL_SECONDS: '45',
      TETHER_CREDENTIAL_OVERLAP_SECONDS: '0',
      TETHER_UPGRADE_DEADLINE_SECONDS: '',
      TETHER_HEARTBEAT_FLUSH_SECONDS: '30',
      TETHER_COMPLIANCE_RETENTION_DAYS: '365',
    });
    const ctx = contextFromEnv(silentLog);
    expect(ctx.config).toMatchObject({
      pollIntervalSeconds: 45,
      credentialOverlapSeconds: 0,
      upgradeDeadlineSeconds: 600,
      complianceRetentionDays: 365,
    });
    // The heartbeat log flushes every 30 s, and the sweep allows for it.
    expect(ctx.ports.heartbeats.lagMs).toBe(30_000);
    delete process.env.TETHER_HEARTBEAT_FLUSH_SECONDS;
    expect(contextFromEnv(silentLog).ports.heartbeats.lagMs).toBe(10_000);
    for (const [name, value] of [
      ['TETHER_POLL_INTERVAL_SECONDS', '30s'],
      ['TETHER_BOOTSTRAP_TTL_SECONDS', '0'],
      ['TETHER_CREDENTIAL_MAX_AGE_SECONDS', '1.5'],
      ['TETHER_CREDENTIAL_OVERLAP_SECONDS', '-1'],
      ['TETHER_HEARTBEAT_FLUSH_SECONDS', '61'],
    ]) {
      process.env = { ...saved, TETHER_TABLE: 'compose-env', TETHER_QUEUE_URL: 'http://127.0.0.1:9/000000000000/q', [name]: value };
      expect(() => contextFromEnv(silentLog)).toThrow(`environment variable ${name} must be a whole number of seconds`);
    }
    process.env = { ...saved, TETHER_TABLE: 'compose-env', TETHER_QUEUE_URL: 'http://127.0.0.1:9/000000000000/q' };
    expect(contextFromEnv(silentLog).config.complianceRetentionDays).toBe(730);
    process.env.TETHER_COMPLIANCE_RETENTION_DAYS = '2y';
    expect(() => contextFromEnv(silentLog)).toThrow('environment variable TETHER_COMPLIANCE_RETENTION_DAYS must be a whole number of days');
  });
});
