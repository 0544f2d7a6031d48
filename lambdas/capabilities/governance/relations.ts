import type { HubContext } from '../../core/context.js';
import { listAllTargets } from '../../core/relations.js';

export { listAllTargets };

/**
 * The index items governance keeps (RelationStore: one Query per 1,000 targets):
 *
 * | relation | from → to | data | written by |
 * |---|---|---|---|
 * | {@link POLICY_CLUSTERS} | policy → cluster | `{s}`: the policy incarnation the cluster was told about | the sync step only |
 * | {@link CLUSTER_POLICIES} | cluster → policy | — | the sync step only (what the desired state reads) |
 * | {@link PLACEMENT_POLICIES} | placement → policy | — | the Policy behaviour: who follows a placement |
 * | {@link PLACEMENT_POLICYSETS} | placement → policy set | — | the PolicySet behaviour |
 *
 * The placement indexes may hold stale entries (a hook that ran late); every reader re-reads the
 * object it names and checks its `placementRef`, so a stale entry costs a read, never a wrong answer.
 */

/** policy → cluster: the clusters a policy is assigned to (forward; the record that a sync finished). */
export const POLICY_CLUSTERS = 'policy-clusters';
/** cluster → policy: what a cluster's desired state lists (reverse). */
export const CLUSTER_POLICIES = 'cluster-policies';
/** placement → policy whose own placementRef names it. */
export const PLACEMENT_POLICIES = 'placement-policies';
/** placement → policy set whose placementRef names it. */
export const PLACEMENT_POLICYSETS = 'placement-policysets';

/** The names of the policies assigned to `cluster`, in name order. */
export async function policiesOfCluster(ctx: HubContext, cluster: string): Promise<string[]> {
  return (await listAllTargets(ctx, CLUSTER_POLICIES, cluster)).map((i) => i.to);
}

/** The clusters `policy` is assigned to, in name order. */
export async function clustersOfPolicy(ctx: HubContext, policy: string): Promise<string[]> {
  return (await listAllTargets(ctx, POLICY_CLUSTERS, policy)).map((i) => i.to);
}

/** The stamp of one incarnation and generation of a policy: what its clusters were last told about. */
export function policyStamp(policy: { metadata: { uid: string; generation: number } }): string {
  return `${policy.metadata.uid}:${policy.metadata.generation}`;
}
