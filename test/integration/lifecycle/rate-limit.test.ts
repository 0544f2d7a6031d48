import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { countOperations, type OperationCounter } from '../../../lambdas/adapters/dynamodb/op-counter.js';
import { onDynamoClientCreated } from '../../../lambdas/handlers/compose.js';
import { joinedCluster, startTestHub, type TestHub } from './support.js';

/**
 * Per-credential rate limits of the agent API against a real local hub: a flooding credential is
 * answered 429 with Retry-After and costs no DynamoDB request; another cluster is not affected.
 */

let t: TestHub;
let ops: OperationCounter;
let flood = '';
let good = '';
// A slow refill (one request every 1,000 s), so that wall time passing on a busy machine does not
// refill the bucket during the test; the test clock moves it on when the test says so.
const LIMIT = { requestsPerSecond: 0.001, burst: 5, maxCredentials: 100 };

beforeAll(async () => {
  const clients: Parameters<typeof countOperations>[0][] = [];
  const unhook = onDynamoClientCreated((c) => clients.push(c));
  try {
    t = await startTestHub({ agentRateLimit: LIMIT });
  } finally {
    unhook();
  }
  ops = countOperations(clients[0]);
  flood = await joinedCluster(t, 'rl-flood');
  good = await joinedCluster(t, 'rl-good');
  await t.hub.settle();
}, 60_000);

afterAll(async () => {
  await t?.close();
}, 30_000);

describe('agent rate limit', () => {
  it('refuses a credential over its burst with 429, Retry-After and a problem, without touching DynamoDB', async () => {
    const answers = [];
    for (let i = 0; i < 40; i++) answers.push(await t.agent('GET', '/agent/v1/desired', { token: flood }));
    expect(answers.map((a) => a.status)).toEqual([...Array(LIMIT.burst).fill(200), ...Array(40 - LIMIT.burst).fill(429)]);
    const refused = answers.filter((a) => a.status === 429);
    const r = refused[0];
    expect(r.headers.get('content-type')).toBe('application/problem+json');
    expect(Number(r.headers.get('retry-after'))).toBe(1000);
    expect(r.body).toMatchObject({ status: 429, type: expect.stringContaining('throttled') });
    expect(r.body.detail).toMatch(/retry after \d+ s/);

    ops.reset();
    for (let i = 0; i < 20; i++) expect((await t.agent('GET', '/agent/v1/desired', { token: flood })).status).toBe(429);
    expect(ops.snapshot().counts).toEqual({});
  });

  it('leaves another cluster alone while one floods', async () => {
    for (let i = 0; i < 10; i++) await t.agent('GET', '/agent/v1/desired', { token: flood });
    expect((await t.agent('GET', '/agent/v1/desired', { token: good })).status).toBe(200);
  });

  it('lets the flooding credential in again once it slows down', async () => {
    t.clock.advance(LIMIT.burst / LIMIT.requestsPerSecond);
    expect((await t.agent('GET', '/agent/v1/desired', { token: flood })).status).toBe(200);
  });

  it('does not limit the health check', async () => {
    for (let i = 0; i < 20; i++) expect((await t.agent('GET', '/agent/healthz')).status).toBe(200);
  });
});
