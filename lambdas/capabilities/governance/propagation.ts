import { z } from 'zod';
import { pMap } from '../../../shared/concurrency.js';
import { policyKind, policySetKind } from '../../../shared/resources/policy.js';
import type { HubContext } from '../../core/context.js';
import { defineStep, stepMessage } from '../../core/steps.js';
import { listResources, readResource, readResources } from '../../core/typed-resources.js';
import type { StepMessage } from '../../ports/queue.js';
import { allDecisions } from '../placements/decision-store.js';
import { bumpClusterRevision } from '../works/works.js';
import { deleteComplianceItem, deletePolicyComplianceItems } from './compliance-store.js';
import {
  CLUSTER_POLICIES,
  listAllTargets,
  policiesOfCluster,
  PLACEMENT_POLICIES,
  PLACEMENT_POLICYSETS,
  POLICY_CLUSTERS,
  policyStamp,
} from './relations.js';

/**
 * Propagation: which clusters get which policy. A policy goes to the clusters its own placement
 * chooses and to those of every PolicySet that lists it. One idempotent step,
 * `governance.sync-policy {policy}`, re-reads everything and moves the relation items and the
 * clusters' desired revisions to agree; every trigger (policy and set writes, placement decisions,
 * a policy's deletion) only queues it, so no request fans out across the fleet.
 *
 * Order of writes, so a step stopped part-way is finished by running it again: the reverse item
 * (what the desired state reads) first, then the cluster's revision bump, then the forward item
 * with the policy's stamp, which is the record that the cluster was told. A removal goes the same
 * way: reverse item and compliance item, bump, forward item last.
 */

/** Concurrent revision bumps of one sync (bounded, so a fleet-wide policy does not flood the table). */
const BUMP_CONCURRENCY = 16;

/** Every PolicySet (sets are few and small: one Query per page). */
async function allPolicySets(ctx: HubContext) {
  const out = [];
  let cursor: string | undefined;
  do {
    const page = await listResources(ctx, policySetKind, { limit: 500, cursor, consistent: true });
    out.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return out.filter((s) => !s.metadata.deletionTimestamp);
}

/** The clusters a policy should be on: its placement's decisions and those of every set that lists it. */
export async function wantedClusters(ctx: HubContext, policy: string, placementRef: string | undefined): Promise<Set<string>> {
  const placements = new Set<string>();
  if (placementRef) placements.add(placementRef);
  for (const set of await allPolicySets(ctx)) {
    if (set.spec.placementRef && set.spec.policies.includes(policy)) placements.add(set.spec.placementRef.name);
  }
  const wanted = new Set<string>();
  for (const placement of placements) for (const cluster of (await allDecisions(ctx, placement)).keys()) wanted.add(cluster);
  return wanted;
}

/** What one sync changed. */
export interface SyncOutcome {
  added: string[];
  removed: string[];
  /** Clusters that kept the policy but were told about a new generation or incarnation. */
  refreshed: string[];
}

/** Makes a policy's relation items and its clusters' revisions agree with the policy as stored now. */
export async function syncPolicy(ctx: HubContext, name: string): Promise<SyncOutcome> {
  const policy = await readResource(ctx, policyKind, { name }, { consistent: true });
  const live = policy && !policy.metadata.deletionTimestamp ? policy : undefined;
  const wanted = live ? await wantedClusters(ctx, name, live.spec.placementRef?.name) : new Set<string>();
  const stamp = live ? policyStamp(live) : '';
  const current = new Map((await listAllTargets(ctx, POLICY_CLUSTERS, name)).map((i) => [i.to, i.data?.s]));
  const put = [...wanted].filter((c) => current.get(c) !== stamp);
  const removed = [...current.keys()].filter((c) => !wanted.has(c));
  const { relations } = ctx.ports;

  await relations.putMany(put.map((c) => ({ relation: CLUSTER_POLICIES, from: c, to: name })));
  await relations.removeMany(removed.map((c) => ({ relation: CLUSTER_POLICIES, from: c, to: name })));
  // A cluster that leaves a policy keeps no current compliance for it (history stays).
  await pMap(removed, (c) => deleteComplianceItem(ctx, name, c), { concurrency: BUMP_CONCURRENCY });
  if (!live) await deletePolicyComplianceItems(ctx, name);
  await pMap([...put, ...removed], (c) => bumpClusterRevision(ctx, c), { concurrency: BUMP_CONCURRENCY });
  await relations.putMany(put.map((c) => ({ relation: POLICY_CLUSTERS, from: name, to: c, data: { s: stamp } })));
  await relations.removeMany(removed.map((c) => ({ relation: POLICY_CLUSTERS, from: name, to: c })));

  const outcome = {
    added: put.filter((c) => !current.has(c)),
    removed,
    refreshed: put.filter((c) => current.has(c)),
  };
  if (put.length || removed.length) ctx.ports.log.debug('policy synced', { policy: name, ...counts(outcome) });
  return outcome;
}

function counts(o: SyncOutcome) {
  return { added: o.added.length, removed: o.removed.length, refreshed: o.refreshed.length };
}

/** Step: make one policy's clusters agree with it (idempotent; every governance trigger queues it). */
export const syncPolicyStep = defineStep({
  type: 'governance.sync-policy',
  payload: z.object({ policy: z.string().min(1) }),
  async run({ policy }, ctx) {
    await syncPolicy(ctx, policy);
  },
});

/** The sync messages of some policies, once each. */
export function syncMessages(policies: Iterable<string>): StepMessage[] {
  return [...new Set(policies)].map((policy) => stepMessage(syncPolicyStep, { policy }));
}

/** Queues the sync of some policies (nothing when there are none). */
export async function queueSync(ctx: HubContext, policies: Iterable<string>): Promise<void> {
  const messages = syncMessages(policies);
  for (let i = 0; i < messages.length; i += 100) await ctx.ports.queue.send(messages.slice(i, i + 100));
}

/**
 * The policies that follow a placement: those whose placementRef names it and the members of the
 * sets whose placementRef names it. The indexes may be stale, so each object is read and checked.
 */
export async function policiesFollowing(ctx: HubContext, placement: string): Promise<Set<string>> {
  const out = new Set<string>();
  const policyNames = (await listAllTargets(ctx, PLACEMENT_POLICIES, placement)).map((i) => i.to);
  const policies = await readResources(
    ctx,
    policyKind,
    policyNames.map((name) => ({ name })),
  );
  for (const p of policies) if (p && p.spec.placementRef?.name === placement) out.add(p.metadata.name);
  const setNames = (await listAllTargets(ctx, PLACEMENT_POLICYSETS, placement)).map((i) => i.to);
  const sets = await readResources(
    ctx,
    policySetKind,
    setNames.map((name) => ({ name })),
  );
  for (const s of sets) if (s && s.spec.placementRef?.name === placement) for (const p of s.spec.policies) out.add(p);
  return out;
}

/** Step (subscribed to `placement.decisions-changed`): sync every policy that follows the placement. */
export const placementChangedStep = defineStep({
  type: 'governance.placement-changed',
  payload: z.object({ placement: z.string().min(1) }),
  async run({ placement }, ctx) {
    await queueSync(ctx, await policiesFollowing(ctx, placement));
  },
});

/**
 * Clean-up of a removed cluster: its relation items in both directions and its current compliance
 * go; its history stays. Idempotent.
 */
export async function removeClusterPolicies(ctx: HubContext, cluster: string): Promise<void> {
  const policies = (await listAllTargets(ctx, CLUSTER_POLICIES, cluster)).map((i) => i.to);
  for (const policy of policies) await deleteComplianceItem(ctx, policy, cluster);
  await ctx.ports.relations.removeMany(policies.map((p) => ({ relation: POLICY_CLUSTERS, from: p, to: cluster })));
  await ctx.ports.relations.removeMany(policies.map((p) => ({ relation: CLUSTER_POLICIES, from: cluster, to: p })));
}

/** Does any template of a policy read the cluster's claims (`{{ .cluster.claims... }}`)? */
function readsClaims(policy: { spec: { policyTemplates: unknown } }): boolean {
  return /\.cluster\.claims\b/.test(JSON.stringify(policy.spec.policyTemplates));
}

/**
 * Step (subscribed to `cluster.claims-changed`): a cluster whose claims changed gets a new desired
 * revision when one of its policies renders claims, so its agent receives the policy rendered with
 * the new values. Policies that do not read claims cost the agent nothing.
 */
export const clusterClaimsChangedStep = defineStep({
  type: 'governance.cluster-claims-changed',
  payload: z.object({ cluster: z.string().min(1) }),
  async run({ cluster }, ctx) {
    const names = await policiesOfCluster(ctx, cluster);
    if (!names.length) return;
    const policies = await readResources(
      ctx,
      policyKind,
      names.map((name) => ({ name })),
    );
    if (policies.some((p) => p && readsClaims(p))) await bumpClusterRevision(ctx, cluster);
  },
});
