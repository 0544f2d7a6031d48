import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { DesiredStateSchema } from '../../../shared/protocol/v1.js';
import { API, joinCluster, startWorksHub, type WorksHub } from '../works/support.js';

/**
 * Governance end to end on a real local hub (dynalite, the SQS emulator, the real handlers): policies
 * reach the chosen clusters' desired state, agents report compliance through the agent API, and the
 * compliance routes answer current compliance, roll-ups, history and reports, with problem+json
 * errors for bad input.
 */

jest.setTimeout(30_000);

let hub: WorksHub;
const creds: Record<string, string> = {};

const poll = (cluster: string, etag?: string) =>
  hub.api('/agent/v1/desired', { token: creds[cluster], ...(etag ? { headers: { 'if-none-match': etag } } : {}) });

function policy(name: string, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: API,
    kind: 'Policy',
    metadata: { name, annotations: { 'policy.open-cluster-management.io/controls': 'PCI-DSS 1.2.1' } },
    spec: {
      placementRef: { name: 'stores' },
      standards: ['PCI DSS 4.0'],
      severity: 'high',
      policyTemplates: [
        {
          objectTemplates: [
            {
              complianceType: 'musthave',
              objectDefinition: {
                apiVersion: 'v1',
                kind: 'ConfigMap',
                metadata: { name: 'audit', namespace: 'retail' },
                data: { region: '{{ .cluster.labels.region }}' },
              },
            },
          ],
        },
      ],
      ...extra,
    },
  };
}

async function reportCompliance(cluster: string, name: string, compliance: string, violating: string[] = []) {
  const desired = DesiredStateSchema.parse((await poll(cluster)).body);
  const p = desired.policies.find((x) => x.name === name);
  if (!p) throw new Error(`${cluster} does not hold ${name}`);
  const now = new Date(hub.clock.now()).toISOString();
  const res = await hub.api('/agent/v1/status', {
    token: creds[cluster],
    body: {
      observedRevision: desired.revision,
      agentVersion: '0.1.0',
      healthy: true,
      policies: [
        {
          name,
          uid: p.uid,
          generation: p.generation,
          compliance,
          since: now,
          evaluatedAt: now,
          templates: [
            {
              name: p.templates[0]?.name ?? `${name}-1`,
              compliance,
              ...(p.renderError ? { reason: 'TemplateError', message: p.renderError } : {}),
              objects: violating.map((n) => ({
                apiVersion: 'v1',
                kind: 'ConfigMap',
                namespace: 'retail',
                name: n,
                compliant: false,
                reason: 'Mismatch',
                diff: '- region: x\n+ region: eu',
              })),
            },
          ],
        },
      ],
    },
  });
  expect(res.status).toBe(204);
}

beforeAll(async () => {
  hub = await startWorksHub();
  creds['s-eu'] = await joinCluster(hub, 's-eu', { tier: 'store', region: 'eu' });
  creds['s-us'] = await joinCluster(hub, 's-us', { tier: 'store', region: 'us' });
  creds['s-bare'] = await joinCluster(hub, 's-bare', { tier: 'store' });
  // First polls take the leases: the clusters are live and placements may choose them.
  for (const c of Object.keys(creds)) expect((await poll(c)).status).toBe(200);
  await hub.settle();
  const placement = { predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { tier: 'store' } } } }] };
  expect(
    (await hub.api('/v1/placements', { body: { apiVersion: API, kind: 'Placement', metadata: { name: 'stores' }, spec: placement } }))
      .status,
  ).toBe(201);
  await hub.settle();
  expect((await hub.api('/v1/policies', { body: policy('audit-cm') })).status).toBe(201);
  await hub.settle();
}, 60_000);

afterAll(async () => {
  await hub?.stop();
  expect(hub?.problems).toEqual([]);
}, 30_000);

describe('policies on the local hub', () => {
  it('reach the chosen clusters rendered for each; a cluster lacking a label gets the render error', async () => {
    const eu = DesiredStateSchema.parse((await poll('s-eu')).body);
    expect(eu.policies.map((p) => p.name)).toEqual(['audit-cm']);
    expect(eu.policies[0].templates[0].objectTemplates[0].objectDefinition).toMatchObject({ data: { region: 'eu' } });
    const bare = DesiredStateSchema.parse((await poll('s-bare')).body);
    expect(bare.policies[0]).toMatchObject({ templates: [], renderError: expect.stringMatching(/region/) });
  });

  it('answers bad policies with problem+json 422 and field paths', async () => {
    const bad = policy('bad');
    (bad.spec.policyTemplates[0].objectTemplates[0] as Record<string, unknown>).complianceType = 'shouldhave';
    (bad.spec.policyTemplates[0] as Record<string, unknown>).evaluationInterval = { compliant: '5s' };
    const res = await hub.api('/v1/policies', { body: bad });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    const paths = (res.body.errors ?? res.body.fieldErrors ?? []).map((e: { path: string }) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'spec.policyTemplates.0.objectTemplates.0.complianceType',
        'spec.policyTemplates.0.evaluationInterval.compliant',
      ]),
    );
  });

  it('lands reports and serves current compliance per policy and per cluster, with the roll-up', async () => {
    await reportCompliance('s-eu', 'audit-cm', 'Compliant');
    await reportCompliance('s-us', 'audit-cm', 'NonCompliant', ['audit']);
    await reportCompliance('s-bare', 'audit-cm', 'NonCompliant');
    const p = await hub.api('/v1/policies/audit-cm');
    expect(p.body.status).toEqual({
      compliant: 'NonCompliant',
      summary: { clusters: 3, compliant: 1, nonCompliant: 2, pending: 0, unknown: 0 },
      nonCompliantClusters: ['s-bare', 's-us'],
    });
    const list = await hub.api('/v1/policies');
    expect(list.body.items[0].status.summary.nonCompliant).toBe(2);

    const perCluster = await hub.api('/v1/policies/audit-cm/compliance?limit=2');
    expect(perCluster.status).toBe(200);
    expect(perCluster.body.items.map((v: { cluster: string }) => v.cluster)).toEqual(['s-bare', 's-eu']);
    const rest = await hub.api(
      `/v1/policies/audit-cm/compliance?limit=2&continue=${encodeURIComponent(perCluster.body.metadata.continue)}`,
    );
    expect(rest.body.items.map((v: { cluster: string; compliance: string }) => [v.cluster, v.compliance])).toEqual([
      ['s-us', 'NonCompliant'],
    ]);
    const onlyBad = await hub.api('/v1/policies/audit-cm/compliance?compliance=NonCompliant');
    expect(onlyBad.body.items.map((v: { cluster: string }) => v.cluster)).toEqual(['s-bare', 's-us']);

    const us = await hub.api('/v1/clusters/s-us/compliance');
    expect(us.body.items).toMatchObject([
      {
        policy: 'audit-cm',
        compliance: 'NonCompliant',
        templates: [{ objects: [{ name: 'audit', reason: 'Mismatch', diff: expect.any(String) }] }],
      },
    ]);
    expect((await hub.api('/v1/clusters/nope/compliance')).status).toBe(404);
    expect((await hub.api('/v1/policies/nope/compliance')).status).toBe(404);
    expect((await hub.api('/v1/policies/audit-cm/compliance?compliance=Fine')).status).toBe(422);
  });

  it('serves the history with filters and pages, clamped to the retention', async () => {
    const all = await hub.api('/v1/compliance/events?direction=asc');
    expect(all.status).toBe(200);
    expect(all.body.items.map((e: { cluster: string; compliance: string }) => [e.cluster, e.compliance])).toEqual([
      ['s-eu', 'Compliant'],
      ['s-us', 'NonCompliant'],
      ['s-bare', 'NonCompliant'],
    ]);
    expect(all.body.items[0]).toMatchObject({
      standards: ['PCI DSS 4.0'],
      controls: ['PCI-DSS 1.2.1'],
      severity: 'high',
      reportedBy: 'agent',
    });
    const page = await hub.api('/v1/compliance/events?limit=2');
    expect(page.body.items).toHaveLength(2);
    const next = await hub.api(`/v1/compliance/events?limit=2&continue=${encodeURIComponent(page.body.continue)}`);
    expect(next.body.items).toHaveLength(1);
    expect((await hub.api('/v1/compliance/events?cluster=s-us&compliance=NonCompliant')).body.items).toHaveLength(1);
    expect((await hub.api('/v1/compliance/events?control=PCI-DSS%201.2.1')).body.items).toHaveLength(3);
    expect((await hub.api('/v1/compliance/events?since=2001-01-01')).body.items).toHaveLength(3);
    const bad = await hub.api('/v1/compliance/events?since=yesterday&limit=5000');
    expect(bad.status).toBe(422);
    expect(bad.headers.get('content-type')).toMatch(/application\/problem\+json/);
  });

  it('renders a report of the policies in scope', async () => {
    const res = await hub.api('/v1/compliance/report?format=json&standard=PCI%20DSS%204.0');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/filename=/);
    const data = JSON.parse(res.text);
    expect(data.policies.map((p: { name: string; compliant: string }) => [p.name, p.compliant])).toEqual([['audit-cm', 'NonCompliant']]);
    expect(data.rows.map((r: { cluster: string }) => r.cluster)).toEqual(['s-bare', 's-eu', 's-us']);
    expect(data.events).toHaveLength(3);
    const csv = await hub.api('/v1/compliance/report?format=csv');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.text).toContain('s-us');
    const html = await hub.api('/v1/compliance/report?format=html&control=PCI-DSS%201.2.1');
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html.text).toMatch(/<html/i);
    expect(html.text).toContain('audit-cm');
    const openReports = await hub.api('/v1/compliance/report?format=openreports');
    expect(openReports.status).toBe(200);
    expect(openReports.text).toContain('openreports.io/v1alpha1');
    const none = JSON.parse((await hub.api('/v1/compliance/report?standard=NIST')).text);
    expect(none.policies).toEqual([]);
    expect((await hub.api('/v1/compliance/report?format=pdf')).status).toBe(422);
  });

  it('deleting the policy takes it out of the desired state and current compliance; the history stays', async () => {
    const before = await poll('s-eu');
    expect((await hub.api('/v1/policies/audit-cm', { method: 'DELETE' })).status).toBeLessThan(300);
    await hub.settle();
    const after = await poll('s-eu', before.headers.get('etag') as string);
    expect(after.status).toBe(200);
    expect(after.body.policies).toEqual([]);
    expect((await hub.api('/v1/clusters/s-eu/compliance')).body.items).toEqual([]);
    expect((await hub.api('/v1/compliance/events')).body.items).toHaveLength(3);
  });
});
