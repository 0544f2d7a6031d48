import {
  isMember,
  memberHealth,
  memberProperties,
  mergeProfiles,
  toDesiredProfile,
  type ClusterRecord,
  type InventoryExport,
} from '../../../../lambdas/capabilities/inventory/profiles.js';

const cluster = (
  name: string,
  over: {
    labels?: Record<string, string>;
    status?: Partial<NonNullable<ClusterRecord['status']>>;
    annotations?: Record<string, string>;
  } = {},
): ClusterRecord =>
  ({
    apiVersion: 'tether.dev/v1alpha1',
    kind: 'Cluster',
    metadata: {
      name,
      uid: `u-${name}`,
      resourceVersion: '1',
      generation: 1,
      creationTimestamp: '2026-11-01T00:00:00Z',
      labels: over.labels,
      annotations: over.annotations,
    },
    spec: { hubAcceptsClient: true, leaseDurationSeconds: 60, taints: [] },
    status: { conditions: [], phase: 'Joined', ...over.status },
  }) as ClusterRecord;

const exportOf = (name: string, spec: Partial<InventoryExport['spec']> = {}): InventoryExport =>
  ({
    apiVersion: 'tether.dev/v1alpha1',
    kind: 'ClusterInventoryExport',
    metadata: { name, uid: `u-${name}`, resourceVersion: '1', generation: 1, creationTimestamp: '2026-11-01T00:00:00Z' },
    spec: { clusterSets: ['hubs'], members: {}, namespace: 'inventory', ...spec },
    status: { conditions: [], receivers: [], receiverCount: 0 },
  }) as InventoryExport;

const available = (status: 'True' | 'False' | 'Unknown', message = '') => ({
  conditions: [{ type: 'Available', status, reason: 'R', message, lastTransitionTime: '2026-11-10T11:00:00Z' }],
});

describe('inventory profiles (hub)', () => {
  test('members: accepted or joined clusters matching the export’s sets and selector; not pending, denied or leaving', () => {
    const exp = exportOf('e', { members: { clusterSets: ['stores'], labelSelector: { matchLabels: { tier: 'store' } } } });
    expect(isMember(exp, cluster('a', { labels: { tier: 'store' }, status: { clusterSets: ['stores'] } }))).toBe(true);
    expect(isMember(exp, cluster('b', { labels: { tier: 'lab' }, status: { clusterSets: ['stores'] } }))).toBe(false);
    expect(isMember(exp, cluster('c', { labels: { tier: 'store' }, status: { clusterSets: ['labs'] } }))).toBe(false);
    expect(isMember(exp, cluster('d', { labels: { tier: 'store' }, status: { clusterSets: ['stores'], phase: 'Pending' } }))).toBe(false);
    expect(isMember(exp, cluster('d', { labels: { tier: 'store' }, status: { clusterSets: ['stores'], phase: 'Detaching' } }))).toBe(false);
    expect(isMember(exp, cluster('d', { labels: { tier: 'store' }, status: { clusterSets: ['stores'], phase: 'Accepted' } }))).toBe(true);
    expect(isMember(exportOf('all'), cluster('e'))).toBe(true);
  });

  test('health follows Available: True, False with the agent’s message, Unknown when silent or never seen', () => {
    expect(memberHealth(cluster('a', { status: available('True') }))).toMatchObject({
      status: 'True',
      reason: 'ClusterAvailable',
      since: '2026-11-10T11:00:00Z',
    });
    expect(memberHealth(cluster('a', { status: available('False', 'disk full') }))).toMatchObject({
      status: 'False',
      message: 'disk full',
    });
    expect(memberHealth(cluster('a', { status: available('Unknown', 'lease expired') }))).toMatchObject({
      status: 'Unknown',
      reason: 'ClusterSilent',
    });
    expect(memberHealth(cluster('a'))).toMatchObject({ status: 'Unknown' });
  });

  test('properties: the set (KEP-2149 name when one), all sets, cluster ID and registry metadata, sorted', () => {
    const claims = [
      { name: 'id.k8s.io', value: '6f1d' },
      { name: 'provider.tether.dev', value: 'aws' },
      { name: 'distribution.tether.dev', value: 'EKS' },
      { name: 'region.tether.dev', value: 'us-east-1' },
      { name: 'cpu.allocatable.tether.dev', value: '8' },
    ];
    expect(memberProperties(cluster('a', { status: { clusterSets: ['stores'], claims } }))).toEqual([
      { name: 'clusterset.k8s.io', value: 'stores' },
      { name: 'clustersets.tether.dev', value: 'stores' },
      { name: 'distribution.tether.dev', value: 'EKS' },
      { name: 'id.k8s.io', value: '6f1d' },
      { name: 'provider.tether.dev', value: 'aws' },
      { name: 'region.tether.dev', value: 'us-east-1' },
    ]);
    expect(memberProperties(cluster('a', { status: { clusterSets: ['a', 'b'] } }))).toEqual([
      { name: 'clustersets.tether.dev', value: 'a,b' },
    ]);
  });

  test('a profile is valid for the member’s lease expiry window; the display name comes from an annotation', () => {
    const p = toDesiredProfile(
      exportOf('argocd', { namespace: 'argocd' }),
      cluster('store-1', {
        annotations: { 'tether.dev/display-name': 'Store One' },
        status: { version: { kubernetes: 'v1.33.1' }, ...available('True') },
      }),
    );
    expect(p).toMatchObject({
      export: 'argocd',
      namespace: 'argocd',
      cluster: 'store-1',
      displayName: 'Store One',
      kubernetesVersion: 'v1.33.1',
      validForSeconds: 180,
    });
  });

  test('two exports publishing one member into one namespace: the first export by name wins', () => {
    const a = toDesiredProfile(exportOf('b-export'), cluster('m'));
    const b = toDesiredProfile(exportOf('a-export'), cluster('m'));
    const other = toDesiredProfile(exportOf('c', { namespace: 'elsewhere' }), cluster('m'));
    expect(mergeProfiles([a, other, b]).map((p) => `${p.namespace}/${p.cluster}:${p.export}`)).toEqual([
      'elsewhere/m:c',
      'inventory/m:a-export',
    ]);
  });
});
