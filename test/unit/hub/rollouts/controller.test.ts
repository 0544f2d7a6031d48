import { describe, expect, it } from '@jest/globals';
import { parseDesired, ResourceService } from '../../../../lambdas/core/resource-service.js';
import { pauseRollout, resumeRollout } from '../../../../lambdas/capabilities/rollouts/control.js';
import type { FleetDeploymentStatus } from '../../../../shared/resources/fleetdeployment.js';
import { API, configMap, fleetDeployment, markOnline, reportWork, worksOf } from '../../../integration/rollouts/support/fleet.js';
import { memoryHubContext, type MemoryHub } from '../../../support/memory-hub.js';

/**
 * The rollout controller over the in-memory ports: the real steps, the real planner, a manual
 * clock and a queue delivered by the test. Fast enough to walk a rollout wave by wave; the same
 * flows through the admin API and the emulators are in test/integration/rollouts.
 */

const MIN = 60_000;
/** How long the controller waits after a work-status event before it runs (it gathers events). */
const EVENT_DELAY_MS = 2_000;
const names = Array.from({ length: 6 }, (_, i) => `s-${i}`);

/**
 * Six online clusters chosen by placement `p`, and deployment `app` with the given spec parts.
 * `neverJoined` clusters match the placement too but no agent of theirs ever reported.
 */
async function rollout(spec: Record<string, unknown>, neverJoined: { name: string; accepted: boolean }[] = []): Promise<MemoryHub> {
  const hub = memoryHubContext();
  const service = new ResourceService(hub.ctx);
  for (const name of names)
    await service.apply(
      parseDesired({ apiVersion: API, kind: 'Cluster', metadata: { name, labels: { fleet: 'f' } }, spec: { hubAcceptsClient: true } }),
      false,
    );
  for (const c of neverJoined) {
    await service.apply(
      parseDesired({
        apiVersion: API,
        kind: 'Cluster',
        metadata: { name: c.name, labels: { fleet: 'f' } },
        spec: { hubAcceptsClient: c.accepted },
      }),
      false,
    );
  }
  const placement = { predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { fleet: 'f' } } } }] };
  await service.apply(parseDesired({ apiVersion: API, kind: 'Placement', metadata: { name: 'p' }, spec: placement }), false);
  await hub.settle();
  for (const name of names) await markOnline(hub.ctx, name);
  await service.apply(
    parseDesired(
      fleetDeployment('app', {
        template: { workload: { manifests: [configMap('app', { v: '1' })] } },
        placementRef: { name: 'p' },
        ...spec,
      }),
    ),
    false,
  );
  await hub.settle();
  return hub;
}

async function status(hub: MemoryHub): Promise<FleetDeploymentStatus> {
  const fd = await hub.ctx.ports.resources.get({ kind: 'FleetDeployment', name: 'app' });
  return fd?.status as FleetDeploymentStatus;
}

async function clustersWithWork(hub: MemoryHub): Promise<string[]> {
  return Object.keys(await worksOf(hub.ctx, names, 'app')).sort();
}

/**
 * The agents of `clusters` report their Work healthy (or as given); the controller reacts once the
 * events' run, delayed by a couple of seconds to gather them, is due.
 */
async function report(hub: MemoryHub, clusters: string[], health?: Parameters<typeof reportWork>[3]): Promise<void> {
  for (const c of clusters) expect(await reportWork(hub.ctx, c, 'app', health)).toBeDefined();
  await hub.settle();
  await hub.advance(EVENT_DELAY_MS);
}

describe('rollout controller on the memory ports', () => {
  it('rolls out progressively, maxConcurrency clusters per wave, until complete', async () => {
    const hub = await rollout({ rolloutStrategy: { type: 'Progressive', maxConcurrency: 2 } });
    expect(await clustersWithWork(hub)).toEqual(['s-0', 's-1']);
    expect(await status(hub)).toMatchObject({ state: 'Progressing', revision: 1, waves: 1, summary: { total: 6, updated: 0 } });

    await report(hub, ['s-0', 's-1']);
    expect(await clustersWithWork(hub)).toEqual(['s-0', 's-1', 's-2', 's-3']);
    expect(await status(hub)).toMatchObject({ state: 'Progressing', waves: 2, summary: { total: 6, updated: 2, available: 2 } });

    await report(hub, ['s-2', 's-3']);
    expect(await clustersWithWork(hub)).toEqual(names);
    await report(hub, ['s-4', 's-5']);
    expect(await status(hub)).toMatchObject({ state: 'Complete', waves: 3, summary: { total: 6, updated: 6, available: 6, failed: 0 } });
    const works = await worksOf(hub.ctx, names, 'app');
    expect(Object.values(works).map((w) => w.revision)).toEqual(names.map(() => '1'));
  });

  it('leaves clusters that never joined out, so maxFailures 0 completes; a store joins the rollout when its agent comes', async () => {
    // Stores registered before their hardware arrived: one not accepted yet, one accepted with no agent.
    const waiting = [
      { name: 'new-pending', accepted: false },
      { name: 'new-accepted', accepted: true },
    ];
    const hub = await rollout({ rolloutStrategy: { type: 'All', progressDeadline: '5m', maxFailures: 0 } }, waiting);
    const decided = await hub.ctx.ports.resources.get({ kind: 'Placement', name: 'p' });
    expect((decided?.status as { numberOfSelectedClusters: number }).numberOfSelectedClusters).toBe(6);
    expect(await clustersWithWork(hub)).toEqual(names);
    await report(hub, names);
    // Well past progressDeadline (the joined stores keep polling): nothing failed, nothing waits.
    await hub.advance(10 * MIN);
    for (const name of names) await markOnline(hub.ctx, name);
    await hub.tick();
    await hub.settle();
    const s = await status(hub);
    expect(s).toMatchObject({ state: 'Complete', summary: { total: 6, updated: 6, available: 6, failed: 0 } });
    expect(s.clusters).toEqual([]);

    // The accepted store's agent polls for the first time: the taint goes, the placement takes it, and it gets the revision.
    await markOnline(hub.ctx, 'new-accepted');
    await hub.settle();
    await hub.advance(EVENT_DELAY_MS);
    expect(Object.keys(await worksOf(hub.ctx, [...names, 'new-accepted', 'new-pending'], 'app')).sort()).toEqual([
      'new-accepted',
      ...names,
    ]);
  });

  it('finishes as CompleteWithFailures, not Complete, when clusters failed within maxFailures', async () => {
    const hub = await rollout({ rolloutStrategy: { type: 'All', maxFailures: 1 } });
    await report(hub, ['s-0', 's-1', 's-2', 's-3', 's-4']);
    await report(hub, ['s-5'], { applied: false, available: false, message: 'image pull failed' });
    const s = await status(hub);
    expect(s).toMatchObject({ state: 'CompleteWithFailures', summary: { total: 6, available: 5, failed: 1 } });
    expect(s.clusters).toContainEqual({ cluster: 's-5', reason: 'ApplyFailed', message: 'image pull failed' });
    expect(s.conditions.find((c) => c.type === 'Complete')).toMatchObject({ status: 'True', reason: 'RolloutCompleteWithFailures' });
    expect(s.conditions.find((c) => c.type === 'Failed')).toMatchObject({ status: 'False' });
  });

  it('pauses at maxFailures and hands out no new wave until a resume acknowledges the failures', async () => {
    const hub = await rollout({ rolloutStrategy: { type: 'Progressive', maxConcurrency: 2, maxFailures: 0 } });
    // In the same run: s-0 is available, s-1 failed to apply.
    expect(await reportWork(hub.ctx, 's-0', 'app')).toBeDefined();
    await report(hub, ['s-1'], { applied: false, available: false, message: 'image pull failed' });
    let s = await status(hub);
    expect(s).toMatchObject({ state: 'Failed', pausedReason: 'MaxFailuresExceeded', failurePause: { failed: 1, revision: 1 } });
    expect(s.clusters).toContainEqual({ cluster: 's-1', reason: 'ApplyFailed', message: 'image pull failed' });
    expect(await clustersWithWork(hub)).toEqual(['s-0', 's-1']);

    hub.clock.advance(1000);
    await resumeRollout(hub.ctx, 'app');
    await hub.settle();
    s = await status(hub);
    expect(s.state).toBe('Progressing');
    expect(s.control?.acknowledgedFailures).toEqual({ revision: 1, count: 1 });
    expect(await clustersWithWork(hub)).toEqual(['s-0', 's-1', 's-2', 's-3']);
  });

  it('hands out no wave while paused, and goes on after a resume', async () => {
    const hub = await rollout({ rolloutStrategy: { type: 'Progressive', maxConcurrency: 2 } });
    await pauseRollout(hub.ctx, 'app');
    await hub.settle();
    await report(hub, ['s-0', 's-1']);
    expect(await clustersWithWork(hub)).toEqual(['s-0', 's-1']);
    expect(await status(hub)).toMatchObject({ state: 'Paused', pausedReason: 'PausedByUser', summary: { updated: 2 } });

    hub.clock.advance(1000);
    await resumeRollout(hub.ctx, 'app');
    await hub.settle();
    expect(await clustersWithWork(hub)).toEqual(['s-0', 's-1', 's-2', 's-3']);
    expect((await status(hub)).state).toBe('Progressing');
  });

  it('waits while the maintenance window is closed, and rolls out once it opens', async () => {
    // The clock starts at 12:00 UTC; the window opens at 18:00 UTC for ten minutes.
    const hub = await rollout({
      rolloutStrategy: { type: 'All' },
      maintenanceWindows: [{ schedule: '0 18 * * *', duration: '10m', timeZone: 'UTC' }],
    });
    expect(await clustersWithWork(hub)).toEqual([]);
    expect(await status(hub)).toMatchObject({ state: 'WaitingForWindow', summary: { total: 6, pendingWindow: 6, updated: 0 } });

    // Still closed a minute before: a scheduler tick changes nothing. The agents keep polling
    // meanwhile, so their clusters stay live (a silent one would be tainted unreachable).
    await hub.advance(6 * 60 * MIN - MIN);
    for (const name of names) await markOnline(hub.ctx, name);
    await hub.tick();
    expect(await clustersWithWork(hub)).toEqual([]);

    await hub.advance(2 * MIN);
    for (const name of names) await markOnline(hub.ctx, name);
    await hub.tick();
    expect(await clustersWithWork(hub)).toEqual(names);
    expect(await status(hub)).toMatchObject({ state: 'Progressing', summary: { total: 6, pendingWindow: 0 } });
  });

  it('fails a cluster that is not available within progressDeadline, when its wake-up comes', async () => {
    const hub = await rollout({ rolloutStrategy: { type: 'All', progressDeadline: '5m', maxFailures: 0 } });
    expect(await clustersWithWork(hub)).toEqual(names);
    await report(hub, names.slice(0, 5));
    expect(await status(hub)).toMatchObject({ state: 'Progressing', summary: { available: 5, failed: 0 } });
    // The controller asked to be woken at the deadline: a delayed message, not visible before it.
    expect(hub.ports.queue.messages.map((q) => q.message.type)).toContain('fleetdeployment.progress');
    await hub.advance(4 * MIN);
    expect((await status(hub)).summary).toMatchObject({ failed: 0 });

    await hub.advance(MIN + 1000);
    const s = await status(hub);
    expect(s).toMatchObject({ state: 'Failed', pausedReason: 'MaxFailuresExceeded', summary: { available: 5, failed: 1 } });
    expect(s.clusters).toEqual([{ cluster: 's-5', reason: 'ProgressDeadlineExceeded', message: 'not available within progressDeadline' }]);
  });
});
