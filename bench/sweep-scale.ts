/**
 * How long the scheduler's expiry sweep takes to list a large live set, as a tick in Lambda runs it.
 *
 *   npx tsx bench/sweep-scale.ts [--clusters 100000] [--latency-ms 5]
 *
 * Fills DynamoDB Local with N live cluster heads (all just renewed, so none expires and nothing is
 * queued) and the heartbeat log a sweep reads for them (each cluster recorded every 30 s over the
 * last 4.5 minutes, as agents polling every 30 s with a 60 s lease leave it), then adds a fixed
 * delay to every DynamoDB request, standing in for an in-region round
 * trip (loopback takes a fraction of a millisecond; DynamoDB Local's own Query time comes on top).
 * It times one whole scheduler tick (every periodic task, as the scheduler function runs them) and,
 * for comparison, listing the same live set one page of 100 after another across all segments,
 * which is how the sweep paged through it before (it also read whole heads then; both now read
 * three attributes a head). Both are counted with the SDK middleware.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTableIfMissing } from '../lambdas/adapters/dynamodb/create-table.js';
import { DynamoHeartbeatLog } from '../lambdas/adapters/dynamodb/heartbeat-log.js';
import { countOperations, type OperationCounter } from '../lambdas/adapters/dynamodb/op-counter.js';
import { composeHub, onDynamoClientCreated } from '../lambdas/handlers/compose.js';
import { runSchedulerTick } from '../lambdas/core/periodic-tasks.js';
import { silentLog } from '../lambdas/ports/log.js';
import { startDynamoDbLocal } from '../test/support/dynamo-servers.js';

const { values } = parseArgs({
  options: { clusters: { type: 'string', default: '100000' }, 'latency-ms': { type: 'string', default: '5' } },
});
const clusters = Number(values.clusters);
const latencyMs = Number(values['latency-ms']);
if (!Number.isInteger(clusters) || clusters < 1) throw new Error(`--clusters must be a positive whole number, got ${values.clusters}`);
if (!Number.isFinite(latencyMs) || latencyMs < 0)
  throw new Error(`--latency-ms must be a number of milliseconds, at least 0, got ${values['latency-ms']}`);

const nameOf = (i: number) => `c-${String(i).padStart(6, '0')}`;

const server = await startDynamoDbLocal();
let client: DynamoDBClient | undefined;
let counter: OperationCounter | undefined;
const detach = onDynamoClientCreated((c) => {
  client = c;
  counter = countOperations(c);
});
try {
  const tableName = 'sweep-scale';
  const ctx = composeHub({
    tableName,
    queueUrl: 'http://127.0.0.1:9/000000000000/unused',
    dynamodbEndpoint: server.endpoint,
    log: silentLog,
  });
  detach();
  if (!client || !counter) throw new Error('no DynamoDB client was created');
  await createTableIfMissing(client, tableName);

  const now = ctx.ports.clock.now();
  const started = performance.now();
  let next = 0;
  let done = 0;
  const step = Math.max(1, Math.floor(clusters / 10));
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < clusters) {
        const i = next++;
        await ctx.ports.heads.create({
          cluster: nameOf(i),
          desiredRevision: 0,
          state: 'Accepted',
          leaseDurationSeconds: 60,
          credentials: [{ hash: 'a'.repeat(64), issuedAt: now }],
          leaseRenewedAt: now,
        });
        if (++done % step === 0) process.stdout.write(`  ${done}/${clusters} live heads written\n`);
      }
    }),
  );
  process.stdout.write(`${clusters} live heads written in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);

  // The heartbeat log of the sweep's window: every cluster every 30 s, flushed in batches as the
  // agent function's instances would (the batch size is the log's own limit).
  const log = new DynamoHeartbeatLog(client, tableName, { writer: 'benchfill' });
  const names = Array.from({ length: clusters }, (_, i) => nameOf(i));
  let entries = 0;
  for (let ago = 270; ago >= 0; ago -= 30) {
    const at = now - ago * 1000;
    for (const name of names) await log.record(name, at);
    await log.flush();
    entries += clusters;
  }
  process.stdout.write(`${entries} heartbeats written to the log\n`);

  client.middlewareStack.add(
    (next) => async (args) => {
      await new Promise((resolve) => setTimeout(resolve, latencyMs));
      return next(args);
    },
    { step: 'finalizeRequest', name: 'benchRoundTrip' },
  );

  const timed = async (what: string, run: () => Promise<unknown>) => {
    counter!.reset();
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    await run();
    const cpu = process.cpuUsage(cpu0);
    const seconds = (performance.now() - t0) / 1000;
    const ops = counter!.snapshot().counts;
    // CPU of this process only (the SDK and Tether); DynamoDB Local runs in its own.
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    process.stdout.write(
      `${what}: ${seconds.toFixed(2)} s (${cpuSeconds.toFixed(2)} s of CPU here), ${Object.entries(ops)
        .map(([k, v]) => `${v} ${k}`)
        .join(' + ')}\n`,
    );
  };
  process.stdout.write(`With ${latencyMs} ms added to every DynamoDB request:\n`);
  await timed('  scheduler tick (every task; the sweep lists the segments concurrently, 1,000 heads a page)', async () => {
    const out = await runSchedulerTick(ctx);
    if (out['cluster.lease-expiry'] !== 0) throw new Error(`expected no expired leases, got ${JSON.stringify(out)}`);
  });
  await timed('  the same live set listed 100 heads a page, one page after another (how the sweep paged before)', async () => {
    let cursor: string | undefined;
    let seen = 0;
    do {
      const page = await ctx.ports.heads.listLeases(100, cursor);
      seen += page.leases.length;
      cursor = page.cursor;
    } while (cursor);
    if (seen !== clusters) throw new Error(`listed ${seen} heads, expected ${clusters}`);
  });
} finally {
  detach();
  client?.destroy();
  await server.stop();
}
