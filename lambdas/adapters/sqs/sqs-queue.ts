/**
 * The Queue port on Amazon SQS (or any SQS-compatible endpoint): step messages go out with
 * SendMessageBatch, in batches of at most 10 entries and 256 KiB.
 */
import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, type SQSClient } from '@aws-sdk/client-sqs';
import { backoffDelay } from '../../../shared/backoff.js';
import { pMap } from '../../../shared/concurrency.js';
import { PayloadTooLargeError, ValidationError } from '../../../shared/errors.js';
import type { Queue, StepMessage } from '../../ports/queue.js';
import { encodeStepBody } from './envelope.js';
import { QueueSendError, type FailedSend } from './errors.js';

export { createSqsClient, type SqsClientOptions } from './client.js';

/** SQS's limit on entries per SendMessageBatch. */
export const MAX_BATCH_ENTRIES = 10;
/**
 * Payload limit per message and per batch. SQS has accepted 1 MiB since 2025, but 256 KiB is what
 * every SQS-compatible endpoint accepts and what the Queue port promises.
 */
export const MAX_BATCH_BYTES = 256 * 1024;
/** SQS's largest per-message delay. */
export const MAX_DELAY_SECONDS = 900;

/** Tuning for {@link SqsQueue}; the defaults suit Lambda. */
export interface SqsQueueOptions {
  /** Attempts for an entry that SQS failed on its side (`SenderFault: false`). Default 4. */
  maxAttempts?: number;
  /** Backoff before the first retry, doubled per attempt, with full jitter. Default 50 ms. */
  baseDelayMs?: number;
  /** SendMessageBatch calls in flight at once. Default 4. */
  concurrency?: number;
}

interface Outgoing {
  index: number;
  type: string;
  bytes: number;
  entry: SendMessageBatchRequestEntry;
}

/**
 * Sends lifecycle steps to an SQS queue. Each StepMessage becomes one SQS message whose body is
 * the JSON envelope `{type, payload}` (see ./envelope.ts) and whose DelaySeconds is the step's
 * `delaySeconds`.
 *
 * Entries that SQS fails on its side are retried with backoff; entries SQS rejects as malformed
 * are not. Whatever is still unsent at the end is listed in a {@link QueueSendError}; the rest was
 * sent. Request-level errors (network, throttling) are already retried by the SDK.
 *
 * @example
 * const queue = new SqsQueue(createSqsClient(), process.env.WORK_QUEUE_URL!);
 * await queue.send([{ type: 'membership.recompute-clusters', payload: { clusterSet: 'stores' } }]);
 */
export class SqsQueue implements Queue {
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly concurrency: number;

  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
    options: SqsQueueOptions = {},
  ) {
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 4);
    this.baseDelayMs = Math.max(0, options.baseDelayMs ?? 50);
    this.concurrency = Math.max(1, options.concurrency ?? 4);
  }

  /**
   * Sends every message. Throws ValidationError or PayloadTooLargeError before sending anything
   * when a message can never be sent, and QueueSendError when some could not be sent.
   */
  async send(messages: StepMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const batches = packBatches(messages.map(toOutgoing));
    // sendBatch never throws, so every batch is tried whatever happens to the others.
    const results = await pMap(batches, (batch) => this.sendBatch(batch), { concurrency: this.concurrency });
    const failed = results.flatMap((r) => r.failed);
    const firstCause = results.find((r) => r.cause !== undefined)?.cause;
    if (failed.length > 0) {
      failed.sort((a, b) => a.index - b.index);
      throw new QueueSendError(failed, messages.length, firstCause === undefined ? undefined : { cause: firstCause });
    }
  }

  /** Sends one batch, retrying the entries SQS failed on its side. Never throws. */
  private async sendBatch(batch: Outgoing[]): Promise<{ failed: FailedSend[]; cause?: unknown }> {
    const failed: FailedSend[] = [];
    let pending = batch;
    for (let attempt = 1; pending.length > 0; attempt++) {
      let output;
      try {
        output = await this.client.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: pending.map((o) => o.entry) }));
      } catch (error) {
        const code = error instanceof Error ? error.name : 'Error';
        const message = error instanceof Error ? error.message : String(error);
        const senderFault = (error as { $fault?: string }).$fault === 'client';
        failed.push(...pending.map((o) => ({ type: o.type, index: o.index, code, message, senderFault })));
        return { failed, cause: error };
      }
      const byId = new Map(pending.map((o) => [o.entry.Id, o]));
      const retry: Outgoing[] = [];
      for (const entry of output.Failed ?? []) {
        const o = byId.get(entry.Id);
        if (o === undefined) continue;
        const senderFault = entry.SenderFault === true;
        if (senderFault || attempt >= this.maxAttempts) {
          failed.push({
            type: o.type,
            index: o.index,
            code: entry.Code ?? 'Unknown',
            message: entry.Message ?? '',
            senderFault,
          });
        } else {
          retry.push(o);
        }
      }
      pending = retry;
      if (pending.length > 0) await sleep(backoffDelay(attempt - 1, { baseMs: this.baseDelayMs, jitter: 'full' }, Math.random));
    }
    return { failed };
  }
}

function toOutgoing(message: StepMessage, index: number): Outgoing {
  const body = encodeStepBody(message);
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes > MAX_BATCH_BYTES) {
    throw new PayloadTooLargeError(MAX_BATCH_BYTES, bytes, `step message #${index} (${message.type})`);
  }
  const delay = message.delaySeconds;
  if (delay !== undefined && !(Number.isInteger(delay) && delay >= 0 && delay <= MAX_DELAY_SECONDS)) {
    throw new ValidationError(`step message #${index} (${message.type}) has an invalid delaySeconds`, [
      { path: `${index}.delaySeconds`, message: `must be an integer from 0 to ${MAX_DELAY_SECONDS}, got ${delay}` },
    ]);
  }
  return {
    index,
    type: message.type,
    bytes,
    entry: { Id: String(index), MessageBody: body, ...(delay ? { DelaySeconds: delay } : {}) },
  };
}

/** Groups messages, in order, into batches of at most 10 entries and 256 KiB of bodies. */
function packBatches(outgoing: Outgoing[]): Outgoing[][] {
  const batches: Outgoing[][] = [];
  let current: Outgoing[] = [];
  let bytes = 0;
  for (const o of outgoing) {
    if (current.length === MAX_BATCH_ENTRIES || bytes + o.bytes > MAX_BATCH_BYTES) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(o);
    bytes += o.bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
