import type { HubContext } from '../../../../lambdas/core/context.js';
import { ingestWorkReports } from '../../../../lambdas/capabilities/works/ingest.js';
import { reconcileAvailability } from '../../../../lambdas/capabilities/clusters/availability.js';
import type { TestHub } from '../../../support/local-hub.js';

/**
 * Helpers for rollout tests against the local hub: a fleet of clusters, a placement, and stand-in
 * agents that mark their cluster online and report work status through the hub's real ingest path
 * (which raises the same work-status events the agent API does).
 */

export const API = 'tether.dev/v1alpha1';

/** Creates accepted clusters (their agents may join) with labels through the admin API. */
export async function createClusters(hub: TestHub, clusters: { name: string; labels?: Record<string, string> }[]): Promise<void> {
  for (const c of clusters) {
    const res = await hub.api('/v1/clusters', {
      body: { apiVersion: API, kind: 'Cluster', metadata: { name: c.name, labels: c.labels ?? {} }, spec: { hubAcceptsClient: true } },
    });
    if (res.status !== 201) throw new Error(`create cluster ${c.name}: ${res.status} ${res.text}`);
  }
}

/** Creates a placement over every cluster with label `fleet=<fleet>`, with named groups first. */
export async function createPlacement(
  hub: TestHub,
  name: string,
  fleet: string,
  groups: { groupName: string; labels: Record<string, string> }[] = [],
  perGroup?: number | string,
): Promise<void> {
  const res = await hub.api('/v1/placements', {
    body: {
      apiVersion: API,
      kind: 'Placement',
      metadata: { name },
      spec: {
        predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { fleet } } } }],
        decisionStrategy: {
          groupStrategy: {
            decisionGroups: groups.map((g) => ({
              groupName: g.groupName,
              groupClusterSelector: { labelSelector: { matchLabels: g.labels } },
            })),
            ...(perGroup !== undefined ? { clustersPerDecisionGroup: perGroup } : {}),
          },
        },
      },
    },
  });
  if (res.status !== 201) throw new Error(`create placement ${name}: ${res.status} ${res.text}`);
}

/** A FleetDeployment document. */
export function fleetDeployment(name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: API, kind: 'FleetDeployment', metadata: { name }, spec };
}

/** A ConfigMap manifest whose data may hold template references. */
export function configMap(name: string, data: Record<string, string>): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'retail' }, data };
}

/**
 * Marks a cluster's agent as joined with a live lease, as a poll would, and runs what the poll's
 * lease-renewed step runs: the record turns Available and loses the hub's unreachable taint (a
 * cluster that never reported carries it), so placements may choose it. On a cluster that holds
 * its lease already, it records a heartbeat, as a later poll does.
 */
export async function markOnline(ctx: HubContext, cluster: string): Promise<void> {
  const head = await ctx.ports.heads.get(cluster, { consistent: true });
  if (!head) throw new Error(`cluster ${cluster} has no head`);
  // As the join endpoint: an agent joins only a cluster the hub accepted.
  if (head.state === 'Pending' || head.state === 'Denied')
    throw new Error(`cluster ${cluster} is ${head.state}: create it with spec.hubAcceptsClient true`);
  const now = ctx.ports.clock.now();
  const joined = await ctx.ports.heads.put({ ...head, state: 'Joined' });
  if (joined.leaseRenewedAt === undefined) {
    if (await ctx.ports.heads.renewLease(cluster, now)) await reconcileAvailability(ctx, cluster);
  } else {
    // A poll of a live cluster records a heartbeat, so a test that moves the clock keeps it live.
    await ctx.ports.heartbeats.record(cluster, now);
  }
}

/** What a stand-in agent reports for a work. */
export interface WorkHealth {
  applied?: boolean;
  available?: boolean;
  degraded?: boolean;
  message?: string;
}

/**
 * Reports the status of the work `name` of `cluster` at its current generation, as the agent would
 * after applying it. Returns the generation reported, or undefined when the cluster has no such work.
 */
export async function reportWork(
  ctx: HubContext,
  cluster: string,
  name: string,
  health: WorkHealth = { applied: true, available: true },
): Promise<number | undefined> {
  const work = await ctx.ports.resources.get({ kind: 'Work', namespace: cluster, name }, { consistent: true });
  if (!work) return undefined;
  const gen = work.metadata.generation;
  const t = new Date(ctx.ports.clock.now()).toISOString();
  const cond = (type: string, ok: boolean, reason: string) => ({
    type,
    status: (ok ? 'True' : 'False') as 'True' | 'False',
    reason,
    message: health.message ?? reason,
    lastTransitionTime: t,
    observedGeneration: gen,
  });
  await ingestWorkReports(ctx, cluster, {
    observedRevision: '1',
    agentVersion: '0.1.0',
    healthy: true,
    works: [
      {
        name,
        observedGeneration: gen,
        conditions: [
          cond('Applied', health.applied ?? true, health.applied === false ? 'AppliedManifestsFailed' : 'AppliedManifestsComplete'),
          cond('Available', health.available ?? true, health.available === false ? 'ResourcesNotAvailable' : 'ResourcesAvailable'),
          cond('Degraded', health.degraded ?? false, health.degraded ? 'ResourcesDegraded' : 'AsExpected'),
        ],
        manifests: [],
      },
    ],
  });
  return gen;
}

/** The works of a deployment on every cluster that has one: cluster -> {revision annotation, manifests}. */
export async function worksOf(
  ctx: HubContext,
  clusters: string[],
  name: string,
): Promise<Record<string, { revision: string | undefined; spec: unknown }>> {
  const out: Record<string, { revision: string | undefined; spec: unknown }> = {};
  for (const c of clusters) {
    const w = await ctx.ports.resources.get({ kind: 'Work', namespace: c, name }, { consistent: true });
    if (w) out[c] = { revision: w.metadata.annotations?.['tether.dev/revision'], spec: w.spec };
  }
  return out;
}

/** Lets queued steps run (settle), then runs one scheduler tick and settles again. */
export async function drain(hub: TestHub): Promise<void> {
  await hub.settle(20_000);
  await hub.tick();
  await hub.settle(20_000);
}
