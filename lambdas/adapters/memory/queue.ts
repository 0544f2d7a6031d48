import { PayloadTooLargeError, ValidationError } from '../../../shared/errors.js';
import type { Clock } from '../../ports/clock.js';
import type { Queue, StepMessage } from '../../ports/queue.js';
import { decodeStepBody, encodeStepBody } from '../sqs/envelope.js';
import { MAX_BATCH_BYTES, MAX_DELAY_SECONDS } from '../sqs/sqs-queue.js';

/** A message as the in-memory queue holds it: what was sent, when, and when it becomes visible. */
export interface QueuedMessage {
  message: StepMessage;
  /** Epoch ms (of the queue's clock) when it was sent. */
  sentAt: number;
  /** Epoch ms from which a consumer receives it: `sentAt` plus its delay. */
  visibleAt: number;
}

/**
 * {@link Queue} in process memory: records every message, with its delay, until a test (or a
 * tool's loop) takes it. Refuses what SQS refuses (a body over 256 KiB, a delay outside 0 to 900
 * seconds) before recording anything, and hands out copies that went through the real message
 * envelope, so a payload that would not survive SQS does not survive here either.
 */
export class MemoryQueue implements Queue {
  private pending: QueuedMessage[] = [];

  constructor(private readonly clock: Clock) {}

  async send(messages: StepMessage[]): Promise<void> {
    const now = this.clock.now();
    const queued = messages.map((m, index): QueuedMessage => {
      const body = encodeStepBody(m);
      const bytes = Buffer.byteLength(body, 'utf8');
      if (bytes > MAX_BATCH_BYTES) throw new PayloadTooLargeError(MAX_BATCH_BYTES, bytes, `step message #${index} (${m.type})`);
      const delay = m.delaySeconds;
      if (delay !== undefined && !(Number.isInteger(delay) && delay >= 0 && delay <= MAX_DELAY_SECONDS)) {
        throw new ValidationError(`step message #${index} (${m.type}) has an invalid delaySeconds`, [
          { path: `${index}.delaySeconds`, message: `must be an integer from 0 to ${MAX_DELAY_SECONDS}, got ${delay}` },
        ]);
      }
      const copy: StepMessage = { ...decodeStepBody(body), ...(delay ? { delaySeconds: delay } : {}) };
      return { message: copy, sentAt: now, visibleAt: now + (delay ?? 0) * 1000 };
    });
    this.pending.push(...queued);
  }

  /** Everything sent and not yet taken, in sending order. */
  get messages(): readonly QueuedMessage[] {
    return this.pending;
  }

  /** Takes the messages visible at `now` (the clock's time by default), in sending order; delayed ones stay. */
  takeDue(now = this.clock.now()): StepMessage[] {
    const due = this.pending.filter((q) => q.visibleAt <= now);
    this.pending = this.pending.filter((q) => q.visibleAt > now);
    return due.map((q) => q.message);
  }

  /** Takes every message, delayed or not, in sending order. */
  takeAll(): StepMessage[] {
    const all = this.pending.map((q) => q.message);
    this.pending = [];
    return all;
  }

  /** When the earliest message still waiting becomes visible, if any is. */
  nextVisibleAt(): number | undefined {
    return this.pending.length ? Math.min(...this.pending.map((q) => q.visibleAt)) : undefined;
  }
}
