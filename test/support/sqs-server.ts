/**
 * Test helper: the embedded SQS emulator on a free loopback port, a client for it, and small
 * helpers to make queues and read them back.
 */
import { randomUUID } from 'node:crypto';
import { GetQueueAttributesCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { createSqsClient } from '../../lambdas/adapters/sqs/client.js';
import { ensureQueues, type EnsuredQueues, type EnsureQueuesOptions } from '../../lambdas/adapters/sqs/queues.js';
import { startSqsEmulator } from '../../lambdas/local/sqs-embedded.js';

/** A running emulator and a client pointed at it. */
export interface SqsTestServer {
  endpoint: string;
  client: SQSClient;
  /** Creates a fresh work queue and DLQ with a unique name. */
  queues(options?: Partial<EnsureQueuesOptions>): Promise<EnsuredQueues>;
  /** Destroys the client and stops the emulator. */
  close(): Promise<void>;
}

/** Starts the embedded emulator for one test file; call close() in afterAll. */
export async function startSqsTestServer(): Promise<SqsTestServer> {
  const emulator = await startSqsEmulator();
  const client = createSqsClient({ endpoint: emulator.endpoint });
  return {
    endpoint: emulator.endpoint,
    client,
    queues: (options = {}) => ensureQueues(client, { name: `t-${randomUUID().slice(0, 8)}`, ...options }),
    async close() {
      client.destroy();
      await emulator.close();
    },
  };
}

/** Visible, in-flight and delayed message counts of a queue. */
export async function queueCounts(client: SQSClient, queueUrl: string): Promise<{ visible: number; inFlight: number; delayed: number }> {
  const { Attributes = {} } = await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }));
  return {
    visible: Number(Attributes.ApproximateNumberOfMessages),
    inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible),
    delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed),
  };
}

/**
 * Receives until `count` messages arrived (without deleting them) or `timeoutMs` passed, then
 * returns what arrived. Each message stays invisible for `visibilityTimeoutSeconds`.
 */
export async function receiveMessages(
  client: SQSClient,
  queueUrl: string,
  count: number,
  timeoutMs = 5_000,
  visibilityTimeoutSeconds = 60,
): Promise<Message[]> {
  const received: Message[] = [];
  const deadline = Date.now() + timeoutMs;
  while (received.length < count && Date.now() < deadline) {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: Math.min(1, Math.max(0, Math.floor((deadline - Date.now()) / 1000))),
        VisibilityTimeout: visibilityTimeoutSeconds,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    received.push(...Messages);
  }
  return received;
}

/** Resolves when `predicate` holds, polling every 10 ms; rejects after `timeoutMs`. */
export async function waitFor(predicate: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
