import { describe, expect, it } from '@jest/globals';
import { parseDesired, requireKind, ResourceService } from '../../../../lambdas/core/resource-service.js';
import { reconcileAvailability } from '../../../../lambdas/capabilities/clusters/availability.js';
import type { ClusterStatus } from '../../../../shared/resources/cluster.js';
import type { Resource } from '../../../../shared/resources/meta.js';
import { API, markOnline } from '../../../integration/rollouts/support/fleet.js';
import { memoryHubContext, type MemoryHub } from '../../../support/memory-hub.js';

/**
 * `status.lastSeen` is the cluster's last heartbeat, filled in when the record is read: a healthy
 * cluster whose record has not changed for an hour reads "seconds ago", and one whose agent was
 * killed reads the time of its last heartbeat, growing older. The poll path is untouched: the
 * heartbeats here are recorded exactly as a poll records them, and nothing writes the record.
 */

const MIN = 60_000;

async function hubWith(names: string[]): Promise<{ hub: MemoryHub; service: ResourceService }> {
  const hub = memoryHubContext();
  const service = new ResourceService(hub.ctx);
  for (const name of names)
    await service.apply(parseDesired({ apiVersion: API, kind: 'Cluster', metadata: { name }, spec: { hubAcceptsClient: true } }), false);
  await hub.settle();
  for (const name of names) {
    await markOnline(hub.ctx, name);
    // What the poll that took the lease queues: the record turns Available.
    await reconcileAvailability(hub.ctx, name);
  }
  await hub.settle();
  return { hub, service };
}

/**
 * Polls of live agents for `ms`, every 30 s (half the default lease), as the poll path records
 * them, with the scheduler's lease sweep running in between as it does on a hub.
 */
async function polls(hub: MemoryHub, clusters: string[], ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 30_000) {
    hub.clock.advance(30_000);
    for (const c of clusters) await hub.ctx.ports.heartbeats.record(c, hub.clock.now());
    await hub.tick();
  }
}

const seenAgo = (r: Resource, now: number) => now - Date.parse((r.status as ClusterStatus).lastSeen ?? '1970-01-01T00:00:00Z');

describe('status.lastSeen at read time', () => {
  it('shows the last heartbeat: a healthy cluster is fresh, a killed agent grows stale, with get and list alike', async () => {
    const { hub, service } = await hubWith(['healthy', 'killed']);
    const info = requireKind('clusters');
    await polls(hub, ['healthy', 'killed'], 2 * MIN);
    const killedAt = hub.clock.now();
    // The agent of "killed" stops; "healthy" keeps polling for ten minutes, changing nothing on its record.
    await polls(hub, ['healthy'], 10 * MIN);
    const storedBefore = await hub.ctx.ports.resources.get({ kind: 'Cluster', name: 'healthy' });
    const now = hub.clock.now();

    // Within half a lease plus the heartbeat flush interval, as documented.
    const bound = 30_000 + hub.ctx.ports.heartbeats.lagMs;
    const healthy = await service.get(info, 'healthy');
    expect(seenAgo(healthy, now)).toBeLessThanOrEqual(bound);
    const killed = await service.get(info, 'killed');
    // Never fresher than its last heartbeat (before this change it read fresher than "healthy").
    expect(Date.parse((killed.status as ClusterStatus).lastSeen!)).toBeLessThanOrEqual(killedAt);
    expect(seenAgo(killed, now)).toBeGreaterThanOrEqual(10 * MIN);
    expect((killed.status as ClusterStatus).conditions.find((c) => c.type === 'Available')).toMatchObject({
      status: 'Unknown',
      reason: 'LeaseExpired',
    });

    const list = await service.list(info, { limit: 10 });
    const byName = Object.fromEntries(list.items.map((r) => [r.metadata.name, r]));
    expect(seenAgo(byName.healthy, now)).toBeLessThanOrEqual(bound);
    expect(seenAgo(byName.killed, now)).toBeGreaterThanOrEqual(10 * MIN);

    // Reading wrote nothing: the stored record is the one from before, and its own lastSeen is old.
    const stored = await hub.ctx.ports.resources.get({ kind: 'Cluster', name: 'healthy' });
    expect(stored).toEqual(storedBefore);
    expect(now - Date.parse((stored!.status as ClusterStatus).lastSeen ?? '1970-01-01T00:00:00Z')).toBeGreaterThan(10 * MIN);
  });

  it('keeps a sign of life on the record when the lease expires, never a later one than the last heartbeat', async () => {
    const { hub, service } = await hubWith(['gone']);
    const before = (await hub.ctx.ports.resources.get({ kind: 'Cluster', name: 'gone' }))!.status as ClusterStatus;
    await polls(hub, ['gone'], MIN);
    const lastBeat = Math.floor(hub.clock.now() / 1000) * 1000;
    // Silent past three leases and the flush lag: the sweep drops the lease.
    await polls(hub, [], 4 * MIN);
    const stored = (await hub.ctx.ports.resources.get({ kind: 'Cluster', name: 'gone' }))!;
    expect(stored.status).toMatchObject({
      conditions: expect.arrayContaining([expect.objectContaining({ type: 'Available', status: 'Unknown', reason: 'LeaseExpired' })]),
    });
    const kept = Date.parse((stored.status as ClusterStatus).lastSeen!);
    expect(kept).toBeLessThanOrEqual(lastBeat);
    expect(kept).toBeGreaterThanOrEqual(Date.parse(before.lastSeen ?? '1970-01-01T00:00:00Z'));
    const read = await service.get(requireKind('clusters'), 'gone');
    expect(Date.parse((read.status as ClusterStatus).lastSeen!)).toBe(kept);
  });

  it('a cluster whose agent never polled has no lastSeen', async () => {
    const hub = memoryHubContext();
    const service = new ResourceService(hub.ctx);
    await service.apply(parseDesired({ apiVersion: API, kind: 'Cluster', metadata: { name: 'new-store' } }), false);
    await hub.settle();
    expect((await service.get(requireKind('clusters'), 'new-store')).status).not.toHaveProperty('lastSeen');
  });
});
