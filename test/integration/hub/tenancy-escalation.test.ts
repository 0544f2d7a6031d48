import { describe, expect, it } from '@jest/globals';
import { API, tenancyFleet } from '../../support/tenancy-fleet.js';

/**
 * A grant confined to cluster sets cannot reach past them through objects whose reach is not a
 * Placement: a SyncRule's sources, an inventory export's members, a token (which could be wider
 * than its maker), or a cluster import (which could claim another team's cluster).
 */
describe('a grant confined to cluster sets', () => {
  it("cannot make another team's clusters the sources of a SyncRule, or leave the sources unconfined", async () => {
    const fleet = await tenancyFleet();
    const operator = fleet.bearer('operator', 'token');
    const rule = (name: string, sources: Record<string, unknown>) => ({
      apiVersion: API,
      kind: 'SyncRule',
      metadata: { name },
      spec: { resource: { version: 'v1', kind: 'Secret' }, rules: [{}], sources, placementRef: { name: 'east-placement' } },
    });
    const west = await fleet.call(operator, 'POST', '/v1/syncrules', rule('steal', { clusterSets: ['stores-west'] }));
    expect(west.status).toBe(403);
    const anywhere = await fleet.call(operator, 'POST', '/v1/syncrules', rule('anywhere', { clusterSelector: {} }));
    expect(anywhere.status).toBe(403);
    const own = await fleet.call(operator, 'POST', '/v1/syncrules', rule('own', { clusterSets: ['stores-east'] }));
    expect(own.status).toBe(201);
    // The admin may do what the operator may not.
    expect((await fleet.admin('POST', '/v1/syncrules', rule('fleet-wide', { clusterSelector: {} }))).status).toBe(201);
  });

  it("cannot pull another team's policy into a PolicySet of its own placement", async () => {
    const fleet = await tenancyFleet();
    const operator = fleet.bearer('operator', 'token');
    const set = (name: string, policies: string[]) => ({
      apiVersion: API,
      kind: 'PolicySet',
      metadata: { name },
      spec: { policies, placementRef: { name: 'east-placement' } },
    });
    expect((await fleet.call(operator, 'POST', '/v1/policysets', set('grab', ['west-policy']))).status).toBe(403);
    expect((await fleet.call(operator, 'POST', '/v1/policysets', set('mine', ['east-policy']))).status).toBe(201);
  });

  it('cannot mint, list or revoke tokens, nor import (take over) a cluster, even with the admin role', async () => {
    const fleet = await tenancyFleet();
    const made = await fleet.admin('POST', '/v1/tokens', { name: 'east-admin', role: 'admin', clusterSets: ['stores-east'] });
    expect(made.status).toBe(201);
    const eastAdmin = made.body.token as string;
    const mint = await fleet.call(eastAdmin, 'POST', '/v1/tokens', { name: 'wider', role: 'admin' });
    expect(mint.status).toBe(403);
    expect(mint.body.detail).toMatch(/not confined to cluster sets/);
    expect((await fleet.call(eastAdmin, 'GET', '/v1/tokens')).status).toBe(403);
    expect((await fleet.call(eastAdmin, 'DELETE', '/v1/tokens/bootstrap')).status).toBe(403);
    const importWest = await fleet.call(eastAdmin, 'POST', '/v1/clusters/west-cluster/import', {
      labels: { 'tether.dev/clusterset': 'stores-east' },
      autoAccept: true,
    });
    expect(importWest.status).toBe(403);
    const west = await fleet.admin('GET', '/v1/clusters/west-cluster');
    expect(west.body.metadata.labels['tether.dev/clusterset']).toBe('stores-west');
    // Within its sets it still works as an admin.
    expect((await fleet.call(eastAdmin, 'GET', '/v1/clusters/east-cluster')).status).toBe(200);
  });
});
