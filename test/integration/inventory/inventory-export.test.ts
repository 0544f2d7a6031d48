import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { reconcileAvailability } from '../../../lambdas/capabilities/clusters/availability.js';
import { startTestHub, type TestHub } from '../../support/local-hub.js';
import { API, createClusters, createPlacement, drain, markOnline } from '../rollouts/support/fleet.js';

/**
 * ClusterInventoryExport on the local hub (embedded dynalite): the export's receivers, the
 * `inventory` part of their desired state, the revision bumps that tell them about changes, and bad
 * input answered with problems.
 */

let hub: TestHub;
const revision = async (cluster: string) => (await hub.ctx.ports.heads.get(cluster, { consistent: true }))!.desiredRevision;
const inventoryOf = (cluster: string) => hub.ctx.registry.desiredState.inventory(hub.ctx, cluster);

beforeAll(async () => {
  hub = await startTestHub();
  await createClusters(hub, [
    { name: 'argocd-hub', labels: { fleet: 'hubs' } },
    { name: 'store-1', labels: { fleet: 'retail', tier: 'store' } },
    { name: 'store-2', labels: { fleet: 'retail', tier: 'store' } },
    { name: 'lab-1', labels: { fleet: 'lab' } },
  ]);
  for (const c of ['argocd-hub', 'store-1', 'store-2', 'lab-1']) await markOnline(hub.ctx, c);
  await createPlacement(hub, 'inventory-receivers', 'hubs');
  await drain(hub);
}, 60_000);
afterAll(async () => {
  await hub?.stop();
});

const exportDoc = (spec: Record<string, unknown>) => ({
  apiVersion: API,
  kind: 'ClusterInventoryExport',
  metadata: { name: 'argocd' },
  spec,
});

it('refuses an export without receivers, or with a bad namespace, with field paths', async () => {
  const none = await hub.api('/v1/clusterinventoryexports', { body: exportDoc({ namespace: 'argocd' }) });
  expect(none.status).toBe(422);
  expect(none.headers.get('content-type')).toBe('application/problem+json');
  expect(none.body.errors).toEqual([
    expect.objectContaining({ path: 'spec.placementRef', message: expect.stringMatching(/placementRef, clusterSets or both/) }),
  ]);
  const badNs = await hub.api('/v1/clusterinventoryexports', {
    body: exportDoc({ placementRef: { name: 'inventory-receivers' }, namespace: 'Not_A_Namespace' }),
  });
  expect(badNs.status).toBe(422);
  expect(badNs.body.errors.map((e: { path: string }) => e.path)).toEqual(['spec.namespace']);
});

it('publishes the chosen members to the receivers only, and bumps the receivers’ revisions', async () => {
  const before = { hub: await revision('argocd-hub'), store: await revision('store-1') };
  const res = await hub.api('/v1/clusterinventoryexports', {
    body: exportDoc({
      placementRef: { name: 'inventory-receivers' },
      members: { labelSelector: { matchLabels: { fleet: 'retail' } } },
      namespace: 'argocd',
    }),
  });
  expect(res.status).toBe(201);
  await drain(hub);
  const exp = (await hub.api('/v1/clusterinventoryexports/argocd')).body;
  expect(exp.status).toMatchObject({ receivers: ['argocd-hub'], receiverCount: 1 });
  expect(exp.status.conditions).toEqual([expect.objectContaining({ type: 'Ready', status: 'True', reason: 'Published' })]);
  expect(await revision('argocd-hub')).toBeGreaterThan(before.hub);
  expect(await revision('store-1')).toBe(before.store);

  const inventory = await inventoryOf('argocd-hub');
  expect(inventory.profiles.map((p) => `${p.namespace}/${p.cluster}`)).toEqual(['argocd/store-1', 'argocd/store-2']);
  expect(inventory.profiles[0]).toMatchObject({
    export: 'argocd',
    displayName: 'store-1',
    health: { status: 'True', reason: 'ClusterAvailable' },
    validForSeconds: 180,
  });
  expect((await inventoryOf('store-1')).profiles).toEqual([]);
});

it('a member going silent turns its profile Unknown and bumps the receivers', async () => {
  const before = await revision('argocd-hub');
  const head = (await hub.ctx.ports.heads.get('store-2', { consistent: true }))!;
  await hub.ctx.ports.heads.put({ ...head, leaseRenewedAt: undefined });
  await reconcileAvailability(hub.ctx, 'store-2', 300_000);
  await drain(hub);
  expect(await revision('argocd-hub')).toBeGreaterThan(before);
  const store2 = (await inventoryOf('argocd-hub')).profiles.find((p) => p.cluster === 'store-2');
  expect(store2?.health.status).toBe('Unknown');
});

it('a member whose labels no longer match leaves the inventory; the receivers are told', async () => {
  const before = await revision('argocd-hub');
  const store1 = (await hub.api('/v1/clusters/store-1')).body;
  const res = await hub.api('/v1/clusters/store-1', {
    method: 'PUT',
    body: { ...store1, metadata: { ...store1.metadata, labels: { fleet: 'lab' } } },
  });
  expect(res.status).toBe(200);
  // The step waits a few seconds for set membership to follow the labels.
  await hub.settle(30_000, { includeDelayed: true });
  await drain(hub);
  expect(await revision('argocd-hub')).toBeGreaterThan(before);
  expect((await inventoryOf('argocd-hub')).profiles.map((p) => p.cluster)).toEqual(['store-2']);
}, 60_000);

it('deleting the export tells its receivers, whose inventory is then empty', async () => {
  const before = await revision('argocd-hub');
  expect((await hub.api('/v1/clusterinventoryexports/argocd', { method: 'DELETE' })).status).toBeLessThan(300);
  await drain(hub);
  expect(await revision('argocd-hub')).toBeGreaterThan(before);
  expect((await inventoryOf('argocd-hub')).profiles).toEqual([]);
});
