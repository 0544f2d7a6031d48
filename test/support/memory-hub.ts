import { createMemoryPorts, type MemoryPorts } from '../../lambdas/adapters/memory/index.js';
import { HUB_CAPABILITIES, type Capability } from '../../lambdas/capabilities/index.js';
import { buildRegistry } from '../../lambdas/core/registry.js';
import { defaultHubConfig, type HubConfig, type HubContext } from '../../lambdas/core/context.js';
import { runSchedulerTick } from '../../lambdas/core/periodic-tasks.js';
import { runStep } from '../../lambdas/core/steps.js';
import type { Clock } from '../../lambdas/ports/clock.js';
import { silentLog } from '../../lambdas/ports/log.js';

/** A clock that moves only when told to. */
export interface ManualClock extends Clock {
  advance(ms: number): void;
}

/** A hub on the in-memory ports, with a manual clock and a queue the test delivers itself. */
export interface MemoryHub {
  ctx: HubContext;
  ports: MemoryPorts;
  clock: ManualClock;
  /**
   * Delivers every queued step that is visible now, and the ones those send, until none is. The
   * clock moves on by 1 ms before and after each delivery, as real deliveries take time: a change
   * made after a controller run started is never mistaken for one that run saw (which the
   * controller decides by time). Returns the number delivered.
   */
  settle(): Promise<number>;
  /** Moves the clock on by `ms`, then settles (delayed steps that became visible run). */
  advance(ms: number): Promise<number>;
  /** Runs one scheduler tick, then settles. */
  tick(): Promise<number>;
}

/** Unique, ordered ids: deterministic across runs. */
function counterIds() {
  let n = 0;
  return {
    uid: () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`,
    token: (prefix: string) => `${prefix}_${String(++n).padStart(43, 'x')}`,
  };
}

/**
 * Builds a hub context over {@link createMemoryPorts}: no DynamoDB, no SQS, no HTTP. Every test
 * that needs a whole hub in memory builds it here, composing the given capabilities (all of the
 * hub's by default).
 */
export function memoryHubContext(
  opts: { config?: Partial<HubConfig>; start?: number; capabilities?: readonly Capability[] } = {},
): MemoryHub {
  let now = opts.start ?? Date.parse('2026-11-10T12:00:00Z');
  const clock: ManualClock = {
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
    // A wait (a retry's back-off) passes on this clock at once, so runs stay deterministic.
    sleep: async (ms) => {
      now += ms;
    },
    random: () => 0.5,
  };
  const ports = createMemoryPorts({ clock });
  const ctx: HubContext = {
    ports: { ...ports, clock, ids: counterIds(), log: silentLog, audit: { record() {} } },
    config: { ...defaultHubConfig, ...opts.config },
    registry: buildRegistry(opts.capabilities ?? HUB_CAPABILITIES),
  };
  const settle = async () => {
    let delivered = 0;
    for (let due = ports.queue.takeDue(); due.length > 0; due = ports.queue.takeDue()) {
      for (const message of due) {
        if (++delivered > 10_000) throw new Error('the queue does not settle');
        clock.advance(1);
        await runStep(message, ctx);
        clock.advance(1);
      }
    }
    return delivered;
  };
  return {
    ctx,
    ports,
    clock,
    settle,
    advance: async (ms) => {
      clock.advance(ms);
      return settle();
    },
    tick: async () => {
      await runSchedulerTick(ctx);
      return settle();
    },
  };
}
