import { describe, expect, it } from '@jest/globals';
import { z } from 'zod';
import { HUB_CAPABILITIES } from '../../../lambdas/capabilities/index.js';
import { clustersCapability } from '../../../lambdas/capabilities/clusters/capability.js';
import { clusterSetsCapability } from '../../../lambdas/capabilities/clustersets/capability.js';
import { governanceCapability } from '../../../lambdas/capabilities/governance/capability.js';
import { syncCapability } from '../../../lambdas/capabilities/sync/capability.js';
import { placementDecisionsChanged, onDecisionsChanged } from '../../../lambdas/capabilities/placements/events.js';
import { worksCapability } from '../../../lambdas/capabilities/works/capability.js';
import { inventoryCapability } from '../../../lambdas/capabilities/inventory/capability.js';
import { workStatusChanged } from '../../../lambdas/capabilities/works/events.js';
import { defaultHubConfig, type HubContext } from '../../../lambdas/core/context.js';
import { defineEvent, publish } from '../../../lambdas/core/events.js';
import { behaviourFor, buildRegistry, CompositionError, type DomainContribution } from '../../../lambdas/core/registry.js';
import { defineStep, runStep } from '../../../lambdas/core/steps.js';
import { runSchedulerTick } from '../../../lambdas/core/periodic-tasks.js';
import type { StepMessage } from '../../../lambdas/ports/queue.js';
import { MemoryPendingChanges } from '../../../lambdas/adapters/memory/pending-changes.js';
import { clusterSetKind } from '../../../shared/resources/clusterset.js';
import { workKind } from '../../../shared/resources/work.js';

const noop = async () => undefined;
const step = (type: string) => defineStep({ type, payload: z.object({ placement: z.string() }), run: noop });

function contextOf(capabilities: readonly DomainContribution[]): { ctx: HubContext; sent: StepMessage[] } {
  const sent: StepMessage[] = [];
  const ctx = {
    ports: {
      queue: { send: async (m: StepMessage[]) => void sent.push(...m) },
      log: { error() {}, warn() {}, info() {}, debug() {} },
      pendingChanges: new MemoryPendingChanges(),
      clock: { now: () => 0 },
    },
    config: defaultHubConfig,
    registry: buildRegistry(capabilities),
  } as unknown as HubContext;
  return { ctx, sent };
}

describe('buildRegistry', () => {
  it('composes the hub: every step type once, the periodic tasks, and the works part of the desired state', () => {
    const registry = buildRegistry(HUB_CAPABILITIES);
    expect(registry.capabilities).toEqual([
      'clusters',
      'clustersets',
      'works',
      'placements',
      'rollouts',
      'governance',
      'sync',
      'inventory',
      'audit',
      'tenancy',
      'events',
      'console',
      'sso',
    ]);
    expect(registry.kinds.map((k) => k.kind)).toEqual([
      'Cluster',
      'ClusterSet',
      'Work',
      'Placement',
      'FleetDeployment',
      'Policy',
      'PolicySet',
      'SyncRule',
      'ClusterInventoryExport',
      'Role',
      'RoleBinding',
    ]);
    expect(registry.stepTypes).toContain('fleetdeployment.placement-changed');
    expect(registry.stepTypes).toContain('cluster.finalize');
    expect(registry.periodicTasks.map((t) => t.name)).toEqual(['cluster.lease-expiry', 'fleetdeployment.rollouts', 'inventory.refresh']);
    expect(typeof registry.desiredState.works).toBe('function');
    expect(typeof registry.desiredState.policies).toBe('function');
    expect(typeof registry.desiredState.sync).toBe('function');
    expect(typeof registry.desiredState.inventory).toBe('function');
    expect(registry.redaction('Work')).toBeDefined();
    expect(registry.redaction('Cluster')).toBeUndefined();
    expect(Object.isFrozen(registry)).toBe(true);
  });

  it('refuses, at start-up, a hub that serves agents without a provider of every desired-state part', () => {
    // Without works, an agent would be told it has no works and prune everything it applied.
    expect(() => buildRegistry([clustersCapability])).toThrow(CompositionError);
    expect(() => buildRegistry([clustersCapability])).toThrow(
      /no composed capability provides its part\(s\) "works", "policies", "sync", "inventory"/,
    );
    // Without governance, an agent would be told it has no policies and prune what they created.
    expect(() => buildRegistry([clustersCapability, clusterSetsCapability, worksCapability, syncCapability, inventoryCapability])).toThrow(
      /provides its part\(s\) "policies"/,
    );
    // Without resource sync, a destination would be told it receives nothing and delete its copies.
    expect(() =>
      buildRegistry([clustersCapability, clusterSetsCapability, worksCapability, governanceCapability, inventoryCapability]),
    ).toThrow(/provides its part\(s\) "sync"/);
    // Without the inventory, a receiver would be told to keep no ClusterProfiles and delete them.
    expect(() => buildRegistry([clustersCapability, clusterSetsCapability, worksCapability, governanceCapability, syncCapability])).toThrow(
      /provides its part\(s\) "inventory"/,
    );
    expect(() =>
      buildRegistry([
        clustersCapability,
        clusterSetsCapability,
        worksCapability,
        governanceCapability,
        syncCapability,
        inventoryCapability,
      ]),
    ).not.toThrow();
  });

  it('throws when a missing desired-state part is read, instead of answering an empty list', () => {
    const registry = buildRegistry([worksCapability].map((c) => ({ ...c, desiredState: undefined })));
    expect(() => registry.desiredState.works).toThrow(/no composed capability provides the desired-state part "works"/);
  });

  it('refuses a step type, kind, capability or periodic task declared twice', () => {
    expect(() =>
      buildRegistry([
        { name: 'a', steps: [step('x.y')] },
        { name: 'b', steps: [step('x.y')] },
      ]),
    ).toThrow(/step type "x.y" is contributed twice \(by a and b\)/);
    expect(() =>
      buildRegistry([
        { name: 'a', kinds: [workKind] },
        { name: 'b', kinds: [workKind] },
      ]),
    ).toThrow(/kind "Work" is contributed twice/);
    expect(() => buildRegistry([{ name: 'a' }, { name: 'a' }])).toThrow(/capability "a" is composed twice/);
    const task = { name: 't', run: async () => ({ transitions: 0 }) };
    expect(() =>
      buildRegistry([
        { name: 'a', periodicTasks: [task] },
        { name: 'b', periodicTasks: [task] },
      ]),
    ).toThrow(/periodic task "t"/);
  });

  it('refuses behaviour for a kind no composed capability serves', () => {
    expect(() => buildRegistry([{ name: 'a', behaviours: [behaviourFor(workKind, { afterCreate: noop })] }])).toThrow(
      /adds behaviour to Work, but no composed capability serves that kind/,
    );
  });

  it('lets only one capability own initialStatus, delete and decorate of a kind', () => {
    const owner = { name: 'owner', kinds: [clusterSetKind], behaviours: [behaviourFor(clusterSetKind, { initialStatus: () => ({}) })] };
    const intruder = { name: 'intruder', behaviours: [behaviourFor(clusterSetKind, { initialStatus: () => ({}) })] };
    expect(() => buildRegistry([owner, intruder])).toThrow(/ClusterSet.initialStatus is contributed by owner and intruder/);
  });

  it("chains the hooks of a kind in composition order, the owner's first", async () => {
    const calls: string[] = [];
    const owner = {
      name: 'owner',
      kinds: [clusterSetKind],
      behaviours: [behaviourFor(clusterSetKind, { afterCreate: async () => void calls.push('owner') })],
    };
    const follower = {
      name: 'follower',
      behaviours: [behaviourFor(clusterSetKind, { afterCreate: async () => void calls.push('follower') })],
    };
    const { ctx } = contextOf([owner, follower]);
    await ctx.registry.behaviour('ClusterSet').afterCreate?.({} as never, ctx);
    expect(calls).toEqual(['owner', 'follower']);
    expect(ctx.registry.behaviour('Gadget')).toEqual({});
  });

  it('runs the composed steps and dead-letters an unknown type', async () => {
    const ran: unknown[] = [];
    const s = defineStep({ type: 'a.run', payload: z.object({ n: z.number() }), run: async (p) => void ran.push(p) });
    const { ctx } = contextOf([{ name: 'a', steps: [s] }]);
    await runStep({ type: 'a.run', payload: { n: 1 } }, ctx);
    expect(ran).toEqual([{ n: 1 }]);
    await expect(runStep({ type: 'b.run', payload: {} }, ctx)).rejects.toThrow(/unknown step type "b.run"/);
  });

  it("ticks the core's replay of interrupted writes, then only the composed periodic tasks", async () => {
    const { ctx } = contextOf([{ name: 'a', periodicTasks: [{ name: 'a.task', run: async () => ({ transitions: 3 }) }] }]);
    expect(await runSchedulerTick(ctx)).toEqual({ 'core.replay-interrupted-writes': 0, 'a.task': 3 });
  });
});

describe('events', () => {
  it('sends nothing while no composed capability subscribes', async () => {
    const { ctx, sent } = contextOf([{ name: 'placements' }]);
    await onDecisionsChanged(ctx, 'canary-first');
    expect(sent).toEqual([]);
  });

  it("sends each subscriber's step once per distinct payload", async () => {
    const first = step('first.placement-changed');
    const second = step('second.placement-changed');
    const { ctx, sent } = contextOf([
      { name: 'first', subscriptions: [{ event: placementDecisionsChanged, step: first }] },
      { name: 'second', subscriptions: [{ event: placementDecisionsChanged, step: second }] },
    ]);
    expect(ctx.registry.stepTypes).toEqual(['first.placement-changed', 'second.placement-changed']);
    await onDecisionsChanged(ctx, 'a', 'b', 'a');
    expect(sent).toEqual([
      { type: 'first.placement-changed', payload: { placement: 'a' } },
      { type: 'first.placement-changed', payload: { placement: 'b' } },
      { type: 'second.placement-changed', payload: { placement: 'a' } },
      { type: 'second.placement-changed', payload: { placement: 'b' } },
    ]);
  });

  it('validates the payload at the publisher', async () => {
    const event = defineEvent('x.happened', z.object({ n: z.number() }));
    const { ctx } = contextOf([
      { name: 'x', subscriptions: [{ event, step: defineStep({ type: 'x.step', payload: z.object({ n: z.number() }), run: noop }) }] },
    ]);
    await expect(publish(ctx, event, [{ n: 'one' } as never])).rejects.toThrow(/event x.happened payload/);
  });

  it("the hub's rollouts and governance subscribe to placement decisions, rollouts to work status", () => {
    const registry = buildRegistry(HUB_CAPABILITIES);
    expect(registry.subscribers(placementDecisionsChanged).map((s) => s.type)).toEqual([
      'fleetdeployment.placement-changed',
      'governance.placement-changed',
      'sync.placement-changed',
      'inventory.placement-changed',
    ]);
    expect(registry.subscribers(workStatusChanged).map((s) => s.type)).toEqual(['fleetdeployment.work-status-changed']);
  });
});
