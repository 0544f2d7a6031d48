import { describe, expect, it } from '@jest/globals';
import { csvCell } from '../../../../lambdas/capabilities/governance/reports/csv.js';
import { escapeHtml } from '../../../../lambdas/capabilities/governance/reports/html.js';
import { openReportsList } from '../../../../lambdas/capabilities/governance/reports/openreports.js';
import { renderReport } from '../../../../lambdas/capabilities/governance/reports/render.js';
import type { ComplianceReportData } from '../../../../lambdas/capabilities/governance/reports/report-data.js';
import { summaryByControl, summaryByStandard } from '../../../../lambdas/capabilities/governance/reports/summary.js';
import { ReportFormats } from '../../../../shared/compliance.js';

const XSS = '<script>alert(1)</script>"><img src=x onerror=alert(2)>';

/** A small fleet: 3 clusters, 3 policies, every state, hostile strings where clusters can put them. */
function data(): ComplianceReportData {
  return {
    generatedAt: '2026-12-05T12:00:00.000Z',
    filters: { standard: 'PCI DSS', since: '2026-11-05T12:00:00.000Z', until: '2026-12-05T12:00:00.000Z' },
    policies: [
      {
        name: 'namespace-owner',
        description: 'Every namespace has an owner',
        severity: 'medium',
        remediationAction: 'inform',
        disabled: false,
        standards: ['PCI DSS'],
        categories: ['CM Configuration Management'],
        controls: ['PCI-2.2'],
        compliant: 'NonCompliant',
      },
      {
        name: 'no-privileged',
        severity: 'critical',
        remediationAction: 'enforce',
        disabled: false,
        standards: ['PCI DSS', 'NIST SP 800-53'],
        categories: ['AC Access Control', 'SI System Integrity'],
        controls: ['PCI-2.2', 'AC-6'],
        compliant: 'Pending',
      },
      { name: 'unmapped', remediationAction: 'inform', disabled: true, standards: [], categories: [], controls: [] },
    ],
    rows: [
      {
        cluster: 'cloud-eu',
        policy: 'namespace-owner',
        compliance: 'Compliant',
        since: '2026-11-01T00:00:00.000Z',
        evaluatedAt: '2026-12-05T11:58:00.123Z',
        policyGeneration: 2,
        templates: [{ name: 'owner-label', compliance: 'Compliant', objects: [] }],
      },
      {
        cluster: 'cloud-eu',
        policy: 'no-privileged',
        compliance: 'Compliant',
        since: '2026-11-01T00:00:00.000Z',
        evaluatedAt: '2026-12-05T11:58:00.123Z',
        templates: [{ name: 'no-privileged-pods', compliance: 'Compliant', objects: [] }],
      },
      {
        cluster: 'store-001',
        policy: 'namespace-owner',
        compliance: 'NonCompliant',
        since: '2026-12-01T08:00:00.000Z',
        evaluatedAt: '2026-12-05T11:59:00.000Z',
        templates: [
          {
            name: 'owner-label',
            compliance: 'NonCompliant',
            objects: [
              {
                apiVersion: 'v1',
                kind: 'Namespace',
                name: 'pos',
                compliant: false,
                reason: 'FieldMismatch',
                message: `=HYPERLINK("http://evil"), ${XSS}`,
              },
              { apiVersion: 'v1', kind: 'Namespace', name: 'kiosk', compliant: false, reason: 'FieldMismatch' },
              { apiVersion: 'v1', kind: 'Namespace', name: 'ok', compliant: true, reason: 'Matches' },
            ],
            omittedObjects: 3,
          },
        ],
      },
      {
        cluster: 'store-001',
        policy: 'no-privileged',
        compliance: 'Pending',
        since: '2026-12-02T00:00:00.000Z',
        evaluatedAt: '2026-12-05T11:59:00.000Z',
        templates: [
          {
            name: 'no-privileged-pods',
            compliance: 'Pending',
            reason: 'DependencyNotMet',
            message: 'namespace-owner is NonCompliant',
            objects: [],
          },
        ],
      },
      {
        cluster: 'store-002',
        policy: 'namespace-owner',
        compliance: 'Unknown',
        lastReported: 'Compliant',
        since: '2026-10-01T00:00:00.000Z',
        templates: [],
      },
      { cluster: 'store-002', policy: 'unmapped', compliance: 'Unknown', templates: [] },
    ],
    events: [
      {
        id: 'e2',
        time: '2026-12-02T00:00:00.000Z',
        cluster: 'store-001',
        policy: 'no-privileged',
        compliance: 'Pending',
        previous: 'Compliant',
        message: 'dependency namespace-owner is NonCompliant',
        violations: 0,
        severity: 'critical',
        standards: ['PCI DSS', 'NIST SP 800-53'],
        categories: ['AC Access Control'],
        controls: ['PCI-2.2', 'AC-6'],
        policyGeneration: 1,
        reportedBy: 'agent',
      },
      {
        id: 'e1',
        time: '2026-12-01T08:00:00.000Z',
        cluster: 'store-001',
        policy: 'namespace-owner',
        compliance: 'NonCompliant',
        previous: 'Compliant',
        message: XSS,
        violations: 5,
        severity: 'medium',
        standards: ['PCI DSS'],
        categories: ['CM Configuration Management'],
        controls: ['PCI-2.2'],
        policyGeneration: 2,
        reportedBy: 'agent',
      },
    ],
    eventsTruncated: true,
  };
}

/** A small RFC 4180 reader, to check the CSV by what a spreadsheet would read. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell || row.length) throw new Error('the CSV does not end with CRLF');
  return rows;
}

describe('renderReport', () => {
  it('gives every format a content type and a dated file name, and the same bytes for the same data', () => {
    const types = Object.fromEntries(ReportFormats.map((f) => [f, renderReport(f, data())]));
    expect(Object.fromEntries(Object.entries(types).map(([f, r]) => [f, [r.contentType, r.fileName]]))).toEqual({
      json: ['application/json', 'compliance-report-20261205T120000Z.json'],
      csv: ['text/csv; charset=utf-8; header=present', 'compliance-report-20261205T120000Z.csv'],
      html: ['text/html; charset=utf-8', 'compliance-report-20261205T120000Z.html'],
      openreports: ['application/json', 'compliance-report-20261205T120000Z.openreports.json'],
    });
    for (const f of ReportFormats) expect(renderReport(f, data()).body).toBe(types[f]?.body);
  });
});

describe('json report', () => {
  it('is the data as is, keys in a stable order whatever order the data was built in', () => {
    const body = renderReport('json', data()).body;
    expect(JSON.parse(body)).toEqual(data());
    const topKeys = [...body.matchAll(/^ {2}"(\w+)":/gm)].map((m) => m[1]);
    expect(topKeys).toEqual(['events', 'eventsTruncated', 'filters', 'generatedAt', 'policies', 'rows']);
    const reordered = Object.fromEntries(Object.entries(data()).reverse()) as unknown as ComplianceReportData;
    expect(renderReport('json', reordered).body).toBe(body);
  });
});

describe('csv report', () => {
  it('has one row per cluster and policy with the documented columns, RFC 4180 quoted', () => {
    const body = renderReport('csv', data()).body;
    expect(body.endsWith('\r\n')).toBe(true);
    const rows = parseCsv(body);
    expect(rows[0]).toEqual([
      'cluster',
      'policy',
      'compliance',
      'since',
      'evaluatedAt',
      'severity',
      'standards',
      'categories',
      'controls',
      'violations',
      'message',
    ]);
    expect(rows).toHaveLength(1 + data().rows.length);
    expect(rows.slice(1).map((r) => [r[0], r[1], r[2], r[9]])).toEqual([
      ['cloud-eu', 'namespace-owner', 'Compliant', '0'],
      ['cloud-eu', 'no-privileged', 'Compliant', '0'],
      ['store-001', 'namespace-owner', 'NonCompliant', '5'],
      ['store-001', 'no-privileged', 'Pending', '0'],
      ['store-002', 'namespace-owner', 'Unknown', '0'],
      ['store-002', 'unmapped', 'Unknown', '0'],
    ]);
    const store1 = rows[3] as string[];
    expect(store1.slice(3, 9)).toEqual([
      '2026-12-01T08:00:00.000Z',
      '2026-12-05T11:59:00.000Z',
      'medium',
      'PCI DSS',
      'CM Configuration Management',
      'PCI-2.2',
    ]);
    // The message has a comma and quotes: quoted, and read back intact.
    expect(store1[10]).toBe(`Namespace pos: FieldMismatch (=HYPERLINK("http://evil"), ${XSS})`);
    expect((rows[4] as string[])[10]).toBe('namespace-owner is NonCompliant');
    expect((rows[2] as string[])[6]).toBe('PCI DSS; NIST SP 800-53');
  });

  it('neutralises cells a spreadsheet would run as formulas', () => {
    for (const danger of ['=1+1', '+1', '-2+3', '@SUM(A1)', '\t=1', '=cmd|" /C calc"!A0']) {
      expect(csvCell(danger).replace(/^"/, '').startsWith("'")).toBe(true);
    }
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell(3)).toBe('3');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    const d = data();
    (d.rows[0] as (typeof d.rows)[number]).cluster = '=evil()';
    const rows = parseCsv(renderReport('csv', d).body);
    expect((rows[1] as string[])[0]).toBe("'=evil()");
  });
});

describe('html report', () => {
  const body = renderReport('html', data()).body;

  it('is one self-contained page: no script, no external request, inline CSS, print styles', () => {
    expect(body.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(body).not.toMatch(/<script/i);
    expect(body).not.toMatch(/<(img|link|iframe|object|embed)\b/i);
    // No tag carries a URL or an event handler (the escaped data may say "src=" as text).
    expect(body).not.toMatch(/<[a-z][^>]*\b(src|href|action)\s*=/i);
    expect(body).not.toMatch(/url\(|@import/i);
    expect(body).not.toMatch(/<[a-z][^>]*\bon[a-z]+\s*=/i);
    expect(body).toMatch(/<style>[\s\S]*@media print[\s\S]*<\/style>/);
  });

  it('escapes every value that comes from the data', () => {
    expect(body).not.toContain(XSS);
    expect(body).toContain(escapeHtml(XSS));
    expect(escapeHtml(`<a href="x" title='y'>&`)).toBe('&#60;a href=&#34;x&#34; title=&#39;y&#39;&#62;&#38;');
    const d = data();
    d.filters.cluster = XSS;
    (d.policies[0] as (typeof d.policies)[number]).name = XSS;
    d.generatedAt = XSS;
    const hostile = renderReport('html', d).body;
    expect(hostile).not.toMatch(/<script|<img/i);
  });

  it('has the title, time and filters, then the summary, the clusters and the history, in that order', () => {
    expect(body).toContain('<title>Tether compliance report — PCI DSS</title>');
    expect(body).toContain('Generated by Tether at <time datetime="2026-12-05T12:00:00.000Z">');
    expect(body).toMatch(/<dt>Standard<\/dt><dd>PCI DSS<\/dd>/);
    expect(body).toMatch(/<dt>Cluster<\/dt><dd>all<\/dd>/);
    const at = (s: string) => body.indexOf(s);
    const order = [
      '<h2>Summary</h2>',
      '<h3>By standard</h3>',
      '<h3>By control</h3>',
      '<h2>Clusters</h2>',
      '<h3>Cluster cloud-eu</h3>',
      '<h3>Cluster store-001</h3>',
      '<h3>Cluster store-002</h3>',
      '<h2>History</h2>',
    ];
    for (const s of order) expect(at(s)).toBeGreaterThan(0);
    expect(order.map(at)).toEqual([...order.map(at)].sort((a, b) => a - b));
  });

  it('summarises per standard: clusters per state, policies, non-compliant clusters', () => {
    const row = body.split('\n').find((l) => l.startsWith('<tr><td>PCI DSS</td>'));
    // cloud-eu compliant; store-001 non-compliant (one policy fails); store-002 unknown (silent).
    expect(row).toBe(
      '<tr><td>PCI DSS</td><td class="n">1</td><td class="n">1</td><td class="n">0</td><td class="n">1</td><td>namespace-owner, no-privileged</td><td>store-001</td></tr>',
    );
  });

  it("lists each cluster's policies with timestamps and violations, and notes a truncated history", () => {
    const store1 = body.slice(body.indexOf('<h3>Cluster store-001</h3>'), body.indexOf('<h3>Cluster store-002</h3>'));
    expect(store1).toContain('<span class="state NonCompliant">NonCompliant</span>');
    expect(store1).toContain('<time datetime="2026-12-01T08:00:00.000Z">');
    expect(store1).toContain('owner-label: Namespace kiosk: FieldMismatch');
    expect(store1).toContain('and 3 more violating objects not listed');
    expect(store1).toContain('no-privileged-pods: Pending (DependencyNotMet) namespace-owner is NonCompliant');
    const store2 = body.slice(body.indexOf('<h3>Cluster store-002</h3>'), body.indexOf('<h2>History</h2>'));
    expect(store2).toContain('agent silent; last reported Compliant');
    const history = body.slice(body.indexOf('<h2>History</h2>'));
    expect(history).toContain('The window holds more events than this report carries: the 2 newest are listed.');
    expect(history.indexOf('dependency namespace-owner')).toBeLessThan(history.indexOf(escapeHtml(XSS)));
    expect(renderReport('html', { ...data(), eventsTruncated: false }).body).toContain('2 events, newest first.');
  });
});

describe('summaries', () => {
  it('roll up per standard and per control, policies without a mapping last', () => {
    expect(summaryByStandard(data()).map((l) => [l.name, l.clusters, l.policies])).toEqual([
      ['NIST SP 800-53', { Compliant: 1, NonCompliant: 0, Pending: 1, Unknown: 0 }, ['no-privileged']],
      ['PCI DSS', { Compliant: 1, NonCompliant: 1, Pending: 0, Unknown: 1 }, ['namespace-owner', 'no-privileged']],
      ['(none)', { Compliant: 0, NonCompliant: 0, Pending: 0, Unknown: 1 }, ['unmapped']],
    ]);
    expect(summaryByControl(data()).map((l) => [l.name, l.standards, l.nonCompliantClusters])).toEqual([
      ['AC-6', ['NIST SP 800-53', 'PCI DSS'], []],
      ['PCI-2.2', ['NIST SP 800-53', 'PCI DSS'], ['store-001']],
      ['(none)', [], []],
    ]);
  });

  it('orders controls naturally, as an auditor reads them (2.2.1 before 10.2.1)', () => {
    const d = data();
    d.policies = ['10.2.1', '2.2.1', '1.3.1'].map((control) => ({
      name: `p-${control}`,
      remediationAction: 'inform',
      disabled: false,
      standards: ['PCI DSS 4.0'],
      categories: [],
      controls: [control],
    }));
    expect(summaryByControl(d).map((l) => l.name)).toEqual(['1.3.1', '2.2.1', '10.2.1']);
  });
});

describe('openreports report', () => {
  const list = openReportsList(data());

  it('is a v1 List of one openreports.io/v1alpha1 Report per cluster, scoped to the cluster', () => {
    expect(JSON.parse(renderReport('openreports', data()).body)).toEqual(list);
    expect(list.apiVersion).toBe('v1');
    expect(list.kind).toBe('List');
    expect(list.items.map((r) => [r.apiVersion, r.kind, r.metadata.name, r.scope.kind, r.scope.name, r.source])).toEqual([
      ['openreports.io/v1alpha1', 'Report', 'tether-compliance-cloud-eu', 'Cluster', 'cloud-eu', 'tether'],
      ['openreports.io/v1alpha1', 'Report', 'tether-compliance-store-001', 'Cluster', 'store-001', 'tether'],
      ['openreports.io/v1alpha1', 'Report', 'tether-compliance-store-002', 'Cluster', 'store-002', 'tether'],
    ]);
    expect(list.items.map((r) => r.summary)).toEqual([
      { pass: 2, fail: 0, warn: 0, error: 0, skip: 0 },
      { pass: 0, fail: 1, warn: 0, error: 0, skip: 1 },
      { pass: 0, fail: 0, warn: 0, error: 2, skip: 0 },
    ]);
  });

  it('maps each template to a result: policy, rule, first category, severity, timestamp, resources, string properties', () => {
    const [fail, skip] = list.items[1]?.results ?? [];
    expect(fail).toEqual({
      source: 'tether',
      policy: 'namespace-owner',
      rule: 'owner-label',
      category: 'CM Configuration Management',
      severity: 'medium',
      timestamp: { seconds: Date.parse('2026-12-05T11:59:00.000Z') / 1000, nanos: 0 },
      result: 'fail',
      message: `Namespace pos: FieldMismatch (=HYPERLINK("http://evil"), ${XSS})`,
      resources: [
        { apiVersion: 'v1', kind: 'Namespace', name: 'pos' },
        { apiVersion: 'v1', kind: 'Namespace', name: 'kiosk' },
      ],
      properties: {
        standards: 'PCI DSS',
        categories: 'CM Configuration Management',
        controls: 'PCI-2.2',
        remediationAction: 'inform',
        compliance: 'NonCompliant',
        since: '2026-12-01T08:00:00.000Z',
        violations: '5',
      },
    });
    expect(skip?.result).toBe('skip');
    expect(skip?.properties.reason).toBe('DependencyNotMet');
    expect(list.items[0]?.results[0]?.timestamp).toEqual({
      seconds: Math.floor(Date.parse('2026-12-05T11:58:00.123Z') / 1000),
      nanos: 123_000_000,
    });
    for (const r of list.items.flatMap((i) => i.results)) {
      for (const v of Object.values(r.properties)) expect(typeof v).toBe('string');
    }
  });

  it('reports a silent cluster as error with the reason, never its stale answer as a pass', () => {
    const [silent, never] = list.items[2]?.results ?? [];
    expect(silent?.result).toBe('error');
    expect(silent?.message).toBe('no current answer from the cluster (its agent is silent); last reported Compliant');
    expect(silent?.properties.lastReported).toBe('Compliant');
    expect(never?.result).toBe('error');
    expect(never?.message).toBe('no compliance reported by the cluster');
  });
});
