/**
 * The local stand-in for Lambda's SQS event source mapping: long-polls a queue, hands each batch
 * to the worker handler as an SQSEvent, deletes what succeeded and leaves what failed to come
 * back after the visibility timeout, exactly as ReportBatchItemFailures does in AWS. Redrive to
 * the DLQ is the queue's own RedrivePolicy, as in AWS.
 */
import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { backoffDelay, type BackoffPolicy } from '../../shared/backoff.js';
import { TetherError, ValidationError } from '../../shared/errors.js';
import { SqsResponseError } from '../adapters/sqs/errors.js';
import { createLambdaContext, eventSourceOf, failedMessageIds, toSqsEvent, type EventSourceQueue } from '../adapters/sqs/lambda-event.js';

/** A worker Lambda handler as the poller calls it. */
export type SqsBatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

/** Where an error reported to `onError` happened. */
export type PollerPhase = 'receive' | 'handler' | 'delete';

/** Options of {@link startQueuePoller}. */
export interface QueuePollerOptions {
  client: SQSClient;
  queueUrl: string;
  handler: SqsBatchHandler;
  /** Messages per batch, 1–10. Default 10. */
  batchSize?: number;
  /** Long-poll wait, 0–20 s. Default 20. */
  waitTimeSeconds?: number;
  /** Visibility timeout per receive; default the queue's own. */
  visibilityTimeoutSeconds?: number;
  /** Batches processed at once (independent receive loops). Default 1. */
  concurrency?: number;
  /** Called for every receive, handler or delete failure. Default: console.error. */
  onError?: (error: unknown, phase: PollerPhase) => void;
  /** Function name in the handler's Context. Default `tether-worker`. */
  functionName?: string;
  /** Function timeout behind `context.getRemainingTimeInMillis()`. Default 60, the worker's timeout in AWS. */
  timeoutSeconds?: number;
}

/** A running poller. */
export interface QueuePoller {
  /** Aborts the pending long poll, lets a batch in progress finish, and resolves when all loops ended. */
  stop(): Promise<void>;
  /**
   * Resolves when the queue holds nothing at all (visible, in flight or delayed) and no batch is
   * being processed, so failed messages must have succeeded or reached the DLQ; rejects with
   * DrainTimeoutError after `timeoutMs`, or with PollerStoppedError if the poller stops.
   */
  /** With `ignoreDelayed`, messages still waiting out a delay (deadline timers) do not count. */
  drain(timeoutMs: number, opts?: { ignoreDelayed?: boolean }): Promise<void>;
  /**
   * Resolves when no batch is being processed and nothing is waiting to be received: the only
   * messages left, if any, are failures of this poller waiting out their visibility timeout.
   * Rejects with PollerStoppedError if the poller stops.
   */
  idle(): Promise<void>;
}

/** drain() ran out of time; carries what was still on the queue. */
export class DrainTimeoutError extends TetherError {
  // 504: a wait on the hub's own queue ran out of time: the server's fault, like a gateway timeout.
  static override readonly status = 504;
  static override readonly title = 'Queue not drained';
  readonly code = 'drain-timeout';
  constructor(
    readonly timeoutMs: number,
    readonly remaining: QueueCounts,
    readonly batchesInProgress: number,
    options?: ErrorOptions,
  ) {
    super(
      `queue not drained after ${timeoutMs} ms: ${remaining.visible} visible, ${remaining.inFlight} in flight, ` +
        `${remaining.delayed} delayed, ${batchesInProgress} batches in progress`,
      options,
    );
  }
}

/** idle() or drain() was waiting when the poller stopped; it would never have resolved. */
export class PollerStoppedError extends TetherError {
  // 503: the hub's worker is gone, so the wait can never end: the server is unavailable.
  static override readonly status = 503;
  static override readonly title = 'Queue poller stopped';
  readonly code = 'poller-stopped';
}

/** A DeleteMessageBatch left some messages undeleted; they will be delivered again. */
export class DeleteFailedError extends TetherError {
  // 503: SQS did not delete processed messages: a dependency failed, and redelivery makes a retry safe.
  static override readonly status = 503;
  static override readonly title = 'Queue unavailable';
  readonly code = 'delete-failed';
}

/** The queue's message counts from GetQueueAttributes. */
export interface QueueCounts {
  visible: number;
  inFlight: number;
  delayed: number;
}

/** Pause between idle()/drain() checks of the queue's counts. */
const CHECK_INTERVAL_MS = 20;
/** A receive that comes back empty sooner than this is followed by a pause, so we never spin. */
const MIN_EMPTY_RECEIVE_MS = 200;
/** Pause after a failed receive: doubles per failure in a row from 100 ms, without jitter (one local process). */
const ERROR_BACKOFF: BackoffPolicy = { baseMs: 100, capMs: 5_000, jitter: 'none' };

/**
 * Starts polling `queueUrl` and feeding batches to `handler` until `stop()`.
 *
 * @example
 * const poller = startQueuePoller({ client, queueUrl, handler: worker.handler });
 * await poller.drain(10_000);
 * await poller.stop();
 */
export function startQueuePoller(options: QueuePollerOptions): QueuePoller {
  return new SqsEventSourcePoller(validated(options));
}

type Settings = Required<Omit<QueuePollerOptions, 'visibilityTimeoutSeconds'>> & { visibilityTimeoutSeconds?: number };

function validated(options: QueuePollerOptions): Settings {
  const settings: Settings = {
    client: options.client,
    queueUrl: options.queueUrl,
    handler: options.handler,
    batchSize: options.batchSize ?? 10,
    waitTimeSeconds: options.waitTimeSeconds ?? 20,
    visibilityTimeoutSeconds: options.visibilityTimeoutSeconds,
    concurrency: options.concurrency ?? 1,
    functionName: options.functionName ?? 'tether-worker',
    timeoutSeconds: options.timeoutSeconds ?? 60,
    onError: options.onError ?? ((error, phase) => console.error(`[queue-poller] ${phase} failed:`, error)),
  };
  const problems = [
    check('batchSize', settings.batchSize, 1, 10),
    check('waitTimeSeconds', settings.waitTimeSeconds, 0, 20),
    check('concurrency', settings.concurrency, 1, 100),
    check('timeoutSeconds', settings.timeoutSeconds, 1, 900),
    settings.visibilityTimeoutSeconds === undefined
      ? undefined
      : check('visibilityTimeoutSeconds', settings.visibilityTimeoutSeconds, 0, 43_200),
  ].filter((p) => p !== undefined);
  if (problems.length > 0) throw new ValidationError('invalid queue poller options', problems);
  return settings;
}

function check(path: string, value: number, min: number, max: number) {
  return Number.isInteger(value) && value >= min && value <= max
    ? undefined
    : { path, message: `must be an integer from ${min} to ${max}, got ${value}` };
}

interface QueueFacts {
  source: EventSourceQueue;
  visibilityTimeoutMs: number;
}

class SqsEventSourcePoller implements QueuePoller {
  private readonly abort = new AbortController();
  private readonly loops: Promise<void>[];
  private stopping: Promise<void> | undefined;
  private facts: Promise<QueueFacts> | undefined;
  private batchesInProgress = 0;
  /**
   * Messages this poller left on the queue as failures, with the time they become visible again
   * at the latest. idle() uses it to tell "waiting to be redelivered" from "received by someone".
   */
  private readonly awaitingRedelivery = new Map<string, number>();

  constructor(private readonly settings: Settings) {
    this.loops = Array.from({ length: settings.concurrency }, () => this.receiveLoop());
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      this.abort.abort();
      await Promise.all(this.loops);
    })();
    return this.stopping;
  }

  async drain(timeoutMs: number, opts: { ignoreDelayed?: boolean } = {}): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const counts = await this.settledCounts();
      if (counts && counts.visible + counts.inFlight + (opts.ignoreDelayed ? 0 : counts.delayed) === 0) return;
      if (Date.now() >= deadline) {
        const remaining = counts ?? (await this.counts());
        throw new DrainTimeoutError(timeoutMs, remaining, this.batchesInProgress);
      }
      await this.pause(Math.min(CHECK_INTERVAL_MS, Math.max(0, deadline - Date.now())));
    }
  }

  async idle(): Promise<void> {
    for (;;) {
      const counts = await this.settledCounts();
      if (counts && counts.visible + counts.delayed === 0) {
        const now = Date.now();
        for (const [id, visibleAt] of this.awaitingRedelivery) if (visibleAt <= now) this.awaitingRedelivery.delete(id);
        if (counts.inFlight <= this.awaitingRedelivery.size) return;
      }
      await this.pause(CHECK_INTERVAL_MS);
    }
  }

  /** The queue's counts if no batch was in progress before or after reading them, else undefined. */
  private async settledCounts(): Promise<QueueCounts | undefined> {
    if (this.abort.signal.aborted) throw new PollerStoppedError('the queue poller was stopped');
    if (this.batchesInProgress > 0) return undefined;
    const counts = await this.counts();
    return this.batchesInProgress > 0 ? undefined : counts;
  }

  private async counts(): Promise<QueueCounts> {
    const { Attributes = {} } = await this.settings.client.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.settings.queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
      }),
    );
    return {
      visible: Number(Attributes.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
      delayed: Number(Attributes.ApproximateNumberOfMessagesDelayed ?? 0),
    };
  }

  private async receiveLoop(): Promise<void> {
    const { client, queueUrl, batchSize, waitTimeSeconds, visibilityTimeoutSeconds } = this.settings;
    let consecutiveErrors = 0;
    while (!this.abort.signal.aborted) {
      const requestedAt = Date.now();
      let messages: Message[];
      let facts: QueueFacts;
      try {
        facts = await this.queueFacts();
        const output = await client.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: batchSize,
            WaitTimeSeconds: waitTimeSeconds,
            ...(visibilityTimeoutSeconds === undefined ? {} : { VisibilityTimeout: visibilityTimeoutSeconds }),
            MessageSystemAttributeNames: ['All'],
            // Older emulators read only the deprecated name; real SQS accepts both.
            AttributeNames: ['All'],
            MessageAttributeNames: ['All'],
          }),
          { abortSignal: this.abort.signal },
        );
        messages = output.Messages ?? [];
        consecutiveErrors = 0;
      } catch (error) {
        if (this.abort.signal.aborted) break;
        this.report(error, 'receive');
        consecutiveErrors++;
        await this.pause(backoffDelay(consecutiveErrors - 1, ERROR_BACKOFF, Math.random));
        continue;
      }
      if (messages.length === 0) {
        if (Date.now() - requestedAt < MIN_EMPTY_RECEIVE_MS) await this.pause(MIN_EMPTY_RECEIVE_MS);
        continue;
      }
      // Messages already received are processed even when stop() raced the receive: dropping
      // them would hide them for a whole visibility timeout.
      await this.processBatch(messages, facts, requestedAt);
    }
  }

  private async processBatch(messages: Message[], facts: QueueFacts, requestedAt: number): Promise<void> {
    this.batchesInProgress++;
    try {
      const event = toSqsEvent(messages, facts.source);
      for (const record of event.Records) this.awaitingRedelivery.delete(record.messageId);
      const failed = await this.invoke(event);
      // A failed message is left alone, exactly as Lambda does: it reappears when its visibility
      // timeout, counted from the receive, expires. requestedAt is before the receive, so this
      // estimate is never later than SQS's own.
      for (const id of failed) this.awaitingRedelivery.set(id, requestedAt + facts.visibilityTimeoutMs);
      await this.deleteRecords(event.Records.filter((r) => !failed.has(r.messageId)));
    } finally {
      this.batchesInProgress--;
    }
  }

  private async invoke(event: SQSEvent): Promise<Set<string>> {
    const { handler, functionName, timeoutSeconds } = this.settings;
    const context = createLambdaContext({ functionName, timeoutSeconds, region: event.Records[0].awsRegion });
    try {
      return failedMessageIds(await handler(event, context), event.Records);
    } catch (error) {
      this.report(error, 'handler');
      return new Set(event.Records.map((r) => r.messageId));
    }
  }

  private async deleteRecords(records: SQSRecord[]): Promise<void> {
    if (records.length === 0) return;
    try {
      const output = await this.settings.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.settings.queueUrl,
          Entries: records.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
        }),
      );
      if (output.Failed && output.Failed.length > 0) {
        const detail = output.Failed.map((f) => `${records[Number(f.Id)]?.messageId}: ${f.Code} ${f.Message ?? ''}`);
        throw new DeleteFailedError(`could not delete ${output.Failed.length} processed messages: ${detail.join('; ')}`);
      }
    } catch (error) {
      this.report(error, 'delete');
    }
  }

  /** The queue's ARN and visibility timeout, read once; a failed read is retried next time. */
  private queueFacts(): Promise<QueueFacts> {
    this.facts ??= this.readQueueFacts().catch((error: unknown) => {
      this.facts = undefined;
      throw error;
    });
    return this.facts;
  }

  private async readQueueFacts(): Promise<QueueFacts> {
    const { Attributes = {} } = await this.settings.client.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.settings.queueUrl,
        AttributeNames: ['QueueArn', 'VisibilityTimeout'],
      }),
      { abortSignal: this.abort.signal },
    );
    if (!Attributes.QueueArn) throw new SqsResponseError(`SQS returned no QueueArn for ${this.settings.queueUrl}`);
    const seconds = this.settings.visibilityTimeoutSeconds ?? Number(Attributes.VisibilityTimeout ?? 30);
    return { source: eventSourceOf(Attributes.QueueArn), visibilityTimeoutMs: seconds * 1000 };
  }

  /** Hands an error to onError; an onError that throws must not kill a receive loop. */
  private report(error: unknown, phase: PollerPhase): void {
    try {
      this.settings.onError(error, phase);
    } catch (secondary) {
      console.error(`[queue-poller] onError threw while reporting a ${phase} failure:`, secondary, error);
    }
  }

  /** Sleeps, but wakes at once when the poller stops. */
  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const signal = this.abort.signal;
      if (signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done);
    });
  }
}
