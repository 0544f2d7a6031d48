// The embedded SQS emulator: loopback only, and faithful on every SQS behaviour the hub relies on.
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import { createSqsClient } from '../../../lambdas/adapters/sqs/client.js';
import { ensureQueues } from '../../../lambdas/adapters/sqs/queues.js';
import { startSqsEmulator } from '../../../lambdas/local/sqs-embedded.js';
import { listeningAddresses, tryConnect } from '../../support/loopback.js';
import { queueCounts, receiveMessages, startSqsTestServer, type SqsTestServer } from '../../support/sqs-server.js';

let sqs: SqsTestServer;
beforeAll(async () => {
  sqs = await startSqsTestServer();
});
afterAll(async () => {
  await sqs.close();
});

describe('embedded SQS emulator', () => {
  it('listens on 127.0.0.1 only', async () => {
    const port = Number(new URL(sqs.endpoint).port);
    expect(new URL(sqs.endpoint).hostname).toBe('127.0.0.1');
    // The kernel's own table: one listening socket, bound to 127.0.0.1 (0100007F), no IPv6 or wildcard.
    expect(listeningAddresses(port)).toEqual(['0100007F']);
    expect(await tryConnect('127.0.0.1', port)).toBe('connected');
    // Another loopback address would reach a wildcard (0.0.0.0) listener; ours refuses it.
    expect(await tryConnect('127.0.0.2', port)).toBe('ECONNREFUSED');
  });

  it('serves batches, visibility timeouts, deletes and exact counts', async () => {
    const { queueUrl } = await sqs.queues();
    const sent = await sqs.client.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, MessageBody: `body-${i}` })),
      }),
    );
    expect(sent.Successful).toHaveLength(10);

    const received = await receiveMessages(sqs.client, queueUrl, 10, 5_000, 60);
    expect(received.map((m) => m.Body).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `body-${i}`).sort());
    // In-flight messages are not counted as visible (local-aws-sqs gets this wrong).
    expect(await queueCounts(sqs.client, queueUrl)).toEqual({ visible: 0, inFlight: 10, delayed: 0 });

    // Making one visible again: it is redelivered with a higher receive count.
    await sqs.client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl,
        ReceiptHandle: received[0].ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const again = await receiveMessages(sqs.client, queueUrl, 1, 5_000, 60);
    expect(again.map((m) => m.MessageId)).toEqual([received[0].MessageId]);
    expect(again[0].Attributes?.ApproximateReceiveCount).toBe('2');

    const handles = [again[0], ...received.slice(1)].map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle }));
    const deleted = await sqs.client.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: handles }));
    expect(deleted.Successful).toHaveLength(10);
    expect(await queueCounts(sqs.client, queueUrl)).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
  });

  it('redelivers after the visibility timeout expires', async () => {
    const { queueUrl } = await sqs.queues();
    await sqs.client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: [{ Id: 'a', MessageBody: 'again' }] }));
    const [first] = await receiveMessages(sqs.client, queueUrl, 1, 5_000, 1);
    const startedAt = Date.now();
    const [second] = await receiveMessages(sqs.client, queueUrl, 1, 5_000, 60);
    expect(second.MessageId).toBe(first.MessageId);
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(800);
    expect(second.Attributes?.ApproximateReceiveCount).toBe('2');
  });

  it('blocks a long poll until a message arrives, then answers at once', async () => {
    const { queueUrl } = await sqs.queues();
    const startedAt = Date.now();
    const poll = sqs.client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 10, MaxNumberOfMessages: 10 }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await sqs.client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: [{ Id: 'late', MessageBody: 'late' }] }));
    const { Messages = [] } = await poll;
    const elapsed = Date.now() - startedAt;
    expect(Messages.map((m) => m.Body)).toEqual(['late']);
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(3_000);
  });

  it('moves a message to the DLQ after maxReceiveCount receives', async () => {
    const { queueUrl, dlqUrl, dlqArn } = await sqs.queues({ maxReceiveCount: 2 });
    const { Attributes = {} } = await sqs.client.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['RedrivePolicy'] }),
    );
    expect(JSON.parse(Attributes.RedrivePolicy ?? '{}')).toEqual({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 });

    await sqs.client.send(new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: [{ Id: 'p', MessageBody: 'poison' }] }));
    for (let receive = 1; receive <= 2; receive++) {
      const [message] = await receiveMessages(sqs.client, queueUrl, 1, 5_000, 60);
      expect(message.Attributes?.ApproximateReceiveCount).toBe(String(receive));
      await sqs.client.send(
        new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: message.ReceiptHandle, VisibilityTimeout: 0 }),
      );
    }
    // The third receive exceeds maxReceiveCount: SQS moves the message instead of delivering it.
    expect(await receiveMessages(sqs.client, queueUrl, 1, 1_000, 60)).toEqual([]);
    const dead = await receiveMessages(sqs.client, dlqUrl, 1, 5_000, 60);
    expect(dead.map((m) => m.Body)).toEqual(['poison']);
  });

  it('ends a pending long poll and closes promptly', async () => {
    const emulator = await startSqsEmulator();
    const client = createSqsClient({ endpoint: emulator.endpoint });
    try {
      const { queueUrl } = await ensureQueues(client, { name: 'closing' });
      const poll = client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 20 })).then(
        () => 'answered',
        () => 'failed',
      );
      await new Promise((resolve) => setTimeout(resolve, 100));
      const startedAt = Date.now();
      await emulator.close();
      expect(Date.now() - startedAt).toBeLessThan(1_000);
      // The socket was closed under the pending poll; either way it did not wait 20 s.
      expect(['answered', 'failed']).toContain(await poll);
      expect(await tryConnect('127.0.0.1', Number(new URL(emulator.endpoint).port))).toBe('ECONNREFUSED');
    } finally {
      client.destroy();
      await emulator.close();
    }
  });
});
