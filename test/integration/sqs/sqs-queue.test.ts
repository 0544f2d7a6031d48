// SqsQueue (the Queue port on SQS) and ensureQueues, against the embedded emulator.
import { createServer } from 'node:net';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient, type SendMessageBatchCommandInput } from '@aws-sdk/client-sqs';
import { PayloadTooLargeError, ValidationError } from '../../../shared/errors.js';
import { createSqsClient } from '../../../lambdas/adapters/sqs/client.js';
import { decodeStepBody } from '../../../lambdas/adapters/sqs/envelope.js';
import { QueueSendError } from '../../../lambdas/adapters/sqs/errors.js';
import { ensureQueues } from '../../../lambdas/adapters/sqs/queues.js';
import { MAX_BATCH_BYTES, SqsQueue } from '../../../lambdas/adapters/sqs/sqs-queue.js';
import type { StepMessage } from '../../../lambdas/ports/queue.js';
import { queueCounts, receiveMessages, startSqsTestServer, type SqsTestServer } from '../../support/sqs-server.js';

let sqs: SqsTestServer;
beforeAll(async () => {
  sqs = await startSqsTestServer();
});
afterAll(async () => {
  await sqs.close();
});

/** Records every SendMessageBatch request's entry count as it leaves the client. */
function recordBatches(client: SQSClient): number[] {
  const sizes: number[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'SendMessageBatchCommand') {
        sizes.push((args.input as { Entries: unknown[] }).Entries.length);
      }
      return next(args);
    },
    { step: 'initialize', name: 'recordBatches' },
  );
  return sizes;
}

/** A loopback port that nothing listens on (it was free a moment ago). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('SqsQueue', () => {
  it('sends 25 steps in batches of 10 and every body arrives intact', async () => {
    const { queueUrl } = await sqs.queues();
    const client = createSqsClient({ endpoint: sqs.endpoint });
    const batches = recordBatches(client);
    const steps: StepMessage[] = Array.from({ length: 25 }, (_, i) => ({
      type: 'test.step',
      payload: { n: i, name: `cluster-${i}`, nested: { ok: true } },
    }));
    try {
      await new SqsQueue(client, queueUrl).send(steps);
    } finally {
      client.destroy();
    }
    expect(batches.sort((a, b) => b - a)).toEqual([10, 10, 5]);
    const received = await receiveMessages(sqs.client, queueUrl, 25);
    expect(received).toHaveLength(25);
    const decoded = received.map((m) => decodeStepBody(m.Body ?? ''));
    decoded.sort((a, b) => Number(a.payload.n) - Number(b.payload.n));
    expect(decoded).toEqual(steps.map(({ type, payload }) => ({ type, payload })));
  });

  it('keeps every batch within 256 KiB', async () => {
    const { queueUrl } = await sqs.queues();
    const client = createSqsClient({ endpoint: sqs.endpoint });
    const batches = recordBatches(client);
    // Three ~100 KiB steps: two fit in one batch, the third needs another.
    const steps = Array.from({ length: 3 }, (_, i) => ({ type: 'big', payload: { i, blob: 'x'.repeat(100 * 1024) } }));
    try {
      await new SqsQueue(client, queueUrl).send(steps);
    } finally {
      client.destroy();
    }
    expect(batches.sort()).toEqual([1, 2]);
    expect((await receiveMessages(sqs.client, queueUrl, 3)).length).toBe(3);
  });

  it('refuses a step larger than 256 KiB before sending anything', async () => {
    const { queueUrl } = await sqs.queues();
    const steps = [
      { type: 'small', payload: {} },
      { type: 'huge', payload: { blob: 'x'.repeat(MAX_BATCH_BYTES) } },
    ];
    const error = await new SqsQueue(sqs.client, queueUrl).send(steps).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect((error as PayloadTooLargeError).limitBytes).toBe(MAX_BATCH_BYTES);
    expect(await queueCounts(sqs.client, queueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('refuses an invalid delay and honours a valid one', async () => {
    const { queueUrl } = await sqs.queues();
    const queue = new SqsQueue(sqs.client, queueUrl);
    await expect(queue.send([{ type: 'late', payload: {}, delaySeconds: 901 }])).rejects.toBeInstanceOf(ValidationError);
    await queue.send([
      { type: 'late', payload: {}, delaySeconds: 60 },
      { type: 'now', payload: {} },
    ]);
    expect(await queueCounts(sqs.client, queueUrl)).toEqual({ visible: 1, inFlight: 0, delayed: 1 });
  });

  it('sends payloads with characters SQS or the emulator reject (U+FFFF, emoji) and restores them', async () => {
    const { queueUrl } = await sqs.queues();
    const payload = { text: 'a\uFFFFb\uFFFEc', control: '\u0001', emoji: '🚀' };
    await new SqsQueue(sqs.client, queueUrl).send([{ type: 'odd', payload }]);
    const [message] = await receiveMessages(sqs.client, queueUrl, 1);
    expect(decodeStepBody(message.Body ?? '')).toEqual({ type: 'odd', payload });
  });

  it('retries entries SQS failed on its side, then succeeds', async () => {
    const { queueUrl } = await sqs.queues();
    const client = createSqsClient({ endpoint: sqs.endpoint });
    const batches = recordBatches(client);
    // Fault injection: the first request loses entry "3" on the way and reports it as SQS's own
    // failure, which is what SQS does on an internal error.
    let injected = false;
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName !== 'SendMessageBatchCommand' || injected) return next(args);
        injected = true;
        const input = args.input as SendMessageBatchCommandInput;
        const result = await next({ ...args, input: { ...input, Entries: (input.Entries ?? []).filter((e) => e.Id !== '3') } });
        const output = result.output as { Failed?: object[] };
        output.Failed = [{ Id: '3', SenderFault: false, Code: 'InternalError', Message: 'injected' }];
        return result;
      },
      { step: 'initialize', name: 'injectFailure', priority: 'low' },
    );
    const steps = Array.from({ length: 5 }, (_, i) => ({ type: 'retry', payload: { i } }));
    try {
      await new SqsQueue(client, queueUrl, { baseDelayMs: 1 }).send(steps);
    } finally {
      client.destroy();
    }
    expect(batches).toEqual([5, 1]);
    const received = await receiveMessages(sqs.client, queueUrl, 5);
    expect(received.map((m) => decodeStepBody(m.Body ?? '').payload.i).sort()).toEqual([0, 1, 2, 3, 4]);
  });

  it('reports entries SQS rejects as the sender’s fault, without retrying, and sends the rest', async () => {
    const name = `small-${Date.now()}`;
    const { QueueUrl = '' } = await sqs.client.send(
      new CreateQueueCommand({ QueueName: name, Attributes: { MaximumMessageSize: '1024' } }),
    );
    const client = createSqsClient({ endpoint: sqs.endpoint });
    const batches = recordBatches(client);
    const steps = [
      { type: 'fits', payload: { i: 0 } },
      { type: 'too-big-for-this-queue', payload: { blob: 'x'.repeat(2_000) } },
      { type: 'fits', payload: { i: 2 } },
    ];
    const error = await new SqsQueue(client, QueueUrl, { baseDelayMs: 1 })
      .send(steps)
      .catch((e: unknown) => e)
      .finally(() => client.destroy());
    expect(error).toBeInstanceOf(QueueSendError);
    const sendError = error as QueueSendError;
    expect(sendError.total).toBe(3);
    expect(sendError.failed).toEqual([expect.objectContaining({ index: 1, type: 'too-big-for-this-queue', senderFault: true })]);
    expect(sendError.message).toContain('1 of 3 step messages were not sent');
    expect(batches).toEqual([3]);
    expect((await receiveMessages(sqs.client, QueueUrl, 2)).length).toBe(2);
  });

  it('throws QueueSendError with the cause when the endpoint is unreachable', async () => {
    const port = await freePort();
    const client = new SQSClient({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      maxAttempts: 1,
    });
    const error = await new SqsQueue(client, `http://127.0.0.1:${port}/000000000000/none`)
      .send([{ type: 'lost', payload: {} }])
      .catch((e: unknown) => e)
      .finally(() => client.destroy());
    expect(error).toBeInstanceOf(QueueSendError);
    expect((error as QueueSendError).failed).toEqual([expect.objectContaining({ index: 0, type: 'lost' })]);
    expect((error as QueueSendError).cause).toBeInstanceOf(Error);
  });

  it('does nothing for an empty list', async () => {
    const client = createSqsClient({ endpoint: sqs.endpoint });
    const batches = recordBatches(client);
    await new SqsQueue(client, 'http://127.0.0.1:9/000000000000/unused').send([]);
    client.destroy();
    expect(batches).toEqual([]);
  });
});

describe('ensureQueues', () => {
  it('creates the work queue with a redrive policy to its DLQ, and is idempotent', async () => {
    const first = await ensureQueues(sqs.client, { name: 'work-idem' });
    expect(first.dlqUrl).toMatch(/\/work-idem-dlq$/);
    expect(first.queueArn).toBe('arn:aws:sqs:us-east-1:000000000000:work-idem');
    const { Attributes = {} } = await sqs.client.send(new GetQueueAttributesCommand({ QueueUrl: first.queueUrl, AttributeNames: ['All'] }));
    expect(JSON.parse(Attributes.RedrivePolicy ?? '{}')).toEqual({
      deadLetterTargetArn: first.dlqArn,
      maxReceiveCount: 5,
    });
    expect(Attributes.VisibilityTimeout).toBe('60');
    expect(await ensureQueues(sqs.client, { name: 'work-idem' })).toEqual(first);
  });

  it('updates an existing queue whose settings differ', async () => {
    await ensureQueues(sqs.client, { name: 'work-change' });
    const changed = await ensureQueues(sqs.client, { name: 'work-change', visibilityTimeoutSeconds: 5, maxReceiveCount: 3 });
    const { Attributes = {} } = await sqs.client.send(
      new GetQueueAttributesCommand({ QueueUrl: changed.queueUrl, AttributeNames: ['All'] }),
    );
    expect(Attributes.VisibilityTimeout).toBe('5');
    expect(JSON.parse(Attributes.RedrivePolicy ?? '{}').maxReceiveCount).toBe(3);
  });
});
