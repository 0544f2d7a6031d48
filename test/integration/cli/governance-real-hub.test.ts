import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { DesiredPolicy } from '../../../shared/protocol/v1.js';
import { ReportingSpoke } from '../../support/reporting-spoke.js';
import { useRealHubCli } from './support/real-hub-cli.js';

/**
 * Governance in the CLI against a real local hub: a placement chooses two stores, a PCI policy
 * reaches them through the desired state, each reports compliance through the agent API (one
 * compliant, one with a violating object and its diff), and `get`, `describe`, `compliance history`
 * and `compliance report` read it back through the hub's own routes.
 */

const { hub, dir, tether } = useRealHubCli('governance', { config: { pollIntervalSeconds: 1 }, schedulerIntervalMs: 500 });
const spokes: ReportingSpoke[] = [];
let sent: DesiredPolicy[] = [];

const DIFF = '--- cluster\n+++ policy\n metadata:\n   labels:\n+    owner: payments\n';

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

beforeAll(async () => {
  for (const name of ['store-gov-a', 'store-gov-b']) spokes.push((await ReportingSpoke.join(hub(), name, { tier: 'gov' })).keepAlive(500));
  const placement = await hub().api('/v1/placements', {
    body: {
      apiVersion: 'tether.dev/v1alpha1',
      kind: 'Placement',
      metadata: { name: 'gov-stores' },
      spec: { predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { tier: 'gov' } } } }] },
    },
  });
  expect(placement.status).toBe(201);
  const policy = await hub().api('/v1/policies', {
    body: {
      apiVersion: 'tether.dev/v1alpha1',
      kind: 'Policy',
      metadata: { name: 'pci-owner' },
      spec: {
        severity: 'high',
        standards: ['PCI DSS 4.0'],
        controls: ['2.2.1'],
        placementRef: { name: 'gov-stores' },
        policyTemplates: [
          {
            name: 'owner-label',
            objectTemplates: [
              {
                complianceType: 'musthave',
                objectDefinition: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'payments', labels: { owner: 'payments' } } },
              },
            ],
          },
        ],
      },
    },
  });
  expect(policy.status).toBe(201);
  sent = await Promise.all(spokes.map((s) => s.waitForPolicy('pci-owner', 30_000)));
  await spokes[0].report(sent[0], 'Compliant', [{ name: 'owner-label', compliance: 'Compliant', objects: [] }]);
  await spokes[1].report(sent[1], 'NonCompliant', [
    {
      name: 'owner-label',
      compliance: 'NonCompliant',
      reason: 'Violation',
      objects: [
        {
          apiVersion: 'v1',
          kind: 'Namespace',
          name: 'payments',
          compliant: false,
          reason: 'Mismatch',
          message: 'label owner missing',
          diff: DIFF,
        },
      ],
    },
  ]);
  await until(
    async () => (await hub().api('/v1/policies/pci-owner')).body?.status?.summary?.nonCompliant === 1,
    20_000,
    'the roll-up to count the reports',
  );
}, 90_000);

afterAll(() => {
  for (const s of spokes) s.stop();
});

describe('governance in the CLI against the real hub', () => {
  it('get policies shows the counts; describe policy lists the clusters non-compliant first with the violation and its diff', async () => {
    const get = await tether(['get', 'policies']);
    expect(get.code).toBe(0);
    const [head, row] = get.out.trimEnd().split('\n');
    expect(head.split(/\s{3,}/).slice(0, 7)).toEqual([
      'NAME',
      'REMEDIATION',
      'SEVERITY',
      'COMPLIANCE',
      'COMPLIANT',
      'NONCOMPLIANT',
      'PENDING',
    ]);
    expect(row.split(/\s{3,}/).slice(0, 7)).toEqual(['pci-owner', 'inform', 'high', 'NonCompliant', '1', '1', '0']);

    const d = await tether(['describe', 'policy', 'pci-owner']);
    expect(d.err).toBe('');
    expect(d.code).toBe(0);
    expect(d.out).toContain('  Clusters:               2 (1 compliant, 1 non-compliant, 0 pending, 0 unknown)\n');
    expect(d.out).toContain('  Non-Compliant Clusters: store-gov-b\n');
    const clusters = d.out.slice(d.out.indexOf('Clusters (non-compliant first):'), d.out.indexOf('Violations:')).trimEnd().split('\n');
    expect(
      clusters.slice(2).map((l) =>
        l
          .trim()
          .split(/\s{3,}/)
          .slice(0, 3),
      ),
    ).toEqual([
      ['store-gov-b', 'NonCompliant', '1'],
      ['store-gov-a', 'Compliant', '0'],
    ]);
    expect(d.out).toContain(
      [
        '    template owner-label: NonCompliant (Violation)',
        '      Namespace payments: Mismatch: label owner missing',
        '          --- cluster',
        '          +++ policy',
        '           metadata:',
        '             labels:',
        '          +    owner: payments',
        '',
      ].join('\n'),
    );

    const set = await hub().api('/v1/policysets', {
      body: {
        apiVersion: 'tether.dev/v1alpha1',
        kind: 'PolicySet',
        metadata: { name: 'pci' },
        spec: { policies: ['pci-owner', 'not-yet'] },
      },
    });
    expect(set.status).toBe(201);
    const ds = await tether(['describe', 'policyset', 'pci']);
    expect(ds.code).toBe(0);
    expect(ds.out).toContain('  Missing Policies:       not-yet\n');
    expect(ds.out).toMatch(
      /Policies \(non-compliant first\):\n {2}NAME\s+COMPLIANCE\s+REMEDIATION\s+COMPLIANT\s+NONCOMPLIANT\s+PENDING\s+UNKNOWN\n {2}pci-owner\s+NonCompliant\s+inform\s+1\s+1\s+0\s+0\n/,
    );

    const c = await tether(['describe', 'cluster', 'store-gov-b']);
    expect(c.code).toBe(0);
    expect(c.out).toMatch(
      /Compliance \(non-compliant first\):\n {2}POLICY\s+COMPLIANCE\s+VIOLATIONS\s+SINCE\s+EVALUATED\n {2}pci-owner\s+NonCompliant\s+1\s/,
    );
    expect(c.out).toContain('Policy Violations:\n  pci-owner (NonCompliant');
  }, 30_000);

  it('compliance history reads the events back, filtered; bad flags send nothing', async () => {
    const all = await tether(['compliance', 'history', '--policy', 'pci-owner', '-o', 'json']);
    expect(all.code).toBe(0);
    const events = JSON.parse(all.out) as { cluster: string; compliance: string; standards: string[]; violations: number }[];
    expect(events.map((e) => [e.cluster, e.compliance, e.violations]).sort()).toEqual([
      ['store-gov-a', 'Compliant', 0],
      ['store-gov-b', 'NonCompliant', 1],
    ]);
    expect(events.every((e) => e.standards.includes('PCI DSS 4.0'))).toBe(true);

    const table = await tether(['compliance', 'history', '--standard', 'PCI DSS 4.0', '--compliance', 'noncompliant', '--since', '1d']);
    expect(table.code).toBe(0);
    const lines = table.out.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TIME\s+CLUSTER\s+POLICY\s+COMPLIANCE\s+PREVIOUS\s+VIOLATIONS\s+MESSAGE$/);
    expect(lines.slice(1).map((l) => l.split(/\s{3,}/).slice(1, 6))).toEqual([['store-gov-b', 'pci-owner', 'NonCompliant', '-', '1']]);

    const none = await tether(['compliance', 'history', '--cluster', 'store-gov-a', '--compliance', 'NonCompliant']);
    expect(none).toMatchObject({ code: 0, out: '', err: 'No compliance events match.\n' });

    const bad = await tether(['compliance', 'history', '--since', 'whenever']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^error: invalid --since/);
  }, 30_000);

  it('compliance report writes the json body as the hub renders it, to stdout or atomically to a file', async () => {
    const r = await tether(['compliance', 'report', '--standard', 'PCI DSS 4.0']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const report = JSON.parse(r.out) as { filters: { standard?: string }; policies: { name: string }[]; rows: { cluster: string }[] };
    expect(report.filters.standard).toBe('PCI DSS 4.0');
    expect(report.policies.map((p) => p.name)).toEqual(['pci-owner']);
    expect(report.rows.map((x) => x.cluster).sort()).toEqual(['store-gov-a', 'store-gov-b']);

    const file = join(dir(), 'pci.json');
    const f = await tether(['compliance', 'report', '--policy', 'pci-owner', '-o', 'json', '--output-file', file]);
    expect(f.code).toBe(0);
    expect(f.out).toBe('');
    expect(JSON.parse(readFileSync(file, 'utf8')).policies.map((p: { name: string }) => p.name)).toEqual(['pci-owner']);
  }, 30_000);
});
