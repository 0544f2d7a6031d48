import { afterEach, describe, expect, test } from '@jest/globals';
import type { DesiredClusterProfile } from '../../../shared/protocol/inventory.js';
import { rig, type Rig } from './support/harness.js';

/**
 * The agent as a receiver of a ClusterInventoryExport, over the in-memory cluster and the fake hub:
 * profiles kept from the desired state's `inventory` part, and ControlPlaneHealthy turning Unknown
 * by itself while the hub cannot be reached.
 */

const ref = { apiVersion: 'multicluster.x-k8s.io/v1alpha1', kind: 'ClusterProfile', namespace: 'argocd', name: 'store-1' };
const profile: DesiredClusterProfile = {
  export: 'argocd',
  namespace: 'argocd',
  cluster: 'store-1',
  displayName: 'store-1',
  kubernetesVersion: 'v1.33.1',
  properties: [{ name: 'region.tether.dev', value: 'us-east-1' }],
  health: { status: 'True', reason: 'ClusterAvailable', message: 'ok', since: '2026-11-10T11:00:00Z' },
  validForSeconds: 180,
};

async function condition(r: Rig): Promise<{ status: string; reason: string } | undefined> {
  const obj = await r.cluster.get(ref);
  return (obj?.status as { conditions?: { status: string; reason: string }[] } | undefined)?.conditions?.[0];
}

describe('Agent: cluster inventory', () => {
  let r: Rig;
  afterEach(async () => {
    await r?.close();
  });

  test('keeps the profiles of its desired state, and turns them Unknown while the hub is away', async () => {
    r = await rig();
    await r.agent.runOnce(); // joined
    r.hub.setDesired({ inventory: { profiles: [profile] } });
    // The CRD is installed on the first pass and served once Established (asynchronously).
    for (let i = 0; i < 20 && !(await r.cluster.get(ref)); i++) {
      await r.agent.runOnce();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(await condition(r)).toMatchObject({ status: 'True', reason: 'ClusterAvailable' });

    // The hub is unreachable for longer than the validity window: Unknown, by the agent itself.
    r.hub.inject(503, { times: 1, path: '/agent/v1/desired' });
    r.clock.advance(181_000);
    expect(await r.agent.runOnce()).toBeInstanceOf(Error);
    expect(await condition(r)).toMatchObject({ status: 'Unknown', reason: 'InventoryStale' });

    // The hub answers again (a 304 confirms the profiles): back to the hub's state.
    expect(await r.agent.runOnce()).toBe(true);
    expect(await condition(r)).toMatchObject({ status: 'True', reason: 'ClusterAvailable' });

    // The member leaves: its profile is deleted.
    r.hub.setDesired({ inventory: { profiles: [] } });
    await r.agent.runOnce();
    expect(await r.cluster.get(ref)).toBeUndefined();
  });
});
