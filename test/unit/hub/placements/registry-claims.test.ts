import { collectClaims } from '../../../../agent/claims.js';
import { MemoryCluster, type KubeDistribution } from '../../../../agent/kube/memory-cluster.js';
import { silentLog } from '../../../../agent/log.js';
import { clusterFacts, matchesPredicates } from '../../../../lambdas/capabilities/placements/eligibility.js';
import { PlacementSpecSchema } from '../../../../shared/resources/placement.js';
import type { ClusterSpec, ClusterStatus } from '../../../../shared/resources/cluster.js';
import type { Resource } from '../../../../shared/resources/meta.js';

/**
 * Placements select on the registry metadata the agent reports (provider, distribution, region):
 * claims measured by the real claim code on simulated clusters of each distribution, matched by the
 * placement's claim selector. The docs example (docs/placement.md) is this spec.
 */

async function recordOf(name: string, distribution: KubeDistribution): Promise<Resource<ClusterSpec, ClusterStatus>> {
  const claims = await collectClaims({
    api: new MemoryCluster({ name, distribution, nodes: { count: 2 } }),
    namespace: 'tether-agent',
    agentVersion: '0.1.0',
    log: silentLog(),
  });
  return {
    apiVersion: 'tether.dev/v1alpha1',
    kind: 'Cluster',
    metadata: { name, uid: `u-${name}`, resourceVersion: '1', generation: 1, creationTimestamp: '2026-11-01T00:00:00Z' },
    spec: { hubAcceptsClient: true, leaseDurationSeconds: 60, taints: [] },
    status: { conditions: [], claims, phase: 'Joined' },
  };
}

test('a claim selector on provider, region and distribution chooses the managed AWS and GCP clusters in the named regions', async () => {
  const spec = PlacementSpecSchema.parse({
    predicates: [
      {
        requiredClusterSelector: {
          claimSelector: {
            matchExpressions: [
              { key: 'provider.tether.dev', operator: 'In', values: ['aws', 'gce'] },
              { key: 'region.tether.dev', operator: 'In', values: ['us-east-1', 'us-central1'] },
              { key: 'distribution.tether.dev', operator: 'NotIn', values: ['kind', 'minikube'] },
            ],
          },
        },
      },
    ],
  });
  const chosen = [];
  for (const [name, distribution] of [
    ['eks-1', 'eks'],
    ['gke-1', 'gke'],
    ['aks-1', 'aks'],
    ['kind-1', 'kind'],
    ['k3s-1', 'k3s'],
  ] as const) {
    if (matchesPredicates(spec, clusterFacts(await recordOf(name, distribution), []))) chosen.push(name);
  }
  expect(chosen).toEqual(['eks-1', 'gke-1']);
});
