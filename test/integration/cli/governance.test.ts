import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterPolicyCompliance, ComplianceEvent } from '../../../shared/compliance.js';
import { useCliRig } from './support/cli-rig.js';

/**
 * Governance in the CLI against the stub hub: `get policies`, `describe policy|policyset|cluster`
 * with compliance, `compliance history` and `compliance report`, with the exact requests.
 * (The stub's clock is 2026-11-10T12:00:00Z, the capture IO's too.)
 */

const rig = useCliRig('governance');
const tether = (...args: string[]) => rig.tether(args);

const PCI_SPEC = {
  remediationAction: 'enforce',
  severity: 'high',
  standards: ['PCI DSS 4.0'],
  categories: ['Network Security Controls'],
  controls: ['1.2.1'],
  placementRef: { name: 'stores' },
  dependencies: [{ kind: 'Policy', name: 'ns-owner', compliance: 'Compliant' }],
  policyTemplates: [
    {
      name: 'default-deny',
      objectTemplates: [
        {
          complianceType: 'musthave',
          objectDefinition: { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny' } },
        },
        {
          complianceType: 'mustnothave',
          objectDefinition: { apiVersion: 'v1', kind: 'Pod', spec: { containers: [{ securityContext: { privileged: true } }] } },
        },
      ],
      namespaceSelector: { include: ['payments-*'], exclude: ['kube-*'] },
      pruneObjectBehavior: 'DeleteIfCreated',
    },
    {
      objectTemplates: [
        {
          complianceType: 'mustonlyhave',
          objectDefinition: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'audit', namespace: 'x' } },
        },
      ],
      evaluationInterval: { compliant: '1h', noncompliant: '30s' },
    },
  ],
};

function row(
  cluster: string,
  policy: string,
  compliance: ClusterPolicyCompliance['compliance'],
  extra: Partial<ClusterPolicyCompliance> = {},
) {
  return {
    cluster,
    policy,
    compliance,
    since: '2026-11-10T11:00:00Z',
    evaluatedAt: '2026-11-10T11:58:00Z',
    templates: [],
    ...extra,
  } satisfies ClusterPolicyCompliance;
}

const VIOLATION = {
  name: 'default-deny',
  compliance: 'NonCompliant' as const,
  objects: [
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      namespace: 'payments-eu',
      name: 'default-deny',
      compliant: false,
      reason: 'MissingObject',
      message: 'not found',
    },
    {
      apiVersion: 'v1',
      kind: 'Pod',
      namespace: 'payments-eu',
      name: 'debug',
      compliant: false,
      reason: 'ForbiddenObject',
      message: 'matches a mustnothave template',
      diff: '--- debug\n+++ policy\n-  privileged: true\n',
    },
    { apiVersion: 'v1', kind: 'Pod', namespace: 'payments-eu', name: 'web', compliant: true, reason: 'Compliant' },
  ],
};

function seedPci() {
  rig.hub.seed('Policy', 'pci-network', {
    spec: PCI_SPEC,
    annotations: { 'policy.open-cluster-management.io/standards': 'NIST SP 800-53' },
    status: {
      compliant: 'NonCompliant',
      summary: { clusters: 4, compliant: 1, nonCompliant: 1, pending: 1, unknown: 1 },
      nonCompliantClusters: ['store-b'],
    },
  });
  rig.hub.compliance.rows.push(
    row('store-a', 'pci-network', 'Compliant'),
    row('store-b', 'pci-network', 'NonCompliant', { templates: [VIOLATION] }),
    row('store-c', 'pci-network', 'Pending', {
      templates: [
        { name: 'default-deny', compliance: 'Pending', reason: 'DependencyNotMet', message: 'ns-owner is NonCompliant', objects: [] },
      ],
    }),
    row('store-d', 'pci-network', 'Unknown', { lastReported: 'Compliant' }),
  );
}

describe('tether get policies / policysets', () => {
  test('the printer columns: remediation, severity, compliance and the counts per state', async () => {
    seedPci();
    rig.hub.seed('Policy', 'ns-owner', { spec: { remediationAction: 'inform', policyTemplates: [] } });
    const r = await tether('get', 'policies');
    expect(r.code).toBe(0);
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0].split(/\s{3,}/)).toEqual([
      'NAME',
      'REMEDIATION',
      'SEVERITY',
      'COMPLIANCE',
      'COMPLIANT',
      'NONCOMPLIANT',
      'PENDING',
      'AGE',
    ]);
    expect(lines.slice(1).map((l) => l.split(/\s{3,}/))).toEqual([
      ['ns-owner', 'inform', '-', '-', '0', '0', '0', '2d'],
      ['pci-network', 'enforce', 'high', 'NonCompliant', '1', '1', '1', '2d'],
    ]);
    const wide = await tether('get', 'policy', 'pci-network', '-o', 'wide');
    expect(wide.out.split('\n')[0]).toMatch(/NONCOMPLIANT\s+PENDING\s+UNKNOWN\s+STANDARDS\s+AGE\s+LABELS$/);
    expect(wide.out.split('\n')[1]).toMatch(/\s1\s+1\s+1\s+PCI DSS 4\.0\s+2d\s+<none>$/);

    rig.hub.seed('PolicySet', 'pci', {
      spec: { policies: ['pci-network', 'ns-owner'] },
      status: { compliant: 'NonCompliant', summary: { nonCompliant: 2 } },
    });
    const sets = await tether('get', 'policysets');
    expect(
      sets.out
        .trimEnd()
        .split('\n')
        .map((l) => l.split(/\s{3,}/)),
    ).toEqual([
      ['NAME', 'POLICIES', 'COMPLIANCE', 'NONCOMPLIANT', 'AGE'],
      ['pci', '2', 'NonCompliant', '2', '2d'],
    ]);
  });
});

describe('tether describe policy / policyset / cluster', () => {
  test('a policy: spec summary, roll-up, clusters non-compliant first, violations with reasons and indented diffs', async () => {
    seedPci();
    const r = await tether('describe', 'policy', 'pci-network');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const out = r.out;
    expect(out).toContain('Spec:\n  Remediation:  enforce\n  Disabled:     no\n  Severity:     high\n');
    // The first-class mapping and the OCM annotation, merged.
    expect(out).toContain('  Standards:    PCI DSS 4.0, NIST SP 800-53\n');
    expect(out).toContain('  Controls:     1.2.1\n  Placement:    stores\n  Dependencies: Policy ns-owner must be Compliant\n');
    const templates = out.slice(out.indexOf('Templates:'), out.indexOf('Status:')).trimEnd().split('\n');
    expect(templates.slice(1).map((l) => l.trim().split(/\s{3,}/))).toEqual([
      ['NAME', 'OBJECTS', 'TYPES', 'KINDS', 'PRUNE', 'INTERVAL', 'NAMESPACES'],
      [
        'default-deny',
        '2',
        '1 musthave, 1 mustnothave',
        'NetworkPolicy,Pod',
        'DeleteIfCreated',
        '10m/2m',
        'include payments-*; exclude kube-*',
      ],
      ['pci-network-2', '1', '1 mustonlyhave', 'ConfigMap', 'None', '1h/30s', '<none>'],
    ]);
    expect(out).toContain(
      'Status:\n  Compliance:             NonCompliant\n  Clusters:               4 (1 compliant, 1 non-compliant, 1 pending, 1 unknown)\n  Non-Compliant Clusters: store-b\n',
    );
    const clusters = out.slice(out.indexOf('Clusters (non-compliant first):'), out.indexOf('Violations:')).trimEnd().split('\n');
    expect(clusters.slice(1).map((l) => l.trim().split(/\s{3,}/))).toEqual([
      ['CLUSTER', 'COMPLIANCE', 'VIOLATIONS', 'SINCE', 'EVALUATED'],
      ['store-b', 'NonCompliant', '2', '1h', '2m ago'],
      ['store-c', 'Pending', '0', '1h', '2m ago'],
      ['store-d', 'Unknown (last reported Compliant)', '0', '1h', '2m ago'],
      ['store-a', 'Compliant', '0', '1h', '2m ago'],
    ]);
    expect(out.slice(out.indexOf('Violations:'))).toBe(
      [
        'Violations:',
        '  store-b (NonCompliant, evaluated 2m ago):',
        '    template default-deny: NonCompliant',
        '      NetworkPolicy payments-eu/default-deny: MissingObject: not found',
        '      Pod payments-eu/debug: ForbiddenObject: matches a mustnothave template',
        '          --- debug',
        '          +++ policy',
        '          -  privileged: true',
        '  store-c (Pending, evaluated 2m ago):',
        '    template default-deny: Pending (DependencyNotMet): ns-owner is NonCompliant',
        '',
      ].join('\n'),
    );
    // One request per state, non-compliant first, through the compliance route.
    expect(rig.hub.requests.map((q) => [q.path, q.query.compliance ?? '', q.query.limit ?? ''])).toEqual([
      ['/v1/policies/pci-network', '', ''],
      ['/v1/policies/pci-network/compliance', 'NonCompliant', '50'],
      ['/v1/policies/pci-network/compliance', 'Pending', '49'],
      ['/v1/policies/pci-network/compliance', 'Unknown', '48'],
      ['/v1/policies/pci-network/compliance', 'Compliant', '47'],
    ]);
  });

  test('a policy with more clusters than one description shows: pages follow continue, then "... and N more"', async () => {
    rig.hub.seed('Policy', 'big', {
      spec: { policyTemplates: [] },
      status: { compliant: 'NonCompliant', summary: { clusters: 130, nonCompliant: 60, compliant: 70 } },
    });
    for (let i = 0; i < 130; i++)
      rig.hub.compliance.rows.push(row(`s-${String(i).padStart(3, '0')}`, 'big', i % 2 === 0 && i < 120 ? 'NonCompliant' : 'Compliant'));
    const r = await tether('describe', 'policy', 'big');
    expect(r.code).toBe(0);
    const clusters = r.out.slice(r.out.indexOf('Clusters (non-compliant first):'), r.out.indexOf('Violations:')).trimEnd().split('\n');
    expect(clusters).toHaveLength(2 + 50 + 1);
    expect(clusters.slice(2).every((l, i) => i === 50 || l.includes('NonCompliant'))).toBe(true);
    expect(clusters.at(-1)).toBe('  ... and 80 more');
    expect(
      rig.hub.requests.filter((q) => q.path.endsWith('/compliance')).map((q) => [q.query.compliance, q.query.limit, q.query.continue]),
    ).toEqual([
      ['NonCompliant', '50', undefined],
      ['NonCompliant', '30', '20'],
      ['NonCompliant', '10', '40'],
    ]);
  });

  test('a policy set lists its policies with their counts, non-compliant first', async () => {
    seedPci();
    rig.hub.seed('Policy', 'ns-owner', {
      spec: { policyTemplates: [] },
      status: { compliant: 'Compliant', summary: { clusters: 4, compliant: 4 } },
    });
    rig.hub.seed('Policy', 'other', { spec: { policyTemplates: [] } });
    rig.hub.seed('PolicySet', 'pci', {
      spec: { description: 'PCI DSS baseline', policies: ['ns-owner', 'pci-network', 'gone'], placementRef: { name: 'stores' } },
      status: { compliant: 'NonCompliant', summary: { clusters: 4, nonCompliant: 1, compliant: 3 }, missingPolicies: ['gone'] },
    });
    const r = await tether('describe', 'policyset', 'pci');
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      'Spec:\n  Policies:    ns-owner\n               pci-network\n               gone\n  Placement:   stores\n  Description: PCI DSS baseline\n',
    );
    expect(r.out).toContain('  Missing Policies:       gone\n');
    const policies = r.out.slice(r.out.indexOf('Policies (non-compliant first):')).trimEnd().split('\n');
    expect(policies.slice(1).map((l) => l.trim().split(/\s{3,}/))).toEqual([
      ['NAME', 'COMPLIANCE', 'REMEDIATION', 'COMPLIANT', 'NONCOMPLIANT', 'PENDING', 'UNKNOWN'],
      ['pci-network', 'NonCompliant', 'enforce', '1', '1', '1', '1'],
      ['ns-owner', 'Compliant', 'inform', '4', '0', '0', '0'],
    ]);
  });

  test('a cluster shows its compliance with every policy, non-compliant first, and the violations', async () => {
    seedPci();
    rig.hub.seed('Cluster', 'store-b');
    rig.hub.compliance.rows.push(row('store-b', 'ns-owner', 'Compliant'), row('store-b', 'audit-cm', 'Pending'));
    const r = await tether('describe', 'cluster', 'store-b');
    expect(r.code).toBe(0);
    const section = r.out
      .slice(r.out.indexOf('Compliance (non-compliant first):'), r.out.indexOf('Policy Violations:'))
      .trimEnd()
      .split('\n');
    expect(section.slice(1).map((l) => l.trim().split(/\s{3,}/))).toEqual([
      ['POLICY', 'COMPLIANCE', 'VIOLATIONS', 'SINCE', 'EVALUATED'],
      ['pci-network', 'NonCompliant', '2', '1h', '2m ago'],
      ['audit-cm', 'Pending', '0', '1h', '2m ago'],
      ['ns-owner', 'Compliant', '0', '1h', '2m ago'],
    ]);
    expect(r.out).toContain(
      'Policy Violations:\n  pci-network (NonCompliant, evaluated 2m ago):\n    template default-deny: NonCompliant\n',
    );
    expect(r.out).toContain('          -  privileged: true\n');

    rig.hub.seed('Cluster', 'fresh');
    const fresh = await tether('describe', 'cluster', 'fresh');
    expect(fresh.out).toContain('Compliance (non-compliant first):\n  <none>\n');
  });

  test('a hub that does not serve compliance: the cluster is still described, and says so', async () => {
    rig.hub.seed('Cluster', 'store-b');
    rig.hub.overrides.set('GET /v1/clusters/store-b/compliance', {
      status: 404,
      body: { title: 'Not Found', status: 404, detail: 'no route' },
    });
    const r = await tether('describe', 'cluster', 'store-b');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Compliance:\n  <none> (this hub does not serve compliance)\n');
  });
});

function event(i: number, extra: Partial<ComplianceEvent> = {}): ComplianceEvent {
  return {
    id: `e-${String(i).padStart(4, '0')}`,
    time: new Date(Date.parse('2026-11-10T00:00:00Z') - i * 60_000).toISOString(),
    cluster: `store-${i % 3}`,
    policy: 'pci-network',
    compliance: i % 2 ? 'NonCompliant' : 'Compliant',
    previous: i % 2 ? 'Compliant' : 'NonCompliant',
    message: i % 2 ? 'NetworkPolicy payments/default-deny: MissingObject' : '',
    violations: i % 2,
    standards: ['PCI DSS 4.0'],
    categories: [],
    controls: ['1.2.1'],
    policyGeneration: 1,
    reportedBy: 'agent',
    ...extra,
  };
}

describe('tether compliance history', () => {
  test('a table newest first, paging with continue up to --limit; the filters go to the hub as given', async () => {
    for (let i = 0; i < 5; i++) rig.hub.compliance.events.push(event(i));
    const r = await tether('compliance', 'history', '--policy', 'pci-network', '--standard', 'PCI DSS 4.0', '--since', '30d');
    expect(r.code).toBe(0);
    const lines = r.out
      .trimEnd()
      .split('\n')
      .map((l) => l.split(/\s{3,}/));
    expect(lines[0]).toEqual(['TIME', 'CLUSTER', 'POLICY', 'COMPLIANCE', 'PREVIOUS', 'VIOLATIONS', 'MESSAGE']);
    expect(lines.slice(1, 3)).toEqual([
      ['2026-11-10T00:00:00.000Z', 'store-0', 'pci-network', 'Compliant', 'NonCompliant', '0'],
      [
        '2026-11-09T23:59:00.000Z',
        'store-1',
        'pci-network',
        'NonCompliant',
        'Compliant',
        '1',
        'NetworkPolicy payments/default-deny: MissingObject',
      ],
    ]);
    expect(lines).toHaveLength(6);
    const q = rig.hub.requests.find((x) => x.path === '/v1/compliance/events')!;
    expect(q.query).toEqual({ policy: 'pci-network', standard: 'PCI DSS 4.0', since: '30d', direction: 'desc', limit: '100' });

    // A small limit: several pages, each asking only for what is still missing.
    rig.hub.requests.length = 0;
    for (let i = 5; i < 250; i++) rig.hub.compliance.events.push(event(i));
    const limited = await tether('compliance', 'history', '--limit', '120', '-o', 'json');
    expect(limited.code).toBe(0);
    const items = JSON.parse(limited.out) as ComplianceEvent[];
    expect(items.map((e) => e.id)).toEqual(Array.from({ length: 120 }, (_, i) => `e-${String(i).padStart(4, '0')}`));
    expect(rig.hub.requests.map((x) => [x.query.limit, x.query.continue])).toEqual([['120', undefined]]);
    expect(limited.err).toBe('');
  });

  test('--all follows continue to the end; the default limit says on stderr that there is more', async () => {
    for (let i = 0; i < 1500; i++) rig.hub.compliance.events.push(event(i));
    const all = await tether('compliance', 'history', '--all', '--oldest-first', '-o', 'json');
    expect(all.code).toBe(0);
    const items = JSON.parse(all.out) as ComplianceEvent[];
    expect(items).toHaveLength(1500);
    expect(items[0].id).toBe('e-1499');
    expect(rig.hub.requests.map((x) => [x.query.limit, x.query.continue, x.query.direction])).toEqual([
      ['1000', undefined, 'asc'],
      ['1000', '1000', 'asc'],
    ]);
    const table = await tether('compliance', 'history', '--cluster', 'store-1', '--compliance', 'noncompliant');
    expect(table.code).toBe(0);
    expect(table.out.trimEnd().split('\n')).toHaveLength(101);
    expect(table.err).toBe('(the newest 100 events; --limit N or --all shows more)\n');
    expect(rig.hub.requests.at(-1)!.query).toMatchObject({ cluster: 'store-1', compliance: 'NonCompliant' });
  });

  test('no events: a note on stderr, nothing on stdout; -o json prints []', async () => {
    const r = await tether('compliance', 'history', '--policy', 'nothing');
    expect(r).toMatchObject({ code: 0, out: '', err: 'No compliance events match.\n' });
    const json = await tether('compliance', 'history', '-o', 'json');
    expect(JSON.parse(json.out)).toEqual([]);
  });

  test.each([
    [['--since', 'last tuesday'], /invalid --since: since must be an RFC 3339 time .*got "last tuesday"/],
    [['--until', '2026-13-45'], /invalid --until/],
    [['--compliance', 'broken'], /invalid --compliance "broken": expected one of Compliant, NonCompliant, Pending, Unknown/],
    [['--limit', '0'], /invalid --limit "0"/],
    [['--limit', '10', '--all'], /--all and --limit contradict each other/],
    [['--cluster', 'Not_A_Name'], /invalid cluster name "Not_A_Name"/],
    [['--standard', ' '], /--standard must not be empty/],
    [['-o', 'csv'], /argument 'csv' is invalid/],
  ])('bad flags %j: exit 2, a clear error, nothing sent', async (flags, message) => {
    const r = await tether('compliance', 'history', ...flags);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.out).toBe('');
    expect(rig.hub.requests).toEqual([]);
  });
});

describe('tether compliance report', () => {
  test('the body goes to stdout exactly as the hub sent it, nothing else; the filters go along', async () => {
    const r = await tether('compliance', 'report', '--standard', 'PCI DSS 4.0', '--cluster', 'store-1', '--since', '90d', '-o', 'csv');
    expect(r.code).toBe(0);
    expect(r.out).toBe('cluster,policy,compliance\nstore-0001,"pci, owner",NonCompliant\n');
    expect(r.err).toBe('');
    expect(rig.hub.requests[0].query).toEqual({ standard: 'PCI DSS 4.0', cluster: 'store-1', since: '90d', format: 'csv' });
    const html = await tether('compliance', 'report', '-o', 'html');
    expect(html.out).toMatch(/^<!doctype html><title>Compliance report<\/title>/);
    const json = await tether('compliance', 'report');
    expect(JSON.parse(json.out)).toEqual({ report: 'json', query: { format: 'json' } });
  });

  test('--output-file writes the report atomically (no temporary file left) and says so on stderr', async () => {
    writeFileSync(join(rig.dir, 'report.html'), 'an older report');
    const r = await tether('compliance', 'report', '-o', 'html', '--output-file', join(rig.dir, 'report.html'), '--policy', 'pci-network');
    expect(r.code).toBe(0);
    expect(r.out).toBe('');
    expect(r.err).toMatch(/^Wrote the html report to .*report\.html \(\d+ bytes\)\.\n$/);
    expect(readFileSync(join(rig.dir, 'report.html'), 'utf8')).toContain('"policy":"pci-network"');
    expect(readdirSync(rig.dir).filter((f) => f.includes('report'))).toEqual(['report.html']);
  });

  test('a hub error writes nothing, not even an empty file; bad flags send nothing (exit 2)', async () => {
    rig.hub.overrides.set('GET /v1/compliance/report', {
      status: 500,
      body: { title: 'Internal Server Error', status: 500, detail: 'boom' },
    });
    const file = join(rig.dir, 'never.csv');
    const r = await tether('compliance', 'report', '-o', 'csv', '--output-file', file);
    expect(r.code).toBe(1);
    expect(r.err).toContain('boom');
    expect(readdirSync(rig.dir)).toEqual([]);
    rig.hub.requests.length = 0;
    for (const flags of [
      ['-o', 'pdf'],
      ['--since', 'soon'],
      ['--policy', 'UPPER'],
      ['--output-file', ''],
    ]) {
      const bad = await tether('compliance', 'report', ...flags);
      expect(bad.code).toBe(2);
      expect(bad.err).toMatch(/^error: /);
    }
    expect(rig.hub.requests).toEqual([]);
  });
});

describe('completion', () => {
  test('--policy completes policy names from the hub; --output-file completes files', async () => {
    rig.hub.seed('Policy', 'pci-network', { spec: { policyTemplates: [] } });
    rig.hub.seed('Policy', 'ns-owner', { spec: { policyTemplates: [] } });
    const r = await rig.tether(['__complete', 'compliance', 'history', '--policy', '']);
    expect(r.out.split('\n').filter(Boolean)).toEqual(['ns-owner', 'pci-network']);
    const f = await rig.tether(['__complete', 'compliance', 'report', '--output-file', '']);
    expect(f.out).toBe(':files\n');
  });
});
