import { describe, expect, it } from '@jest/globals';
import { pollDesiredState } from '../../../../lambdas/capabilities/clusters/agent-service.js';
import { loadDesiredPolicies } from '../../../../lambdas/capabilities/governance/desired-policies.js';
import { mintAgentToken } from '../../../../lambdas/capabilities/clusters/tokens.js';
import { removeClusterPolicies } from '../../../../lambdas/capabilities/governance/propagation.js';
import { CLUSTER_POLICIES, clustersOfPolicy, policiesOfCluster } from '../../../../lambdas/capabilities/governance/relations.js';
import { ResourceService } from '../../../../lambdas/core/resource-service.js';
import { updateClusterRecord } from '../../../../lambdas/capabilities/clusters/cluster-record.js';
import { policyKind, policySetKind } from '../../../../shared/resources/policy.js';
import { markOnline } from '../../../integration/rollouts/support/fleet.js';
import { apply, complianceReport, fleetHub, policyDoc, policySetDoc, report, revision, API } from './support.js';

/** Which clusters get which policy, and when their agents are told (memory ports, real steps). */

describe('policy propagation', () => {
  it('puts a policy on the clusters its placement chooses, in both relations, and bumps exactly those clusters', async () => {
    const hub = await fleetHub({ s1: { fleet: 'a' }, s2: { fleet: 'a' }, s3: { fleet: 'b' } });
    const before = { s1: await revision(hub.ctx, 's1'), s2: await revision(hub.ctx, 's2'), s3: await revision(hub.ctx, 's3') };
    await apply(hub, policyDoc('audit-cm', { placementRef: { name: 'a' } }));
    await hub.settle();
    expect(await clustersOfPolicy(hub.ctx, 'audit-cm')).toEqual(['s1', 's2']);
    expect(await policiesOfCluster(hub.ctx, 's1')).toEqual(['audit-cm']);
    expect(await policiesOfCluster(hub.ctx, 's3')).toEqual([]);
    expect(await revision(hub.ctx, 's1')).toBe(before.s1 + 1);
    expect(await revision(hub.ctx, 's2')).toBe(before.s2 + 1);
    expect(await revision(hub.ctx, 's3')).toBe(before.s3);

    // Delivering the sync again changes nothing (idempotent): no bump, same relations.
    await hub.ctx.ports.queue.send([{ type: 'governance.sync-policy', payload: { policy: 'audit-cm' } }]);
    await hub.settle();
    expect(await revision(hub.ctx, 's1')).toBe(before.s1 + 1);
  });

  it('follows the placement: a cluster that joins gets the policy, one that leaves loses it and its compliance', async () => {
    const hub = await fleetHub({ s1: { fleet: 'a' }, s2: { fleet: 'a' } });
    await apply(hub, policyDoc('audit-cm', { placementRef: { name: 'a' } }));
    await hub.settle();
    await report(hub.ctx, 's2', [await complianceReport(hub.ctx, 'audit-cm', 'Compliant')]);
    expect(await hub.ctx.ports.resources.get({ kind: 'PolicyCompliance', namespace: 'audit-cm', name: 's2' })).toBeDefined();

    await apply(hub, {
      apiVersion: API,
      kind: 'Cluster',
      metadata: { name: 's3', labels: { fleet: 'a' } },
      spec: { hubAcceptsClient: true },
    });
    await hub.settle();
    await markOnline(hub.ctx, 's3');
    await hub.settle();
    expect(await clustersOfPolicy(hub.ctx, 'audit-cm')).toEqual(['s1', 's2', 's3']);

    const r2 = await revision(hub.ctx, 's2');
    await apply(hub, {
      apiVersion: API,
      kind: 'Cluster',
      metadata: { name: 's2', labels: { fleet: 'x' } },
      spec: { hubAcceptsClient: true },
    });
    await hub.settle();
    expect(await clustersOfPolicy(hub.ctx, 'audit-cm')).toEqual(['s1', 's3']);
    expect(await policiesOfCluster(hub.ctx, 's2')).toEqual([]);
    expect(await revision(hub.ctx, 's2')).toBeGreaterThan(r2);
    expect(await hub.ctx.ports.resources.get({ kind: 'PolicyCompliance', namespace: 'audit-cm', name: 's2' })).toBeUndefined();
    // The history stays.
    const h = await hub.ctx.ports.complianceHistory.query({
      since: 0,
      until: Date.parse('2100-01-01'),
      direction: 'asc',
      limit: 10,
      cluster: 's2',
    });
    expect(h.items).toHaveLength(1);
  });

  it('a spec change tells every cluster of the policy; a label change of the policy tells none', async () => {
    const hub = await fleetHub({ s1: { fleet: 'a' }, s2: { fleet: 'a' } });
    await apply(hub, policyDoc('audit-cm', { placementRef: { name: 'a' } }));
    await hub.settle();
    const r = await revision(hub.ctx, 's1');
    const r2 = await revision(hub.ctx, 's2');
    await apply(hub, policyDoc('audit-cm', { placementRef: { name: 'a' } }, undefined, { labels: { team: 'sec' } }));
    await hub.settle();
    expect(await revision(hub.ctx, 's1')).toBe(r);
    await apply(
      hub,
      policyDoc('audit-cm', { placementRef: { name: 'a' }, remediationAction: 'enforce' }, undefined, { labels: { team: 'sec' } }),
    );
    await hub.settle();
    expect(await revision(hub.ctx, 's1')).toBe(r + 1);
    expect(await revision(hub.ctx, 's2')).toBe(r2 + 1);
    expect((await loadDesiredPolicies(hub.ctx, 's2'))[0]).toMatchObject({ name: 'audit-cm', remediationAction: 'enforce', generation: 2 });
  });

  it('a cluster label change bumps a cluster that has policies (templates read labels), and leaves others alone', async () => {
    const hub = await fleetHub({ s1: { fleet: 'a' }, s2: { fleet: 'b' } });
    await apply(hub, policyDoc('audit-cm', { placementRef: { name: 'a' } }));
    await hub.settle();
    const r1 = await revision(hub.ctx, 's1');
    const r2 = await revision(hub.ctx, 's2');
    await apply(hub, {
      apiVersion: API,
      kind: 'Cluster',
      metadata: { name: 's1', labels: { fleet: 'a', region: 'eu' } },
      spec: { hubAcceptsClient: true },
    });
    await apply(hub, {
      apiVersion: API,
      kind: 'Cluster',
      metadata: { name: 's2', labels: { fleet: 'b', region: 'eu' } },
      spec: { hubAcceptsClient: true },
    });
    await hub.settle();
    expect(await revision(hub.ctx, 's1')).toBeGreaterThan(r1);
    expect(await revision(hub.ctx, 's2')).toBe(r2);
  });

  it('a claims change bumps a cluster whose policies render claims, re-rendered with the new value; other clusters are left alone', async () => {
    const hub = await fleetHub({ s1: { fleet: 'a' }, s2: { fleet: 'b' } }, ['a', 'b']);
    const store = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'store', namespace: 'retail' } };
    await apply(
      hub,
      policyDoc('by-claim', { placementRef: { name: 'a' } }, [
        {
          complianceType: 'musthave',
          objectDefinition: { ...store, data: { platform: '{{ .cluster.claims["platform.tether.dev"] | default "none" }}' } },
        },
      ]),
      policyDoc('plain', { placementRef: { name: 'b' } }),
    );
    await hub.settle();
    const setClaim = (cluster: string, value: string) =>
      updateClusterRecord(hub.ctx, cluster, (res) => ({
        ...res,
        status: { conditions: [], ...res.status, claims: [{ name: 'platform.tether.dev', value }] },
      }));
    const r1 = await revision(hub.ctx, 's1');
    const r2 = await revision(hub.ctx, 's2');
    await setClaim('s1', 'k3s');
    await setClaim('s2', 'k3s');
    await hub.settle();
    expect(await revision(hub.ctx, 's1')).toBeGreaterThan(r1);
    expect(await revision(hub.ctx, 's2')).toBe(r2);
    const [desired] = await loadDesiredPolicies(hub.ctx, 's1');
    expect(desired.templates[0].objectTemplates[0].objectDefinition).toMatchObject({ data: { platform: 'k3s' } });
  });

  it('a PolicySet adds its placement’s clusters to each member; deleting the set takes them away again', async () => {
    const hub = await fleetHub({ s1: { fleet: 'a' }, s2: { fleet: 'b' } }, ['a', 'b']);
    await apply(hub, policyDoc('p1', { placementRef: { name: 'a' } }), policyDoc('p2'));
    await hub.settle();
    expect(await clustersOfPolicy(hub.ctx, 'p1')).toEqual(['s1']);
    expect(await clustersOfPolicy(hub.ctx, 'p2')).toEqual([]);
    await apply(hub, policySetDoc('pci', ['p1', 'p2', 'p3'], 'b'));
    await hub.settle();
    expect(await clustersOfPolicy(hub.ctx, 'p1')).toEqual(['s1', 's2']);
    expect(await clustersOfPolicy(hub.ctx, 'p2')).toEqual(['s2']);
    // A policy created after its set joins the set's clusters.
    await apply(hub, policyDoc('p3'));
    await hub.settle();
    expect(await clustersOfPolicy(hub.ctx, 'p3')).toEqual(['s2']);
    // Removing a member from the set takes the set's clusters from it.
    await apply(hub, policySetDoc('pci', ['p1', 'p3'], 'b'));
    await hub.settle();
    expect(await clustersOfPolicy(hub.ctx, 'p2')).toEqual([]);
    await new ResourceService(hub.ctx).delete(policySetKind, 'pci');
    await hub.settle();
    expect(await clustersOfPolicy(hub.ctx, 'p1')).toEqual(['s1']);
    expect(await clustersOfPolicy(hub.ctx, 'p3')).toEqual([]);
  });

  it('deleting a policy removes its relations and current compliance, bumps its clusters, and keeps the history', async () => {
    const hub = await fleetHub({ s1: { fleet: 'a' }, s2: { fleet: 'a' } });
    await apply(hub, policyDoc('audit-cm', { placementRef: { name: 'a' } }));
    await hub.settle();
    await report(hub.ctx, 's1', [await complianceReport(hub.ctx, 'audit-cm', 'NonCompliant', [{ name: 'audit' }])]);
    const r = await revision(hub.ctx, 's1');
    await new ResourceService(hub.ctx).delete(policyKind, 'audit-cm');
    await hub.settle();
    expect(await clustersOfPolicy(hub.ctx, 'audit-cm')).toEqual([]);
    expect(await policiesOfCluster(hub.ctx, 's1')).toEqual([]);
    expect(await revision(hub.ctx, 's1')).toBe(r + 1);
    expect((await hub.ctx.ports.resources.list('PolicyCompliance', { namespace: 'audit-cm', limit: 10 })).items).toEqual([]);
    expect(await loadDesiredPolicies(hub.ctx, 's1')).toEqual([]);
    const h = await hub.ctx.ports.complianceHistory.query({ since: 0, until: Date.parse('2100-01-01'), direction: 'asc', limit: 10 });
    expect(h.items.map((e) => [e.cluster, e.policy, e.compliance])).toEqual([['s1', 'audit-cm', 'NonCompliant']]);
  });

  it('a removed cluster loses its relations and compliance items (the cluster clean-up)', async () => {
    const hub = await fleetHub({ s1: { fleet: 'a' } });
    await apply(hub, policyDoc('audit-cm', { placementRef: { name: 'a' } }));
    await hub.settle();
    await report(hub.ctx, 's1', [await complianceReport(hub.ctx, 'audit-cm', 'Compliant')]);
    await removeClusterPolicies(hub.ctx, 's1');
    expect(await clustersOfPolicy(hub.ctx, 'audit-cm')).toEqual([]);
    expect((await hub.ctx.ports.relations.list(CLUSTER_POLICIES, 's1', { limit: 10 })).items).toEqual([]);
    expect(await hub.ctx.ports.resources.get({ kind: 'PolicyCompliance', namespace: 'audit-cm', name: 's1' })).toBeUndefined();
    // Twice is harmless.
    await removeClusterPolicies(hub.ctx, 's1');
  });

  it('the desired state the agent polls carries the policies of its cluster', async () => {
    const hub = await fleetHub({ s1: { fleet: 'a' } });
    await apply(hub, policyDoc('audit-cm', { placementRef: { name: 'a' } }));
    await hub.settle();
    const head = (await hub.ctx.ports.heads.get('s1'))!;
    // A credential the test mints: the poll authenticates it against the head.
    const minted = mintAgentToken(hub.ctx.ports.ids, 'credential', 's1');
    await hub.ctx.ports.heads.put({ ...head, credentials: [{ hash: minted.hash, issuedAt: hub.ctx.ports.clock.now() }] });
    const out = await pollDesiredState(hub.ctx, { token: minted.token });
    expect(out.notModified).toBe(false);
    if (!out.notModified) expect(out.state.policies.map((p) => p.name)).toEqual(['audit-cm']);
  });
});
