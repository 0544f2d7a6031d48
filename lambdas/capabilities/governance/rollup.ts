import type { ClusterPolicyCompliance } from '../../../shared/compliance.js';
import {
  policyKind,
  policySetKind,
  rollUpCompliance,
  type ComplianceState,
  type PolicySetStatus,
  type PolicyStatus,
} from '../../../shared/resources/policy.js';
import type { ResourceOf } from '../../../shared/resources/define-kind.js';
import type { HubContext } from '../../core/context.js';
import { readResources } from '../../core/typed-resources.js';
import { agentOnline } from '../clusters/cluster-lease.js';
import { listComplianceItems, type ComplianceItem } from './compliance-store.js';
import type { PolicyResource } from './desired-policies.js';
import { clustersOfPolicy } from './relations.js';

/**
 * Current compliance as people read it: per cluster (the view of one item) and rolled up per Policy
 * and PolicySet. Derived at read time, never stored: a cluster that is assigned a policy but never
 * reported on it, or whose agent is silent (its head holds no lease: the expiry sweep dropped it),
 * is Unknown, and its last answer is shown only as `lastReported`, never as current.
 */

/** Most non-compliant clusters a roll-up names. */
export const MAX_NONCOMPLIANT_CLUSTERS = 100;

/** Which of `clusters` have an agent online (their head holds a lease): one batched read of the heads. */
export async function onlineClusters(ctx: HubContext, clusters: readonly string[]): Promise<Set<string>> {
  const unique = [...new Set(clusters)];
  if (!unique.length) return new Set();
  const heads = unique.length === 1 ? [await ctx.ports.heads.get(unique[0])] : await ctx.ports.heads.getMany(unique);
  return new Set(heads.filter((h) => h !== undefined && agentOnline(h)).map((h) => h!.cluster));
}

/** The view of one (policy, cluster): the item if it describes this incarnation, Unknown otherwise or when silent. */
export function complianceView(
  policy: { name: string; uid: string },
  cluster: string,
  item: ComplianceItem | undefined,
  online: boolean,
): ClusterPolicyCompliance {
  const record = item && item.spec.policyUid === policy.uid ? item.status : undefined;
  if (!record) return { cluster, policy: policy.name, compliance: 'Unknown', templates: [] };
  return {
    cluster,
    policy: policy.name,
    compliance: online ? record.compliance : 'Unknown',
    ...(online ? {} : { lastReported: record.compliance }),
    since: record.since,
    evaluatedAt: record.evaluatedAt,
    policyGeneration: record.policyGeneration,
    templates: record.templates,
  };
}

/** Every compliance item of a policy, by cluster. */
async function itemsOf(ctx: HubContext, policy: string): Promise<Map<string, ComplianceItem>> {
  const out = new Map<string, ComplianceItem>();
  let cursor: string | undefined;
  do {
    const page = await listComplianceItems(ctx, policy, { limit: 500, cursor });
    for (const item of page.items) out.set(item.metadata.name, item);
    cursor = page.cursor;
  } while (cursor);
  return out;
}

/**
 * The per-cluster views of some policies: for each, the clusters it is assigned to (one Query) and
 * its items (one Query), then the heads of every cluster involved in one batched read.
 */
export async function complianceViewsOf(
  ctx: HubContext,
  policies: readonly PolicyResource[],
): Promise<Map<string, ClusterPolicyCompliance[]>> {
  const read = await Promise.all(
    policies.map(async (p) => {
      const [clusters, items] = await Promise.all([clustersOfPolicy(ctx, p.metadata.name), itemsOf(ctx, p.metadata.name)]);
      return { p, clusters, items };
    }),
  );
  const online = await onlineClusters(
    ctx,
    read.flatMap((r) => r.clusters),
  );
  const out = new Map<string, ClusterPolicyCompliance[]>();
  for (const { p, clusters, items } of read) {
    const key = { name: p.metadata.name, uid: p.metadata.uid };
    out.set(
      p.metadata.name,
      clusters.map((c) => complianceView(key, c, items.get(c), online.has(c))),
    );
  }
  return out;
}

/** The roll-up of per-cluster states (cluster → state). Pure. */
export function summarize(states: ReadonlyMap<string, ComplianceState>): PolicyStatus {
  const summary = { clusters: states.size, compliant: 0, nonCompliant: 0, pending: 0, unknown: 0 };
  const bad: string[] = [];
  for (const [cluster, s] of states) {
    if (s === 'Compliant') summary.compliant++;
    else if (s === 'NonCompliant') {
      summary.nonCompliant++;
      bad.push(cluster);
    } else if (s === 'Pending') summary.pending++;
    else summary.unknown++;
  }
  const compliant = rollUpCompliance(states.values());
  return {
    ...(compliant ? { compliant } : {}),
    summary,
    nonCompliantClusters: bad.sort().slice(0, MAX_NONCOMPLIANT_CLUSTERS),
  };
}

/** Policies with their roll-up in `status` (decorate and decorateMany of Policy). */
export async function withPolicyRollups(ctx: HubContext, policies: readonly PolicyResource[]): Promise<PolicyResource[]> {
  const views = await complianceViewsOf(ctx, policies);
  return policies.map((p) => {
    const ofPolicy = views.get(p.metadata.name) ?? [];
    // A disabled policy is evaluated nowhere: it has no compliance, only its clusters.
    if (p.spec.disabled) return { ...p, status: { disabled: true, summary: { clusters: ofPolicy.length } } };
    const states = new Map(ofPolicy.map((v) => [v.cluster, v.compliance]));
    return { ...p, status: summarize(states) };
  });
}

/** A stored PolicySet. */
export type PolicySetResource = ResourceOf<typeof policySetKind>;

/**
 * PolicySets with their roll-up: each cluster that has any of the set's policies counts with the
 * roll-up of its states over those policies; `compliant` is the roll-up over the clusters; policies
 * the set lists that do not exist are `missingPolicies`.
 */
export async function withPolicySetRollups(ctx: HubContext, sets: readonly PolicySetResource[]): Promise<PolicySetResource[]> {
  const names = [...new Set(sets.flatMap((s) => s.spec.policies))];
  const found = await readResources(
    ctx,
    policyKind,
    names.map((name) => ({ name })),
  );
  // Disabled policies are evaluated nowhere, so they do not count in a set's roll-up.
  const policies = found.filter((p): p is PolicyResource => p !== undefined && !p.metadata.deletionTimestamp && !p.spec.disabled);
  const views = await complianceViewsOf(ctx, policies);
  const present = new Set(found.filter((p) => p && !p.metadata.deletionTimestamp).map((p) => p!.metadata.name));
  return sets.map((set) => {
    const perCluster = new Map<string, ComplianceState[]>();
    for (const name of set.spec.policies) {
      for (const v of views.get(name) ?? []) perCluster.set(v.cluster, [...(perCluster.get(v.cluster) ?? []), v.compliance]);
    }
    const states = new Map([...perCluster].map(([c, s]) => [c, rollUpCompliance(s) ?? 'Unknown']));
    const status: PolicySetStatus = {
      ...summarize(states),
      missingPolicies: set.spec.policies.filter((p) => !present.has(p)),
    };
    return { ...set, status };
  });
}
