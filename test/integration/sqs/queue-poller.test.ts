// The local queue poller: Lambda's SQS event source mapping with ReportBatchItemFailures,
// against the embedded emulator.
import { createHash } from 'node:crypto';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { ValidationError } from '../../../shared/errors.js';
import { createSqsClient } from '../../../lambdas/adapters/sqs/client.js';
import { decodeStepBody } from '../../../lambdas/adapters/sqs/envelope.js';
import { SqsQueue } from '../../../lambdas/adapters/sqs/sqs-queue.js';
import {
  DrainTimeoutError,
  PollerStoppedError,
  startQueuePoller,
  type PollerPhase,
  type QueuePoller,
  type QueuePollerOptions,
} from '../../../lambdas/local/queue-poller.js';
import { queueCounts, receiveMessages, startSqsTestServer, waitFor, type SqsTestServer } from '../../support/sqs-server.js';

let sqs: SqsTestServer;
const pollers: QueuePoller[] = [];
beforeAll(async () => {
  sqs = await startSqsTestServer();
});
afterEach(async () => {
  await Promise.all(pollers.splice(0).map((p) => p.stop()));
});
afterAll(async () => {
  await sqs.close();
});

interface Delivery {
  record: SQSRecord;
  at: number;
}

/** Starts a poller that records every delivery and lets `decide` answer for each batch. */
function pollWith(
  queueUrl: string,
  decide: (event: SQSEvent) => Promise<SQSBatchResponse | void> = async () => undefined,
  options: Partial<QueuePollerOptions> = {},
) {
  const deliveries: Delivery[] = [];
  const batches: SQSEvent[] = [];
  const contexts: Context[] = [];
  const errors: { error: unknown; phase: PollerPhase }[] = [];
  const poller = startQueuePoller({
    client: sqs.client,
    queueUrl,
    visibilityTimeoutSeconds: 1,
    onError: (error, phase) => errors.push({ error, phase }),
    handler: async (event, context) => {
      batches.push(event);
      contexts.push(context);
      for (const record of event.Records) deliveries.push({ record, at: Date.now() });
      return decide(event);
    },
    ...options,
  });
  pollers.push(poller);
  const bodiesOf = (list: Delivery[]) => list.map((d) => d.record.body);
  return { poller, deliveries, batches, contexts, errors, bodiesOf };
}

async function sendBodies(queueUrl: string, bodies: string[]): Promise<void> {
  for (let i = 0; i < bodies.length; i += 10) {
    await sqs.client.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: bodies.slice(i, i + 10).map((body, j) => ({ Id: `e${i + j}`, MessageBody: body })),
      }),
    );
  }
}

/** Counts the ReceiveMessage requests a client sends. */
function countReceives(client: SQSClient): { count: number } {
  const counter = { count: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'ReceiveMessageCommand') counter.count++;
      return next(args);
    },
    { step: 'initialize', name: 'countReceives' },
  );
  return counter;
}

describe('queue poller', () => {
  it('delivers a faithful SQSEvent and Context, then deletes the batch', async () => {
    const { queueUrl, queueArn } = await sqs.queues();
    await new SqsQueue(sqs.client, queueUrl).send([{ type: 'cluster.joined', payload: { name: 'store-1' } }]);
    await sqs.client.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          {
            Id: 'attrs',
            MessageBody: 'with attributes',
            MessageAttributes: {
              tenant: { DataType: 'String', StringValue: 'acme' },
              blob: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]) },
            },
          },
        ],
      }),
    );
    const sentAfter = Date.now() - 5_000;
    const run = pollWith(queueUrl);
    await waitFor(() => run.deliveries.length === 2, 5_000, 'two deliveries');
    await run.poller.idle();

    const records = run.deliveries.map((d) => d.record).sort((a, b) => a.body.localeCompare(b.body));
    const [step, withAttributes] = records[0].body.startsWith('{') ? records : [records[1], records[0]];
    expect(decodeStepBody(step.body)).toEqual({ type: 'cluster.joined', payload: { name: 'store-1' } });
    for (const record of records) {
      expect(record).toMatchObject({
        eventSource: 'aws:sqs',
        eventSourceARN: `arn:aws:sqs:us-east-1:000000000000:${queueArn.split(':')[5]}`,
        awsRegion: 'us-east-1',
        md5OfBody: createHash('md5').update(record.body).digest('hex'),
      });
      expect(record.messageId).toMatch(/^[0-9a-f-]{36}$/);
      expect(record.receiptHandle.length).toBeGreaterThan(0);
      expect(record.attributes.ApproximateReceiveCount).toBe('1');
      expect(record.attributes.SenderId.length).toBeGreaterThan(0);
      expect(Number(record.attributes.SentTimestamp)).toBeGreaterThan(sentAfter);
      expect(Number(record.attributes.ApproximateFirstReceiveTimestamp)).toBeGreaterThanOrEqual(Number(record.attributes.SentTimestamp));
    }
    expect(step.messageAttributes).toEqual({});
    expect(withAttributes.messageAttributes).toEqual({
      tenant: { stringValue: 'acme', stringListValues: [], binaryListValues: [], dataType: 'String' },
      blob: { binaryValue: 'AQID', stringListValues: [], binaryListValues: [], dataType: 'Binary' },
    });
    expect(withAttributes.md5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);

    const context = run.contexts[0];
    expect(context.functionName).toBe('tether-worker');
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(0);
    expect(context.getRemainingTimeInMillis()).toBeLessThanOrEqual(60_000);
    expect(await queueCounts(sqs.client, queueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('hands over batches of at most 10 and deletes every success', async () => {
    const { queueUrl } = await sqs.queues();
    const bodies = Array.from({ length: 25 }, (_, i) => `m${i}`);
    await sendBodies(queueUrl, bodies);
    const run = pollWith(queueUrl);
    await run.poller.drain(5_000);
    expect(run.bodiesOf(run.deliveries).sort()).toEqual([...bodies].sort());
    expect(run.batches.map((b) => b.Records.length)).toEqual([10, 10, 5]);
    expect(run.errors).toEqual([]);
  });

  it('redelivers a reported failure after the visibility timeout and deletes the rest', async () => {
    const { queueUrl } = await sqs.queues();
    await sendBodies(queueUrl, ['a', 'b', 'c']);
    let failedOnce = false;
    const run = pollWith(queueUrl, async (event) => {
      const b = event.Records.find((r) => r.body === 'b');
      if (b && !failedOnce) {
        failedOnce = true;
        return { batchItemFailures: [{ itemIdentifier: b.messageId }] };
      }
      return { batchItemFailures: [] };
    });
    await waitFor(() => run.deliveries.length >= 3, 5_000, 'first deliveries');
    // Idle: nothing to receive; only "b" waits out its visibility timeout.
    await run.poller.idle();
    expect(run.bodiesOf(run.deliveries).sort()).toEqual(['a', 'b', 'c']);
    expect(await queueCounts(sqs.client, queueUrl)).toEqual({ visible: 0, inFlight: 1, delayed: 0 });

    await run.poller.drain(5_000);
    const bDeliveries = run.deliveries.filter((d) => d.record.body === 'b');
    expect(bDeliveries.map((d) => d.record.attributes.ApproximateReceiveCount)).toEqual(['1', '2']);
    expect(bDeliveries[1].record.messageId).toBe(bDeliveries[0].record.messageId);
    expect(bDeliveries[1].at - bDeliveries[0].at).toBeGreaterThanOrEqual(900);
    expect(run.bodiesOf(run.deliveries).sort()).toEqual(['a', 'b', 'b', 'c']);
  });

  it('moves a message that keeps failing to the DLQ after maxReceiveCount (5) receives', async () => {
    const { queueUrl, dlqUrl } = await sqs.queues();
    await sendBodies(queueUrl, ['poison', 'fine']);
    const run = pollWith(queueUrl, async (event) => ({
      batchItemFailures: event.Records.filter((r) => r.body === 'poison').map((r) => ({ itemIdentifier: r.messageId })),
    }));
    await run.poller.drain(15_000);
    const poison = run.deliveries.filter((d) => d.record.body === 'poison');
    expect(poison.map((d) => d.record.attributes.ApproximateReceiveCount)).toEqual(['1', '2', '3', '4', '5']);
    expect(run.bodiesOf(run.deliveries).filter((b) => b === 'fine')).toHaveLength(1);
    const dead = await receiveMessages(sqs.client, dlqUrl, 1);
    expect(dead.map((m) => m.Body)).toEqual(['poison']);
  }, 20_000);

  it('redelivers the whole batch when the handler throws', async () => {
    const { queueUrl } = await sqs.queues();
    await sendBodies(queueUrl, ['x', 'y', 'z']);
    let calls = 0;
    const run = pollWith(queueUrl, async () => {
      if (++calls === 1) throw new Error('worker crashed');
    });
    await run.poller.drain(5_000);
    expect(run.batches.map((b) => b.Records.map((r) => r.body).sort())).toEqual([
      ['x', 'y', 'z'],
      ['x', 'y', 'z'],
    ]);
    expect(run.batches[1].Records.map((r) => r.attributes.ApproximateReceiveCount)).toEqual(['2', '2', '2']);
    expect(run.errors).toEqual([{ error: new Error('worker crashed'), phase: 'handler' }]);
  });

  it('treats an identifier that is not in the batch as a failure of the whole batch', async () => {
    const { queueUrl } = await sqs.queues();
    await sendBodies(queueUrl, ['p', 'q']);
    let calls = 0;
    const run = pollWith(queueUrl, async () =>
      ++calls === 1 ? { batchItemFailures: [{ itemIdentifier: 'not-in-this-batch' }] } : undefined,
    );
    await run.poller.drain(5_000);
    expect(run.bodiesOf(run.deliveries).sort()).toEqual(['p', 'p', 'q', 'q']);
  });

  it('drain waits for a chain of steps that the handler itself enqueues', async () => {
    const { queueUrl } = await sqs.queues();
    const queue = new SqsQueue(sqs.client, queueUrl);
    await queue.send([{ type: 'chain', payload: { left: 4 } }]);
    const run = pollWith(queueUrl, async (event) => {
      for (const record of event.Records) {
        const { payload } = decodeStepBody(record.body);
        const left = Number(payload.left);
        // Each step waits a little, then enqueues the next one before its own message is deleted.
        await new Promise((resolve) => setTimeout(resolve, 30));
        if (left > 0) await queue.send([{ type: 'chain', payload: { left: left - 1 } }]);
      }
    });
    await run.poller.drain(5_000);
    expect(run.deliveries.map((d) => decodeStepBody(d.record.body).payload.left)).toEqual([4, 3, 2, 1, 0]);
  });

  it('drain waits for slow batches to finish, and times out with what is left', async () => {
    const { queueUrl } = await sqs.queues();
    await sendBodies(
      queueUrl,
      Array.from({ length: 30 }, (_, i) => `slow${i}`),
    );
    const run = pollWith(queueUrl, () => new Promise((resolve) => setTimeout(resolve, 150)));
    await run.poller.drain(10_000);
    expect(run.deliveries).toHaveLength(30);
    expect(await queueCounts(sqs.client, queueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });

    const stuck = await sqs.queues();
    await sendBodies(stuck.queueUrl, ['stuck']);
    const failing = pollWith(
      stuck.queueUrl,
      async (event) => ({ batchItemFailures: event.Records.map((r) => ({ itemIdentifier: r.messageId })) }),
      { visibilityTimeoutSeconds: 60 },
    );
    await waitFor(() => failing.deliveries.length === 1, 5_000, 'the stuck delivery');
    const error = await failing.poller.drain(300).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DrainTimeoutError);
    expect((error as DrainTimeoutError).remaining).toEqual({ visible: 0, inFlight: 1, delayed: 0 });
  });

  it('stops promptly during a long poll, and idle() then rejects', async () => {
    const { queueUrl } = await sqs.queues();
    const run = pollWith(queueUrl, undefined, { waitTimeSeconds: 20 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const startedAt = Date.now();
    await run.poller.stop();
    expect(Date.now() - startedAt).toBeLessThan(500);
    await expect(run.poller.idle()).rejects.toBeInstanceOf(PollerStoppedError);
    await expect(run.poller.drain(1_000)).rejects.toBeInstanceOf(PollerStoppedError);
    expect(run.errors).toEqual([]);
  });

  it('lets a batch in progress finish and deletes it before stop() resolves', async () => {
    const { queueUrl } = await sqs.queues();
    await sendBodies(queueUrl, ['inflight']);
    let release = () => {};
    const run = pollWith(queueUrl, () => new Promise<void>((resolve) => (release = resolve)));
    await waitFor(() => run.deliveries.length === 1, 5_000, 'the delivery');
    let stopped = false;
    const stopping = run.poller.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(stopped).toBe(false);
    release();
    await stopping;
    expect(await queueCounts(sqs.client, queueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('does not spin while the queue is empty', async () => {
    const { queueUrl } = await sqs.queues();
    const longPolling = createSqsClient({ endpoint: sqs.endpoint });
    const shortPolling = createSqsClient({ endpoint: sqs.endpoint });
    const long = countReceives(longPolling);
    const short = countReceives(shortPolling);
    try {
      const a = pollWith(queueUrl, undefined, { client: longPolling, waitTimeSeconds: 20 });
      const b = pollWith(queueUrl, undefined, { client: shortPolling, waitTimeSeconds: 0 });
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await Promise.all([a.poller.stop(), b.poller.stop()]);
    } finally {
      longPolling.destroy();
      shortPolling.destroy();
    }
    // One long poll for the whole second; without long polling, at most one receive per 200 ms.
    expect(long.count).toBe(1);
    expect(short.count).toBeGreaterThanOrEqual(2);
    expect(short.count).toBeLessThanOrEqual(6);
  });

  it('runs `concurrency` batches at once', async () => {
    const { queueUrl } = await sqs.queues();
    await sendBodies(
      queueUrl,
      Array.from({ length: 40 }, (_, i) => `c${i}`),
    );
    let running = 0;
    let most = 0;
    const run = pollWith(
      queueUrl,
      async () => {
        most = Math.max(most, ++running);
        await new Promise((resolve) => setTimeout(resolve, 100));
        running--;
      },
      { concurrency: 3 },
    );
    await run.poller.drain(10_000);
    expect(run.deliveries).toHaveLength(40);
    expect(most).toBe(3);
  });

  it('refuses invalid options before polling', () => {
    for (const bad of [{ batchSize: 11 }, { waitTimeSeconds: 21 }, { concurrency: 0 }, { visibilityTimeoutSeconds: -1 }]) {
      expect(() => startQueuePoller({ client: sqs.client, queueUrl: 'unused', handler: async () => undefined, ...bad })).toThrow(
        ValidationError,
      );
    }
  });
});
