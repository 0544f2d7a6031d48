import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { startTestHub, type TestHub } from '../../support/local-hub.js';
import { createClusters, createPlacement, drain, markOnline } from '../rollouts/support/fleet.js';

/**
 * GET /v1/placements/{name}/decisions: the clusters a Placement chose with their decision group,
 * paged like the lists; 404 problem for an unknown placement, 422 for a bad name, 401 without a token.
 */

let hub: TestHub;
const stores = Array.from({ length: 5 }, (_, i) => ({ name: `store-${i}`, labels: { fleet: 'retail', ring: i < 2 ? 'canary' : 'main' } }));

beforeAll(async () => {
  hub = await startTestHub();
  await createClusters(hub, [...stores, { name: 'lab-0', labels: { fleet: 'lab' } }]);
  for (const s of [...stores.map((s) => s.name), 'lab-0']) await markOnline(hub.ctx, s);
  await createPlacement(hub, 'retail', 'retail', [{ groupName: 'canary', labels: { ring: 'canary' } }]);
  await drain(hub);
}, 60_000);
afterAll(async () => {
  await hub?.stop();
});

it('lists every chosen cluster with its group, in name order, and agrees with the status counts', async () => {
  const res = await hub.api('/v1/placements/retail/decisions');
  expect(res.status).toBe(200);
  expect(res.body.kind).toBe('PlacementDecisionList');
  expect(res.body.items).toEqual([
    { cluster: 'store-0', group: 0, groupName: 'canary' },
    { cluster: 'store-1', group: 0, groupName: 'canary' },
    { cluster: 'store-2', group: 1, groupName: '' },
    { cluster: 'store-3', group: 1, groupName: '' },
    { cluster: 'store-4', group: 1, groupName: '' },
  ]);
  const placement = (await hub.api('/v1/placements/retail')).body;
  expect(placement.status.numberOfSelectedClusters).toBe(res.body.items.length);
  expect(placement.status.decisionGroups.map((g: { clusterCount: number }) => g.clusterCount)).toEqual([2, 3]);
});

it('pages with limit and continue', async () => {
  const first = await hub.api('/v1/placements/retail/decisions?limit=2');
  expect(first.body.items.map((d: { cluster: string }) => d.cluster)).toEqual(['store-0', 'store-1']);
  expect(first.body.metadata.continue).toEqual(expect.any(String));
  const rest = await hub.api(`/v1/placements/retail/decisions?limit=10&continue=${encodeURIComponent(first.body.metadata.continue)}`);
  expect(rest.body.items.map((d: { cluster: string }) => d.cluster)).toEqual(['store-2', 'store-3', 'store-4']);
  expect(rest.body.metadata.continue).toBeUndefined();
});

it('answers problems for an unknown placement, a bad name and a missing token', async () => {
  const missing = await hub.api('/v1/placements/nope/decisions');
  expect(missing.status).toBe(404);
  expect(missing.headers.get('content-type')).toBe('application/problem+json');
  const bad = await hub.api('/v1/placements/Not_A_Name/decisions');
  expect(bad.status).toBe(422);
  expect(bad.body.errors).toEqual([{ path: 'name', message: 'invalid name' }]);
  expect((await hub.api('/v1/placements/retail/decisions', { token: null })).status).toBe(401);
});
