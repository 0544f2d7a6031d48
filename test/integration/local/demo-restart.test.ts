/**
 * `tether dev --demo N` twice on the same data directory: the second start creates only what is
 * absent and never undoes the user's changes (labels, a cluster set's selector, a denial), and its
 * simulated agents leave the clusters as they are.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { demoClusterNames } from '../../../lambdas/local/demo.js';
import { startDemoAgents, type DemoAgents } from '../../../sim/demo-fleet.js';
import { startTestHub, type TestHub } from '../../support/local-hub.js';

jest.setTimeout(90_000);

const dataDir = mkdtempSync(join(tmpdir(), 'tether-demo-restart-'));
let hub: TestHub | undefined;
let agents: DemoAgents | undefined;

afterAll(async () => {
  await agents?.stop();
  await hub?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function start(): Promise<TestHub> {
  hub = await startTestHub({ dataDir, demo: 4 });
  agents = await startDemoAgents(hub.url, hub.adminToken, demoClusterNames(4));
  return hub;
}

async function stop(): Promise<void> {
  await agents?.stop();
  await hub?.stop();
  agents = undefined;
  hub = undefined;
}

describe('restarting the demo fleet', () => {
  it('keeps the labels, sets and acceptance the user changed', async () => {
    const first = await start();
    expect(first.demo).toEqual({ created: 6, existing: 0 });
    expect(agents!.count).toBe(4);

    // The user's changes: a label added and one removed, a set's selector, a denied store.
    const patched = await first.api('/v1/clusters/store-0002', {
      method: 'PATCH',
      contentType: 'application/merge-patch+json',
      body: { metadata: { labels: { owner: 'team-pos', tier: null } } },
    });
    expect(patched.status).toBe(200);
    const set = await first.api('/v1/clustersets/canary', {
      method: 'PATCH',
      contentType: 'application/merge-patch+json',
      body: { spec: { clusterSelector: { labelSelector: { matchLabels: { ring: 'pilot' } } } } },
    });
    expect(set.status).toBe(200);
    expect((await first.api('/v1/clusters/store-0003/deny', { method: 'POST' })).status).toBe(200);
    const before = (await first.api('/v1/clusters/store-0002')).body.metadata.labels;
    await stop();

    const second = await start();
    expect(second.demo).toEqual({ created: 0, existing: 6 });
    expect(agents!.skipped).toEqual(['store-0003']);
    expect(agents!.count).toBe(3);
    const store2 = (await second.api('/v1/clusters/store-0002')).body;
    expect(store2.metadata.labels).toEqual(before);
    expect(store2.metadata.labels).toMatchObject({ owner: 'team-pos', fleet: 'retail' });
    expect(store2.metadata.labels.tier).toBeUndefined();
    expect((await second.api('/v1/clustersets/canary')).body.spec.clusterSelector.labelSelector).toEqual({
      matchLabels: { ring: 'pilot' },
    });
    const store3 = (await second.api('/v1/clusters/store-0003')).body;
    expect(store3.spec.hubAcceptsClient).toBe(false);
    expect(store3.status.phase).toBe('Denied');
  });
});
