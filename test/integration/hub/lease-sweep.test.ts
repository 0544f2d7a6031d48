import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import { createTableIfMissing } from '../../../lambdas/adapters/dynamodb/index.js';
import { pollDesiredState } from '../../../lambdas/capabilities/clusters/agent-service.js';
import { EXPIRY_BATCH_LIMIT } from '../../../lambdas/capabilities/clusters/availability.js';
import { mintAgentToken } from '../../../lambdas/capabilities/clusters/tokens.js';
import type { HubContext } from '../../../lambdas/core/context.js';
import { parseDesired, ResourceService } from '../../../lambdas/core/resource-service.js';
import { runSchedulerTick } from '../../../lambdas/core/periodic-tasks.js';
import { runStep } from '../../../lambdas/core/steps.js';
import { clockAt } from '../../../lambdas/ports/clock.js';
import type { StepMessage } from '../../../lambdas/ports/queue.js';
import { ForbiddenError } from '../../../shared/errors.js';
import { recordingHub, useDynalite } from '../../support/recording-hub.js';

/**
 * The lease across processes, as in AWS: agents' polls are served by one process (an agent-function
 * instance with its own heartbeat buffer), the sweep runs in another (the scheduler), and they share
 * only the table. Time is a shared injected clock; step messages are delivered by the test, twice.
 */
const dynamo = useDynalite();
const LEASE = 60;
const FLUSH = 10;
const CLUSTER = 'store-1';

let now = 1_800_000_000_000;
const clock = clockAt(() => now);
const advance = (seconds: number) => void (now += seconds * 1000);
let table = 0;
let agentSide: { ctx: HubContext; sent: StepMessage[] };
let scheduler: { ctx: HubContext; sent: StepMessage[] };
let token = '';

/** Delivers every queued message of both sides, each twice, until none are left. */
async function deliverTwice(): Promise<void> {
  for (;;) {
    const batch = [...agentSide.sent.splice(0), ...scheduler.sent.splice(0)];
    if (batch.length === 0) return;
    for (const m of [...batch, ...batch]) await runStep(m, scheduler.ctx);
  }
}

async function poll(): Promise<void> {
  await pollDesiredState(agentSide.ctx, { token }, undefined);
}

async function sweep(): Promise<number> {
  return Number((await runSchedulerTick(scheduler.ctx))['cluster.lease-expiry']);
}

async function available(): Promise<{ status: string; reason: string; message: string } | undefined> {
  const record = await scheduler.ctx.ports.resources.get({ kind: 'Cluster', name: CLUSTER }, { consistent: true });
  const conditions =
    (record?.status as { conditions?: Array<{ type: string; status: string; reason: string; message: string }> }).conditions ?? [];
  return conditions.find((c) => c.type === 'Available');
}

beforeEach(async () => {
  const name = `lease-${++table}`;
  await createTableIfMissing(dynamo(), name);
  agentSide = recordingHub(dynamo(), name, { dropDelays: true });
  scheduler = recordingHub(dynamo(), name, { dropDelays: true });
  agentSide.ctx.ports.clock = clock;
  scheduler.ctx.ports.clock = clock;
  await new ResourceService(scheduler.ctx).apply(
    parseDesired({
      apiVersion: 'tether.dev/v1alpha1',
      kind: 'Cluster',
      metadata: { name: CLUSTER },
      spec: { hubAcceptsClient: true, leaseDurationSeconds: LEASE },
    }),
    false,
  );
  await deliverTwice();
  const head = await scheduler.ctx.ports.heads.get(CLUSTER, { consistent: true });
  if (!head) throw new Error('no head');
  const minted = mintAgentToken(scheduler.ctx.ports.ids, 'credential', CLUSTER);
  await scheduler.ctx.ports.heads.put({ ...head, state: 'Joined', credentials: [{ hash: minted.hash, issuedAt: now }] });
  token = minted.token;
});

// Each test drives dozens of polls and sweeps through dynalite: seconds of real time on a loaded machine.
jest.setTimeout(60_000);

describe('lease across processes', () => {
  it('a polling cluster is never expired by the other process; a silent one turns Unknown after 3 leases + flush interval, and recovers on its next poll', async () => {
    expect(agentSide.ctx.ports.heartbeats.lagMs).toBe(FLUSH * 1000);
    await poll();
    expect(agentSide.sent.map((m) => m.type)).toEqual(['cluster.lease-renewed']);
    await deliverTwice();
    expect(await available()).toMatchObject({ status: 'True' });
    const renewedAt = (await scheduler.ctx.ports.heads.get(CLUSTER, { consistent: true }))?.leaseRenewedAt;

    // Ten minutes of polls every 30 s, a sweep every minute: nothing expires, the head is not written.
    for (let i = 0; i < 20; i++) {
      advance(30);
      await poll();
      if (i % 2 === 1) expect(await sweep()).toBe(0);
    }
    expect(agentSide.sent).toEqual([]);
    const head = await scheduler.ctx.ports.heads.get(CLUSTER, { consistent: true });
    expect(head?.leaseRenewedAt).toBe(renewedAt);

    // Silent from now: just under 3 leases + the flush interval nothing happens, then it expires.
    advance(3 * LEASE + FLUSH - 1);
    expect(await sweep()).toBe(0);
    advance(1);
    expect(await sweep()).toBe(1);
    await deliverTwice();
    expect(await available()).toMatchObject({
      status: 'Unknown',
      reason: 'LeaseExpired',
      message: `no heartbeat for ${3 * LEASE + FLUSH} s`,
    });
    expect((await scheduler.ctx.ports.heads.get(CLUSTER, { consistent: true }))?.leaseRenewedAt).toBeUndefined();
    expect((await scheduler.ctx.ports.heads.listLeases(100)).leases).toEqual([]);
    // Out of the live set: later sweeps find nothing.
    advance(600);
    expect(await sweep()).toBe(0);

    // The next poll takes a new lease and announces it.
    await poll();
    expect(agentSide.sent.map((m) => m.type)).toEqual(['cluster.lease-renewed']);
    await deliverTwice();
    expect(await available()).toMatchObject({ status: 'True' });
  });

  it('an agent that says how old its last recorded heartbeat is gets one recorded every half lease, and stays live', async () => {
    await poll();
    await deliverTwice();
    const renewedAt = now;
    // The agent's side of the header: whole seconds since the last poll the hub answered "recorded".
    let recordedAt = now;
    const pattern: boolean[] = [];
    for (let i = 0; i < 20; i++) {
      advance(29);
      const out = await pollDesiredState(agentSide.ctx, { token }, undefined, () => Math.floor((now - recordedAt) / 1000));
      pattern.push(out.heartbeat);
      if (out.heartbeat) recordedAt = now;
      if (i % 2 === 1) expect(await sweep()).toBe(0);
      await agentSide.ctx.ports.heartbeats.flush();
      // The last sign of life the sweep sees (the log, or the renewal) is never more than a lease old.
      const seen = Math.max(renewedAt, (await scheduler.ctx.ports.heartbeats.read(now - 10 * 60_000, now)).get(CLUSTER) ?? 0);
      expect(now - seen).toBeLessThanOrEqual(LEASE * 1000);
    }
    // 29 s apart, a 60 s lease: every other poll is recorded.
    expect(pattern).toEqual(Array.from({ length: 20 }, (_, i) => i % 2 === 1));
    expect(agentSide.sent).toEqual([]);
    // An agent that knows of no recorded heartbeat (it restarted) is always recorded.
    advance(1);
    expect((await pollDesiredState(agentSide.ctx, { token }, undefined)).heartbeat).toBe(true);
    // Silent after a poll that was not recorded: the grace runs from the last recorded one.
    advance(29);
    expect((await pollDesiredState(agentSide.ctx, { token }, undefined, () => 29)).heartbeat).toBe(false);
    await agentSide.ctx.ports.heartbeats.flush();
    advance(3 * LEASE + FLUSH - 29 - 1);
    expect(await sweep()).toBe(0);
    advance(1);
    expect(await sweep()).toBe(1);
  });

  it('a late expiry step leaves a lease taken after the sweep judged it', async () => {
    await poll();
    await deliverTwice();
    advance(3 * LEASE + FLUSH);
    expect(await sweep()).toBe(1);
    const stale = scheduler.sent.splice(0);
    await runStep(stale[0], scheduler.ctx);
    // Back: a new lease, announced.
    advance(5);
    await poll();
    await deliverTwice();
    expect(await available()).toMatchObject({ status: 'True' });
    const renewed = (await scheduler.ctx.ports.heads.get(CLUSTER, { consistent: true }))?.leaseRenewedAt;
    // The old step again (a redelivery): the newer lease stays, and so does Available.
    await runStep(stale[0], scheduler.ctx);
    await deliverTwice();
    expect((await scheduler.ctx.ports.heads.get(CLUSTER, { consistent: true }))?.leaseRenewedAt).toBe(renewed);
    expect(await available()).toMatchObject({ status: 'True' });
  });

  it('a mass outage turns Unknown at most EXPIRY_BATCH_LIMIT clusters a tick; the rest follow on the next ticks', async () => {
    const fleet = Array.from({ length: EXPIRY_BATCH_LIMIT + 5 }, (_, i) => `outage-${String(i).padStart(5, '0')}`);
    for (let i = 0; i < fleet.length; i += 100) {
      await Promise.all(
        fleet.slice(i, i + 100).map((cluster) =>
          scheduler.ctx.ports.heads.create({
            cluster,
            desiredRevision: 0,
            state: 'Joined',
            leaseDurationSeconds: LEASE,
            credentials: [],
            leaseRenewedAt: now,
          }),
        ),
      );
    }
    // All of them silent for 3 leases + the flush interval.
    advance(3 * LEASE + FLUSH);
    expect(await sweep()).toBe(EXPIRY_BATCH_LIMIT);
    const first = scheduler.sent.splice(0);
    expect(first.filter((m) => m.type === 'cluster.lease-expired')).toHaveLength(EXPIRY_BATCH_LIMIT);
    for (const m of first) await runStep(m, scheduler.ctx);
    advance(60);
    expect(await sweep()).toBe(5);
    const second = scheduler.sent.splice(0).map((m) => (m.payload as { cluster: string }).cluster);
    const handled = new Set(first.map((m) => (m.payload as { cluster: string }).cluster));
    expect(second.filter((c) => handled.has(c))).toEqual([]);
    expect([...handled, ...second].sort()).toEqual(fleet);
  }, 60_000);

  it("a denied cluster's polls are refused before any heartbeat is recorded", async () => {
    await poll();
    await deliverTwice();
    advance(FLUSH);
    const head = await scheduler.ctx.ports.heads.get(CLUSTER, { consistent: true });
    if (!head) throw new Error('no head');
    await scheduler.ctx.ports.heads.put({ ...head, credentials: [] });
    const before = now;
    await expect(poll()).rejects.toBeInstanceOf(ForbiddenError);
    expect((await agentSide.ctx.ports.heartbeats.read(before, now)).has(CLUSTER)).toBe(false);
  });
});
