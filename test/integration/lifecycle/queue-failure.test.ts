import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { PROBLEM_BASE } from '../../../shared/api.js';
import { QueueSendError } from '../../../lambdas/adapters/sqs/errors.js';
import { GENERIC_DETAIL } from '../../../lambdas/http/problem.js';
import type { Queue, StepMessage } from '../../../lambdas/ports/queue.js';
import { joinedCluster, startTestHub, type TestHub } from './support.js';

/**
 * Regression: SQS being unreachable used to reach callers as a 400 "Bad request" carrying SQS's
 * internals. Through a real local hub whose queue port fails the way the SQS adapter does, the
 * poll path and an admin route now answer a 503 problem with a generic detail.
 */

let t: TestHub;
let realQueue: Queue;
const INTERNALS = 'connect ECONNREFUSED sqs.eu-west-1.internal.example:443';

/** A queue that fails every send as the SQS adapter does when SQS cannot be reached. */
const unreachableQueue: Queue = {
  send: async (messages: StepMessage[]) => {
    const cause = new Error(INTERNALS);
    throw new QueueSendError(
      messages.map((m, index) => ({ type: m.type, index, code: 'TimeoutError', message: INTERNALS, senderFault: false })),
      messages.length,
      { cause },
    );
  },
};

function expectGeneric503(res: { status: number; headers: Headers; body: any; text: string }, instance: string) {
  expect(res.status).toBe(503);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(res.body).toEqual({
    type: PROBLEM_BASE + 'queue-send-failed',
    title: 'Queue unavailable',
    status: 503,
    detail: GENERIC_DETAIL,
    instance,
  });
  expect(res.text).not.toMatch(/ECONNREFUSED|internal\.example|TimeoutError/);
}

beforeAll(async () => {
  t = await startTestHub({ pollIntervalSeconds: 20, agentVersion: '0.1.0' });
  realQueue = t.hub.ctx.ports.queue;
}, 60_000);

afterEach(() => {
  t.hub.ctx.ports.queue = realQueue;
});

afterAll(async () => {
  await t?.close();
}, 30_000);

describe('the queue cannot be reached', () => {
  it('the poll that takes a lease answers 503 with a generic detail, and succeeds once the queue is back', async () => {
    const credential = await joinedCluster(t, 'queue-down-1');
    t.hub.ctx.ports.queue = unreachableQueue;
    expectGeneric503(await t.agent('GET', '/agent/v1/desired', { token: credential }), '/agent/v1/desired');

    t.hub.ctx.ports.queue = realQueue;
    const retried = await t.agent('GET', '/agent/v1/desired', { token: credential });
    expect(retried.status).toBe(200);
  });

  it('an admin write that queues a step answers 503 with a generic detail', async () => {
    t.hub.ctx.ports.queue = unreachableQueue;
    const res = await t.admin('POST', '/v1/clustersets', {
      apiVersion: 'tether.dev/v1alpha1',
      kind: 'ClusterSet',
      metadata: { name: 'queue-down-set' },
    });
    expectGeneric503(res, '/v1/clustersets');
  });
});
