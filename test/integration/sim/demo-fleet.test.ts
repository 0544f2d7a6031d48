/**
 * `tether dev --demo N`'s live fleet, started through the simulator's fleet runner: the demo
 * clusters keep the labels the local hub gave them, and each agent reports the distribution and
 * node count of its turn.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { demoClusterNames } from '../../../lambdas/local/demo.js';
import { startDemoAgents, type DemoAgents } from '../../../sim/demo-fleet.js';
import { startTestHub, type TestHub } from '../../support/local-hub.js';

jest.setTimeout(60_000);

let hub: TestHub;
let agents: DemoAgents | undefined;
beforeAll(async () => {
  hub = await startTestHub({ demo: 3 });
});
afterAll(async () => {
  await agents?.stop();
  await hub.stop();
});

const claim = (cluster: any, name: string) => (cluster.status?.claims ?? []).find((c: { name: string }) => c.name === name)?.value;

describe('the demo fleet', () => {
  it('joins every demo cluster with the distributions and node counts in turn, and stops', async () => {
    agents = await startDemoAgents(hub.url, hub.adminToken, demoClusterNames(3));
    expect(agents.count).toBe(3);
    const expected = [
      ['store-0001', 'k3s', '1'],
      ['store-0002', 'EKS', '2'],
      ['store-0003', 'GKE', '3'],
    ];
    const deadline = Date.now() + 20_000;
    let seen: string[][] = [];
    while (Date.now() < deadline) {
      const clusters = await Promise.all(expected.map(([name]) => hub.api(`/v1/clusters/${name}`)));
      seen = clusters.map((c) => [c.body.metadata.name, claim(c.body, 'platform.tether.dev'), claim(c.body, 'nodes.tether.dev')]);
      if (JSON.stringify(seen) === JSON.stringify(expected)) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(seen).toEqual(expected);
    const first = await hub.api('/v1/clusters/store-0001');
    expect(first.body.status.phase).toBe('Joined');
    // The labels the local hub applied for the demo are kept by the import.
    expect(first.body.metadata.labels).toMatchObject({
      'tether.dev/clusterset': 'stores',
      region: 'us-east',
      tier: 'store',
      ring: 'canary',
    });
    await agents.stop();
    agents = undefined;
  });
});
