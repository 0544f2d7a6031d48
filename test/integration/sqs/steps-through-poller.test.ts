import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Context, SQSEvent } from 'aws-lambda';
import { decodeStepBody } from '../../../lambdas/adapters/sqs/envelope.js';
import { SqsQueue } from '../../../lambdas/adapters/sqs/sqs-queue.js';
import { buildWorkerHandler } from '../../../lambdas/handlers/worker.js';
import { startQueuePoller, type QueuePoller } from '../../../lambdas/local/queue-poller.js';
import type { Queue, StepMessage } from '../../../lambdas/ports/queue.js';
import type { MemoryHub } from '../../support/memory-hub.js';
import { startSqsTestServer, type SqsTestServer } from '../../support/sqs-server.js';
import { harness, snapshot, story, withoutDeliberate } from '../../support/step-story.js';

/**
 * Every step type through the real queue path: the story of test/support/step-story.ts, its steps
 * sent by the SqsQueue adapter to the embedded SQS emulator and received by the local queue poller
 * (Lambda's event source mapping) into the real worker handler (envelope decoding, batch item
 * failures, deletes). The hub's clock is a manual one, so delayed steps (deadlines) wait in the test
 * until the story moves that clock past their delay, then go to SQS; everything else goes at once.
 * It ends in the state the memory queue's delivery ends in (times aside), and delivers every
 * registered step type.
 */

let sqs: SqsTestServer;
const pollers: QueuePoller[] = [];

beforeAll(async () => {
  sqs = await startSqsTestServer();
});

afterAll(async () => {
  await Promise.all(pollers.map((p) => p.stop()));
  await sqs?.close();
});

/** Holds delayed messages on the hub's manual clock; sends the rest to SQS at once. */
class ManualDelayQueue implements Queue {
  private held: { at: number; message: StepMessage }[] = [];
  constructor(
    private readonly inner: Queue,
    private readonly now: () => number,
  ) {}
  async send(messages: StepMessage[]): Promise<void> {
    const now = this.now();
    const at = (m: StepMessage) => now + (m.delaySeconds ?? 0) * 1000;
    for (const m of messages) if (m.delaySeconds) this.held.push({ at: at(m), message: { type: m.type, payload: m.payload } });
    const direct = messages.filter((m) => !m.delaySeconds);
    if (direct.length) await this.inner.send(direct);
  }
  /** Sends what is due now; true when something was. */
  async release(): Promise<boolean> {
    const now = this.now();
    const due = this.held.filter((h) => h.at <= now);
    this.held = this.held.filter((h) => h.at > now);
    if (due.length) await this.inner.send(due.map((h) => h.message));
    return due.length > 0;
  }
}

function throughPoller(queueUrl: string) {
  return (hub: MemoryHub, seen: Set<string>) => {
    const queue = new ManualDelayQueue(new SqsQueue(sqs.client, queueUrl), () => hub.clock.now());
    hub.ctx.ports.queue = queue;
    const worker = buildWorkerHandler(() => hub.ctx);
    const poller = startQueuePoller({
      client: sqs.client,
      queueUrl,
      // One message a batch, with the clock moved around it as the memory queue's delivery does.
      batchSize: 1,
      waitTimeSeconds: 1,
      visibilityTimeoutSeconds: 5,
      handler: async (event: SQSEvent, context: Context) => {
        for (const r of event.Records) seen.add(decodeStepBody(r.body).type);
        hub.clock.advance(1);
        const out = await worker(event, context);
        hub.clock.advance(1);
        return out;
      },
    });
    pollers.push(poller);
    return async () => {
      do await poller.drain(30_000);
      while (await queue.release());
    };
  };
}

/**
 * The state without its times: the poller runs concurrently with the story's API calls (as the
 * worker Lambda does), so the manual clock reads a few ms differently from the memory delivery's.
 */
function withoutTimes(v: unknown): unknown {
  if (typeof v === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/.test(v)) return '<time>';
  if (typeof v === 'number' && v > 1e12) return '<epoch ms>';
  if (Array.isArray(v)) return v.map(withoutTimes);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withoutTimes(x)]));
  return v;
}

describe('every step type through the real SQS poller', () => {
  it('delivers each registered step type at least once and ends where the memory delivery ends', async () => {
    const reference = await harness('once');
    await story(reference);

    const { queueUrl } = await sqs.queues({ visibilityTimeoutSeconds: 5 });
    const h = await harness('once', throughPoller(queueUrl));
    await story(h);
    const missing = h.hub.ctx.registry.stepTypes.filter((t) => !h.seen.has(t));
    expect(missing).toEqual([]);
    expect(withoutTimes(withoutDeliberate(snapshot(h.hub)))).toEqual(withoutTimes(withoutDeliberate(snapshot(reference.hub))));
  }, 120_000);
});
