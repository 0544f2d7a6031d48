import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestHub, type TestHub } from '../../support/local-hub.js';

/**
 * An auditor bound to cluster sets reads the audit trail of those sets only: the events of
 * another team's objects (its cluster set, its placement, the deployments that follow it) and the
 * hub-wide events that belong to no set (tokens) are left out. An unscoped auditor sees them all.
 * Through the real handlers of a local hub (dynalite).
 */

const API = 'tether.dev/v1alpha1';
let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub();
  for (const side of ['east', 'west']) {
    const set = `stores-${side}`;
    const docs = [
      { kind: 'ClusterSet', metadata: { name: set }, spec: { clusterSelector: { selectorType: 'ExclusiveClusterSetLabel' } } },
      { kind: 'Placement', metadata: { name: `${side}-placement` }, spec: { clusterSets: [set] } },
      {
        kind: 'FleetDeployment',
        metadata: { name: `${side}-shop` },
        spec: {
          placementRef: { name: `${side}-placement` },
          template: {
            workload: {
              manifests: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shop', namespace: 'default' }, data: { v: '1' } }],
            },
          },
        },
      },
    ];
    for (const d of docs) {
      const plural = `${d.kind.toLowerCase()}s`;
      expect((await hub.api(`/v1/${plural}`, { method: 'POST', body: { apiVersion: API, ...d } })).status).toBe(201);
    }
  }
}, 60_000);
afterAll(async () => {
  await hub?.stop();
});

type Event = { clusterSets?: string[]; objectRef?: { resource?: string; name?: string } };

async function audit(token?: string): Promise<Event[]> {
  const res = await hub.api('/v1/audit?since=1h&limit=1000', token ? { token } : {});
  expect(res.status).toBe(200);
  return res.body.items as Event[];
}

describe('the audit trail of a scoped auditor', () => {
  it('holds the events of its sets only; an unscoped auditor sees every event', async () => {
    const issue = async (name: string, clusterSets?: string[]) => {
      const res = await hub.api('/v1/tokens', { method: 'POST', body: { name, role: 'auditor', ...(clusterSets ? { clusterSets } : {}) } });
      expect(res.status).toBe(201);
      return res.body.token as string;
    };
    const scoped = await issue('east-auditor', ['stores-east']);
    const unscoped = await issue('auditor');

    const everything = await audit(unscoped);
    // Both teams' objects, the FleetDeployment by its placement's set, and the tokens (no set).
    expect(everything.some((e) => e.objectRef?.resource === 'fleetdeployments' && e.clusterSets?.includes('stores-west'))).toBe(true);
    expect(everything.some((e) => e.objectRef?.resource === 'placements' && e.clusterSets?.includes('stores-east'))).toBe(true);
    expect(everything.some((e) => !e.clusterSets?.length)).toBe(true);

    const mine = await audit(scoped);
    expect(mine.map((e) => `${e.objectRef?.resource}/${e.objectRef?.name}`).sort()).toEqual([
      'clustersets/stores-east',
      'fleetdeployments/east-shop',
      'placements/east-placement',
      // A token confined to the set is of the set; the unscoped auditor's token is of none.
      'tokens/east-auditor',
    ]);
    expect(JSON.stringify(mine)).not.toContain('stores-west');
  });
});
