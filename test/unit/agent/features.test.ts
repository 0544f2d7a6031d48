import { collectClaims } from '../../../agent/claims.js';
import { featureClaims, MAX_FEATURE_CLAIMS } from '../../../agent/features.js';
import { waitForCrds } from '../../../agent/kube/apply-order.js';
import { MemoryCluster } from '../../../agent/kube/memory-cluster.js';
import type { KubeObject } from '../../../agent/kube/types.js';
import { importManifestObjects } from '../../../shared/agent-manifest.js';
import { CLUSTER_FEATURE_CRD, clusterFeatureCrd } from '../../../shared/cluster-feature-crd.js';
import { clusterFeatures, matchesFeature } from '../../../shared/cluster-features.js';
import { CapturedLog } from './support/harness.js';

const apply = (cluster: MemoryCluster, obj: object) => cluster.apply(obj as KubeObject, { fieldManager: 'kubectl', force: false });
const feature = (name: string, featureName: unknown, labels?: Record<string, string>) => ({
  apiVersion: 'tether.dev/v1alpha1',
  kind: 'ClusterFeature',
  metadata: { name, ...(labels ? { labels } : {}) },
  spec: { featureName },
});

async function withCrd(): Promise<MemoryCluster> {
  const cluster = new MemoryCluster({ name: 'c1' });
  await apply(cluster, clusterFeatureCrd());
  await waitForCrds(cluster, [CLUSTER_FEATURE_CRD], { timeoutMs: 1000, intervalMs: 1 });
  return cluster;
}

describe('ClusterFeature claims', () => {
  test('a cluster without the CRD has no features, and no error is logged', async () => {
    const cluster = new MemoryCluster({ name: 'c1' });
    const logs = new CapturedLog();
    expect(await featureClaims(cluster, logs.log)).toEqual([]);
    const claims = await collectClaims({ api: cluster, namespace: 'tether-agent', agentVersion: '0.1.0', log: logs.log });
    expect(claims.filter((c) => c.name.startsWith('feature.'))).toEqual([]);
    expect(logs.lines.filter((l) => l.includes('ClusterFeature'))).toEqual([]);
  });

  test('one claim per feature, valued with the canonical JSON of its labels', async () => {
    const cluster = await withCrd();
    await apply(cluster, feature('secrets', 'secrets-source', { zeta: 'z', alpha: 'a' }));
    await apply(cluster, feature('gpu', 'gpu'));
    const claims = await collectClaims({ api: cluster, namespace: 'tether-agent', agentVersion: '0.1.0', log: new CapturedLog().log });
    expect(claims.filter((c) => c.name.startsWith('feature.'))).toEqual([
      { name: 'feature.tether.dev/gpu', value: '{}' },
      { name: 'feature.tether.dev/secrets-source', value: '{"alpha":"a","zeta":"z"}' },
    ]);
  });

  test('a repeated feature keeps the first object by name; a bad name is skipped; both are logged', async () => {
    const cluster = await withCrd();
    await apply(cluster, feature('b-second', 'shared', { from: 'b' }));
    await apply(cluster, feature('a-first', 'shared', { from: 'a' }));
    await apply(cluster, feature('c-bad', 'no spaces allowed'));
    const logs = new CapturedLog();
    expect(await featureClaims(cluster, logs.log)).toEqual([{ name: 'feature.tether.dev/shared', value: '{"from":"a"}' }]);
    expect(logs.messages()).toEqual(
      expect.arrayContaining(['ignoring a ClusterFeature that repeats a feature', 'ignoring an invalid ClusterFeature']),
    );
  });

  test(`at most ${MAX_FEATURE_CLAIMS} features are reported`, async () => {
    const cluster = await withCrd();
    for (let i = 0; i < MAX_FEATURE_CLAIMS + 3; i++) await apply(cluster, feature(`f-${String(i).padStart(3, '0')}`, `f${i}`));
    const logs = new CapturedLog();
    expect(await featureClaims(cluster, logs.log)).toHaveLength(MAX_FEATURE_CLAIMS);
    expect(logs.messages()).toContain(`ignoring ClusterFeatures beyond the first ${MAX_FEATURE_CLAIMS}`);
  });

  test('the import manifest installs the CRD and lets the agent list ClusterFeatures', () => {
    const objects = (importManifestObjects as (o: object) => KubeObject[])({
      cluster: 'c1',
      hubUrl: 'https://hub.example.com',
      bootstrapToken: 'thb_c1.secret',
      image: 'ghcr.io/tether-dev/tether-agent',
      version: '0.1.0',
    });
    const crd = objects.find((o) => o.kind === 'CustomResourceDefinition');
    expect(crd?.metadata.name).toBe(CLUSTER_FEATURE_CRD);
    expect((crd?.spec as { scope: string }).scope).toBe('Cluster');
    const role = objects.find((o) => o.kind === 'ClusterRole' && o.metadata.name === 'tether-agent:claims');
    expect((role as unknown as { rules: unknown[] }).rules).toContainEqual({
      apiGroups: ['tether.dev'],
      resources: ['clusterfeatures'],
      verbs: ['list'],
    });
  });
});

describe('ClusterFeature claims, as the hub reads them (shared/cluster-features.ts)', () => {
  test('what the agent reports is what the hub matches sources on', async () => {
    const cluster = await withCrd();
    await apply(cluster, feature('secrets', 'secrets-source', { tier: 'gold' }));
    const claims = await collectClaims({ api: cluster, namespace: 'tether-agent', agentVersion: '0.1.0', log: new CapturedLog().log });
    const features = clusterFeatures({ metadata: { labels: { 'feature.tether.dev/istio': 'true' } }, status: { claims } });
    expect([...features.entries()]).toEqual([
      ['istio', {}],
      ['secrets-source', { tier: 'gold' }],
    ]);
    expect(matchesFeature(features, { featureName: 'secrets-source', matchLabels: { tier: 'gold' } })).toBe(true);
    expect(matchesFeature(features, { featureName: 'secrets-source', matchLabels: { tier: 'silver' } })).toBe(false);
  });
});
