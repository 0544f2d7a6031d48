import { describe, expect, it } from '@jest/globals';
import {
  clusterCompliance,
  policyCompliancePage,
  queryComplianceEvents,
} from '../../../../lambdas/capabilities/governance/compliance-api.js';
import {
  fitRecord,
  MAX_COMPLIANCE_ITEM_BYTES,
  type ComplianceRecord,
} from '../../../../lambdas/capabilities/governance/compliance-store.js';
import { ResourceService } from '../../../../lambdas/core/resource-service.js';
import { storedBodyBytes } from '../../../../lambdas/adapters/dynamodb/resource-item.js';
import { policyKind, policySetKind } from '../../../../shared/resources/policy.js';
import { ValidationError } from '../../../../shared/errors.js';
import { apply, complianceReport, countWrites, fleetHub, policyDoc, policySetDoc, report, silence } from './support.js';

/** Ingestion of compliance reports, the history it appends, and the roll-ups read from it. */

async function policyWith(clusters: Record<string, Record<string, string>>) {
  const hub = await fleetHub(clusters);
  await apply(hub, policyDoc('audit-cm', { placementRef: { name: 'a' }, standards: ['PCI DSS 4.0'], severity: 'high' }));
  await hub.settle();
  return hub;
}

describe('compliance ingestion', () => {
  it('a change costs at most two writes (the item and one event); the same report again costs none', async () => {
    const hub = await policyWith({ s1: { fleet: 'a' } });
    const count = countWrites(hub.ctx);
    hub.clock.advance(1000);
    await report(hub.ctx, 's1', [
      await complianceReport(hub.ctx, 'audit-cm', 'NonCompliant', [{ name: 'audit', message: 'owner differs' }]),
    ]);
    expect([count.writes(), count.events()]).toEqual([1, 1]);
    hub.clock.advance(1000);
    await report(hub.ctx, 's1', [
      await complianceReport(hub.ctx, 'audit-cm', 'NonCompliant', [{ name: 'audit', message: 'owner differs' }]),
    ]);
    expect([count.writes(), count.events()]).toEqual([1, 1]);
    // Same state and violations, another message: the item is rewritten, no event.
    hub.clock.advance(1000);
    await report(hub.ctx, 's1', [
      await complianceReport(hub.ctx, 'audit-cm', 'NonCompliant', [{ name: 'audit', message: 'owner is "x"' }]),
    ]);
    expect([count.writes(), count.events()]).toEqual([2, 1]);
    // Another violating object: an event.
    hub.clock.advance(1000);
    await report(hub.ctx, 's1', [
      await complianceReport(hub.ctx, 'audit-cm', 'NonCompliant', [{ name: 'audit', message: 'owner is "x"' }, { name: 'other' }]),
    ]);
    expect([count.writes(), count.events()]).toEqual([3, 2]);
    hub.clock.advance(1000);
    await report(hub.ctx, 's1', [await complianceReport(hub.ctx, 'audit-cm', 'Compliant')]);
    expect([count.writes(), count.events()]).toEqual([4, 3]);
    const events = (await queryComplianceEvents(hub.ctx, { direction: 'asc' })).items;
    expect(events.map((e) => [e.compliance, e.previous, e.violations])).toEqual([
      ['NonCompliant', undefined, 1],
      ['NonCompliant', 'NonCompliant', 2],
      ['Compliant', 'NonCompliant', 0],
    ]);
    expect(events[0]).toMatchObject({
      cluster: 's1',
      policy: 'audit-cm',
      severity: 'high',
      standards: ['PCI DSS 4.0'],
      reportedBy: 'agent',
      policyGeneration: 1,
      message: 'ConfigMap retail/audit: Mismatch',
    });
  });

  it('ignores reports on policies not assigned to the cluster, or of another incarnation, and never writes another cluster', async () => {
    const hub = await policyWith({ s1: { fleet: 'a' }, s2: { fleet: 'b' } });
    const count = countWrites(hub.ctx);
    // s2 is not chosen by placement a: its agent cannot write compliance of audit-cm.
    await report(hub.ctx, 's2', [await complianceReport(hub.ctx, 'audit-cm', 'Compliant')]);
    const stale = { ...(await complianceReport(hub.ctx, 'audit-cm', 'Compliant')), uid: 'someone-else' };
    await report(hub.ctx, 's1', [stale]);
    await report(hub.ctx, 's1', [{ ...(await complianceReport(hub.ctx, 'nope', 'Compliant').catch(() => stale)), name: 'nope' }]);
    expect([count.writes(), count.events()]).toEqual([0, 0]);
    expect((await hub.ctx.ports.resources.list('PolicyCompliance', { namespace: 'audit-cm', limit: 10 })).items).toEqual([]);
  });

  it('removedPolicies drops the item of a policy no longer assigned, and keeps one the hub still assigns', async () => {
    const hub = await policyWith({ s1: { fleet: 'a' } });
    await report(hub.ctx, 's1', [await complianceReport(hub.ctx, 'audit-cm', 'Compliant')]);
    await report(hub.ctx, 's1', [], ['audit-cm']);
    expect(await hub.ctx.ports.resources.get({ kind: 'PolicyCompliance', namespace: 'audit-cm', name: 's1' })).toBeDefined();
    await hub.ctx.ports.relations.remove('cluster-policies', 's1', 'audit-cm');
    await report(hub.ctx, 's1', [], ['audit-cm']);
    expect(await hub.ctx.ports.resources.get({ kind: 'PolicyCompliance', namespace: 'audit-cm', name: 's1' })).toBeUndefined();
  });

  it('keeps an oversized record within an item: diffs go first, and the record says so', () => {
    const big = 'x'.repeat(4000);
    const noise = (i: number) => Array.from({ length: 40 }, (_, j) => ((i * 7919 + j * 104729) % 2 ** 32).toString(36)).join('');
    const record: ComplianceRecord = {
      compliance: 'NonCompliant',
      since: 't',
      evaluatedAt: 't',
      policyGeneration: 1,
      updatedAt: 't',
      templates: Array.from({ length: 50 }, (_, t) => ({
        name: `t${t}`,
        compliance: 'NonCompliant' as const,
        objects: Array.from({ length: 100 }, (_, i) => ({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          name: `cm-${i}-${noise(t * 100 + i)}`,
          compliant: false,
          reason: 'Mismatch',
          diff: `${noise(t * 1000 + i)}${big}`,
        })),
      })),
    };
    const fitted = fitRecord(record, storedBodyBytes);
    expect(fitted.trimmed).toBeDefined();
    expect(storedBodyBytes(JSON.stringify(fitted))).toBeLessThanOrEqual(MAX_COMPLIANCE_ITEM_BYTES);
    expect(fitted.templates.every((t) => t.objects.every((o) => o.diff === undefined))).toBe(true);
    const small = { ...record, templates: record.templates.slice(0, 1) };
    expect(fitRecord(small, storedBodyBytes)).toBe(small);
  });
});

describe('roll-up', () => {
  it('counts per state; a cluster never reported, or whose agent is silent, is Unknown, never its stale answer', async () => {
    const hub = await policyWith({ s1: { fleet: 'a' }, s2: { fleet: 'a' }, s3: { fleet: 'a' }, s4: { fleet: 'a' } });
    await report(hub.ctx, 's1', [await complianceReport(hub.ctx, 'audit-cm', 'Compliant')]);
    await report(hub.ctx, 's2', [await complianceReport(hub.ctx, 'audit-cm', 'NonCompliant', [{ name: 'audit' }])]);
    await report(hub.ctx, 's3', [await complianceReport(hub.ctx, 'audit-cm', 'NonCompliant', [{ name: 'audit' }])]);
    await silence(hub.ctx, 's3');
    const policy = await new ResourceService(hub.ctx).get(policyKind, 'audit-cm');
    expect(policy.status).toEqual({
      compliant: 'NonCompliant',
      summary: { clusters: 4, compliant: 1, nonCompliant: 1, pending: 0, unknown: 2 },
      nonCompliantClusters: ['s2'],
    });
    const listed = await new ResourceService(hub.ctx).list(policyKind, { limit: 10 });
    expect(listed.items[0].status).toEqual(policy.status);

    const page = await policyCompliancePage(hub.ctx, 'audit-cm', { limit: 10 });
    expect(page.items.map((v) => [v.cluster, v.compliance, v.lastReported])).toEqual([
      ['s1', 'Compliant', undefined],
      ['s2', 'NonCompliant', undefined],
      ['s3', 'Unknown', 'NonCompliant'],
      ['s4', 'Unknown', undefined],
    ]);
    expect((await policyCompliancePage(hub.ctx, 'audit-cm', { limit: 10, compliance: 'Unknown' })).items.map((v) => v.cluster)).toEqual([
      's3',
      's4',
    ]);
    const first = await policyCompliancePage(hub.ctx, 'audit-cm', { limit: 2 });
    expect(first.items.map((v) => v.cluster)).toEqual(['s1', 's2']);
    const second = await policyCompliancePage(hub.ctx, 'audit-cm', { limit: 2, cursor: first.continue });
    expect(second.items.map((v) => v.cluster)).toEqual(['s3', 's4']);

    expect((await clusterCompliance(hub.ctx, 's2')).map((v) => [v.policy, v.compliance, v.templates[0].objects[0].name])).toEqual([
      ['audit-cm', 'NonCompliant', 'audit'],
    ]);
  });

  it('a policy that chooses no cluster has no compliance; a PolicySet rolls up per cluster and names missing policies', async () => {
    const hub = await fleetHub({ s1: { fleet: 'a' }, s2: { fleet: 'a' } });
    await apply(hub, policyDoc('p1', { placementRef: { name: 'a' } }), policyDoc('p2', { placementRef: { name: 'a' } }), policyDoc('idle'));
    await apply(hub, policySetDoc('pci', ['p1', 'p2', 'ghost']));
    await hub.settle();
    await report(hub.ctx, 's1', [await complianceReport(hub.ctx, 'p1', 'Compliant'), await complianceReport(hub.ctx, 'p2', 'Pending')]);
    await report(hub.ctx, 's2', [await complianceReport(hub.ctx, 'p1', 'Compliant'), await complianceReport(hub.ctx, 'p2', 'Compliant')]);
    const service = new ResourceService(hub.ctx);
    expect((await service.get(policyKind, 'idle')).status).toEqual({
      summary: { clusters: 0, compliant: 0, nonCompliant: 0, pending: 0, unknown: 0 },
      nonCompliantClusters: [],
    });
    expect((await service.get(policySetKind, 'pci')).status).toEqual({
      compliant: 'Pending',
      summary: { clusters: 2, compliant: 1, nonCompliant: 0, pending: 1, unknown: 0 },
      nonCompliantClusters: [],
      missingPolicies: ['ghost'],
    });
  });
});

describe('disabled policies', () => {
  it('a disabled policy has no compliance: the agent drops it, the hub deletes its items, and sets leave it out', async () => {
    const hub = await fleetHub({ s1: { fleet: 'a' } });
    await apply(hub, policyDoc('p1', { placementRef: { name: 'a' } }), policyDoc('p2', { placementRef: { name: 'a' } }));
    await apply(hub, policySetDoc('pci', ['p1', 'p2']));
    await hub.settle();
    await report(hub.ctx, 's1', [
      await complianceReport(hub.ctx, 'p1', 'Compliant'),
      await complianceReport(hub.ctx, 'p2', 'NonCompliant', [{ name: 'x' }]),
    ]);
    await apply(hub, policyDoc('p2', { placementRef: { name: 'a' }, disabled: true }));
    await hub.settle();
    // The agent stops evaluating it and says so once; the item goes although the policy is still assigned.
    await report(hub.ctx, 's1', [], ['p2']);
    expect((await policyCompliancePage(hub.ctx, 'p2', { limit: 10 })).items).toEqual([
      { cluster: 's1', policy: 'p2', compliance: 'Unknown', templates: [] },
    ]);
    const service = new ResourceService(hub.ctx);
    expect((await service.get(policyKind, 'p2')).status).toEqual({ disabled: true, summary: { clusters: 1 } });
    expect((await service.get(policySetKind, 'pci')).status).toMatchObject({ compliant: 'Compliant', missingPolicies: [] });
    // An enabled policy the agent lists as removed (it was behind) keeps its state.
    await report(hub.ctx, 's1', [], ['p1']);
    expect((await policyCompliancePage(hub.ctx, 'p1', { limit: 10 })).items[0].compliance).toBe('Compliant');
  });
});

describe('history query', () => {
  it('clamps since to the retention, filters, pages with continue, and refuses bad input with field paths', async () => {
    const hub = await policyWith({ s1: { fleet: 'a' }, s2: { fleet: 'a' } });
    await report(hub.ctx, 's1', [await complianceReport(hub.ctx, 'audit-cm', 'NonCompliant', [{ name: 'a' }])]);
    hub.clock.advance(60_000);
    await report(hub.ctx, 's2', [await complianceReport(hub.ctx, 'audit-cm', 'Compliant')]);
    hub.clock.advance(60_000);
    await report(hub.ctx, 's1', [await complianceReport(hub.ctx, 'audit-cm', 'Compliant')]);
    const all = await queryComplianceEvents(hub.ctx, {});
    expect(all.items.map((e) => e.cluster)).toEqual(['s1', 's2', 's1']);
    expect((await queryComplianceEvents(hub.ctx, { cluster: 's1', compliance: 'NonCompliant' })).items).toHaveLength(1);
    expect((await queryComplianceEvents(hub.ctx, { standard: 'PCI DSS 4.0' })).items).toHaveLength(3);
    expect((await queryComplianceEvents(hub.ctx, { standard: 'NIST' })).items).toHaveLength(0);
    expect((await queryComplianceEvents(hub.ctx, { since: '90s' })).items).toHaveLength(2);
    expect((await queryComplianceEvents(hub.ctx, { since: '30s' })).items).toHaveLength(1);
    const p1 = await queryComplianceEvents(hub.ctx, { limit: 2 });
    const p2 = await queryComplianceEvents(hub.ctx, { limit: 2, continue: p1.continue });
    expect([...p1.items, ...p2.items].map((e) => e.id)).toEqual(all.items.map((e) => e.id));
    expect(p2.continue).toBeUndefined();
    // Older than the retention is never read, even when asked for.
    hub.clock.advance(731 * 86_400_000);
    expect((await queryComplianceEvents(hub.ctx, { since: '2020-01-01' })).items).toEqual([]);
    const bad = (await queryComplianceEvents(hub.ctx, { compliance: 'Fine' as never, limit: 0 }).catch(
      (e: unknown) => e,
    )) as ValidationError;
    expect(bad).toBeInstanceOf(ValidationError);
    expect(bad.fieldErrors.map((f) => f.path).sort()).toEqual(['compliance', 'limit']);
  });
});
