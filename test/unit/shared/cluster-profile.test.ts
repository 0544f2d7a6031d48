import { CONTROL_PLANE_HEALTHY, profileHealth, renderClusterProfile, STALE_REASON } from '../../../shared/cluster-profile.js';
import type { DesiredClusterProfile } from '../../../shared/protocol/inventory.js';

const T0 = Date.parse('2026-11-10T12:00:00Z');

const profile = (over: Partial<DesiredClusterProfile> = {}): DesiredClusterProfile => ({
  export: 'argocd',
  namespace: 'argocd-inventory',
  cluster: 'store-0001',
  displayName: 'Store 1',
  kubernetesVersion: 'v1.33.1-eks-7308294',
  properties: [
    { name: 'clusterset.k8s.io', value: 'stores' },
    { name: 'region.tether.dev', value: 'us-east-1' },
  ],
  health: { status: 'True', reason: 'ClusterAvailable', message: 'ok', since: '2026-11-10T11:00:00Z' },
  validForSeconds: 180,
  ...over,
});

describe('ClusterProfile rendering', () => {
  test('renders the KEP-4322 object: cluster manager, label, version, properties, ControlPlaneHealthy', () => {
    expect(renderClusterProfile(profile(), T0, T0)).toEqual({
      apiVersion: 'multicluster.x-k8s.io/v1alpha1',
      kind: 'ClusterProfile',
      metadata: {
        name: 'store-0001',
        namespace: 'argocd-inventory',
        labels: { 'x-k8s.io/cluster-manager': 'tether', 'inventory.tether.dev/export': 'argocd' },
      },
      spec: { displayName: 'Store 1', clusterManager: { name: 'tether' } },
      status: {
        version: { kubernetes: 'v1.33.1-eks-7308294' },
        properties: [
          { name: 'clusterset.k8s.io', value: 'stores' },
          { name: 'region.tether.dev', value: 'us-east-1' },
        ],
        conditions: [
          {
            type: CONTROL_PLANE_HEALTHY,
            status: 'True',
            reason: 'ClusterAvailable',
            message: 'ok',
            lastTransitionTime: '2026-11-10T11:00:00Z',
          },
        ],
      },
    });
  });

  test.each([
    ['True', 179, 'True'],
    ['True', 180, 'True'],
    ['True', 181, 'Unknown'],
    ['False', 181, 'Unknown'],
    ['Unknown', 10_000, 'Unknown'],
  ] as const)('health %s confirmed %ss ago shows %s: never a stale True', (status, ageSeconds, shown) => {
    const p = profile({ health: { status, reason: 'R', message: 'm' } });
    const health = profileHealth(p, T0, T0 + ageSeconds * 1000);
    expect(health.status).toBe(shown);
    if (shown !== status) {
      expect(health.reason).toBe(STALE_REASON);
      expect(health.message).toMatch(/no word from the Tether hub for more than 180s; the last known state was/);
    }
  });

  test('a stale profile turns Unknown with the time it went stale; an unchanged condition keeps its transition time', () => {
    const later = T0 + 200_000;
    const stale = renderClusterProfile(profile(), T0, later);
    expect(stale.status.conditions[0]).toMatchObject({
      status: 'Unknown',
      reason: STALE_REASON,
      lastTransitionTime: '2026-11-10T12:03:20Z',
    });
    const again = renderClusterProfile(profile(), T0, later + 60_000, stale.status);
    expect(again.status.conditions[0].lastTransitionTime).toBe('2026-11-10T12:03:20Z');
    // Confirmed again: back to the hub's state and time.
    expect(renderClusterProfile(profile(), later + 60_000, later + 60_000, stale.status).status.conditions[0]).toMatchObject({
      status: 'True',
      lastTransitionTime: '2026-11-10T11:00:00Z',
    });
  });

  test('no Kubernetes version reported yet: an empty version', () => {
    expect(renderClusterProfile(profile({ kubernetesVersion: undefined }), T0, T0).status.version).toEqual({});
  });
});
