import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { countOperations, type OperationCounter } from '../lambdas/adapters/dynamodb/op-counter.js';
import { onDynamoClientCreated } from '../lambdas/handlers/compose.js';
import type { HubConfig } from '../lambdas/core/context.js';
import { startDynalite, type DynaliteMode, type EmbeddedDynamo } from '../lambdas/local/dynamo-embedded.js';
import { startLocalHub, type LocalHub } from '../lambdas/local/local-hub.js';
import { startSqsEmulator } from '../lambdas/local/sqs-embedded.js';
import { systemClock, type Clock } from '../lambdas/ports/clock.js';
import { silentLog } from '../lambdas/ports/log.js';
import type { Queue, StepMessage } from '../lambdas/ports/queue.js';
import { TetherError } from '../shared/errors.js';
import { startDynamoDbLocal } from '../test/support/dynamo-servers.js';
import { adminCaller, type AdminAnswer } from '../sim/admin.js';
import { WriteLedger } from './write-ledger.js';

/**
 * A local hub for benchmarks: the real `startLocalHub` (same handlers, gateway, worker and
 * scheduler as `tether dev`) in a throw-away data directory, with its DynamoDB client counted by
 * `countOperations`, its queue port counted, and its clock movable, so that figures are counted,
 * never estimated.
 */

/** Which DynamoDB the hub talks to: the embedded dynalite, or AWS's DynamoDB Local (the capacity reference). */
export type DynamoBackend = 'dynalite' | 'dynamodb-local';

/** Wall time plus an offset the benchmark moves forward (lease periods without waiting). */
export class OffsetClock implements Clock {
  offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
  /** Real waits: only the time is moved. */
  sleep(ms: number): Promise<void> {
    return systemClock.sleep(ms);
  }
  random(): number {
    return systemClock.random();
  }
}

/** Messages and SendMessageBatch calls that went through the hub's Queue port. */
export class CountingQueue implements Queue {
  messages = 0;
  /** SendMessageBatch requests, as SqsQueue sends them (batches of at most 10). */
  batches = 0;
  byType: Record<string, number> = {};

  constructor(private readonly inner: Queue) {}

  async send(messages: StepMessage[]): Promise<void> {
    this.messages += messages.length;
    this.batches += Math.ceil(messages.length / 10);
    for (const m of messages) this.byType[m.type] = (this.byType[m.type] ?? 0) + 1;
    await this.inner.send(messages);
  }

  reset(): void {
    this.messages = 0;
    this.batches = 0;
    this.byType = {};
  }
}

/** A benchmark hub failed to start. */
export class BenchHubError extends TetherError {
  // 500: the benchmark's own hub did not start.
  static override readonly status = 500;
  static override readonly title = 'Benchmark hub failed';
  readonly code = 'bench-hub-failed';
}

/** A running, instrumented local hub. */
export interface BenchHub {
  hub: LocalHub;
  url: string;
  adminToken: string;
  backend: DynamoBackend;
  dynamodbEndpoint: string;
  sqsEndpoint: string;
  tableName: string;
  queueName: string;
  /** The embedded dynalite (backend `dynalite`), e.g. for its thread's utilisation. */
  dynalite?: EmbeddedDynamo;
  /** Counts of the hub's own DynamoDB client (the one every handler uses). */
  ops: OperationCounter;
  queue: CountingQueue;
  clock: OffsetClock;
  /** Write items by port call (only with the `ledger` option). */
  ledger?: WriteLedger;
  /** Calls the admin API with the admin token. */
  admin(method: string, path: string, body?: unknown): Promise<AdminAnswer>;
  close(): Promise<void>;
}

/** Options of {@link startBenchHub}. */
export interface BenchHubOptions {
  backend?: DynamoBackend;
  config?: Partial<HubConfig>;
  /** Scheduler period; default one hour, so that only explicit ticks run during a measurement. */
  schedulerIntervalMs?: number;
  /** Listen port; default 0 (a free one). */
  port?: number;
  /** Keep dynalite's data in memory instead of LevelDB files (to tell disk time from the rest). */
  inMemory?: boolean;
  /** Where dynalite runs: its own worker thread (default, as `tether dev`) or the hub's event loop. */
  dynalite?: DynaliteMode;
  /** Book every DynamoDB write item under the port call that sent it ({@link WriteLedger}). */
  ledger?: boolean;
}

/** Starts an instrumented local hub on 127.0.0.1 in a fresh temp directory. */
export async function startBenchHub(opts: BenchHubOptions = {}): Promise<BenchHub> {
  const backend = opts.backend ?? 'dynalite';
  const dataDir = mkdtempSync(join(tmpdir(), 'tether-bench-'));
  const cleanups: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    let dynamodbEndpoint: string;
    let dynalite: EmbeddedDynamo | undefined;
    if (backend === 'dynalite') {
      // On disk, as `tether dev` runs it: LevelDB's cost is part of the local hub's figures.
      const db = await startDynalite({ path: opts.inMemory ? undefined : join(dataDir, 'dynamodb'), mode: opts.dynalite });
      cleanups.push(() => db.close());
      dynamodbEndpoint = db.endpoint;
      dynalite = db;
    } else {
      const db = await startDynamoDbLocal();
      cleanups.push(() => db.stop());
      dynamodbEndpoint = db.endpoint;
    }
    const sqs = await startSqsEmulator();
    cleanups.push(() => sqs.close());

    const clients: DynamoDBClient[] = [];
    const unhook = onDynamoClientCreated((c) => clients.push(c));
    let hub: LocalHub;
    try {
      hub = await startLocalHub({
        port: opts.port ?? 0,
        dataDir,
        dynamodbEndpoint,
        sqsEndpoint: sqs.endpoint,
        schedulerIntervalMs: opts.schedulerIntervalMs ?? 3_600_000,
        log: silentLog,
        config: opts.config,
      });
    } finally {
      unhook();
    }
    cleanups.push(() => hub.close());
    if (clients.length !== 1) throw new BenchHubError(`expected the hub to build one DynamoDB client, it built ${clients.length}`);
    const ops = countOperations(clients[0]);
    const clock = new OffsetClock();
    hub.ctx.ports.clock = clock;
    const queue = new CountingQueue(hub.ctx.ports.queue);
    hub.ctx.ports.queue = queue;
    let ledger: WriteLedger | undefined;
    if (opts.ledger) {
      ledger = new WriteLedger();
      ledger.attach(hub.ctx.ports, clients[0]);
    }

    const admin = adminCaller(hub.url, hub.adminToken);

    return {
      hub,
      url: hub.url,
      adminToken: hub.adminToken,
      backend,
      dynamodbEndpoint,
      dynalite,
      sqsEndpoint: sqs.endpoint,
      tableName: 'tether',
      queueName: 'tether-work',
      ops,
      queue,
      clock,
      ...(ledger ? { ledger } : {}),
      admin,
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw new BenchHubError(`cannot start the benchmark hub (${backend}): ${(err as Error).message}`, { cause: err });
  }
}
