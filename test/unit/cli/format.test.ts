import { age } from '../../../cli/output/age.js';
import { formatDuration as shortDuration, parseDurationSeconds } from '../../../shared/duration.js';
import { painter } from '../../../cli/output/color.js';
import { columnsFor, formatLabels } from '../../../cli/output/columns.js';
import { formatList, kindRef } from '../../../cli/output/print.js';
import { renderTable } from '../../../cli/output/table.js';
import { describeResource } from '../../../cli/output/describe.js';
import type { Resource } from '../../../shared/resources/meta.js';

const NOW = new Date('2026-11-10T12:00:00Z');

function resource(kind: string, name: string, extra: Partial<Resource> = {}): Resource {
  return {
    apiVersion: 'tether.dev/v1alpha1',
    kind,
    metadata: { name, uid: 'u', resourceVersion: '1', generation: 1, creationTimestamp: '2026-11-10T11:00:00Z' },
    spec: {},
    ...extra,
  };
}

describe('ages, like kubectl', () => {
  test.each([
    [0, '0s'],
    [5_000, '5s'],
    [59_999, '59s'],
    [60_000, '1m'],
    [3 * 60_000 + 59_000, '3m'],
    [2 * 3600_000, '2h'],
    [23 * 3600_000 + 59 * 60_000, '23h'],
    [4 * 86400_000, '4d'],
    [364 * 86400_000, '364d'],
    [800 * 86400_000, '2y'],
    [-5_000, '0s'],
  ])('%d ms is %s', (ms, text) => {
    expect(shortDuration(ms)).toBe(text);
  });

  test('age of a timestamp, and of a missing or unreadable one', () => {
    expect(age('2026-11-10T11:57:00Z', NOW)).toBe('3m');
    expect(age(undefined, NOW)).toBe('<unknown>');
    expect(age('yesterday', NOW)).toBe('<unknown>');
  });

  test('duration flags', () => {
    expect(parseDurationSeconds('24h')).toBe(86400);
    expect(parseDurationSeconds('1h30m')).toBe(5400);
    expect(parseDurationSeconds('90')).toBe(90);
    expect(parseDurationSeconds('2d')).toBe(172800);
    expect(parseDurationSeconds('soon')).toBeUndefined();
    expect(parseDurationSeconds('1.5h')).toBeUndefined();
    expect(parseDurationSeconds('')).toBeUndefined();
  });
});

describe('tables', () => {
  test('columns are aligned with three spaces, headers upper-cased, no trailing blanks', () => {
    const out = renderTable(
      ['name', 'status', 'note'],
      [
        ['a', 'True', ''],
        ['long-name', 'False', 'x'],
      ],
    );
    expect(out).toBe('NAME        STATUS   NOTE\na           True\nlong-name   False    x\n');
  });

  test('colour wraps only the text, so alignment is the same with and without it', () => {
    const rows = [
      [{ text: 'True', tone: 'good' as const }, 'x'],
      [{ text: 'False', tone: 'bad' as const }, 'y'],
    ];
    const plain = renderTable(['S', 'V'], rows, painter(false));
    const coloured = renderTable(['S', 'V'], rows, painter(true));
    expect(coloured).toBe('S       V\n\u001b[32mTrue\u001b[39m    x\n\u001b[31mFalse\u001b[39m   y\n');
    // eslint-disable-next-line no-control-regex
    expect(coloured.replace(/\u001b\[\d+m/g, '')).toBe(plain);
  });

  test('newlines in values cannot break a row', () => {
    expect(renderTable(['A'], [['one\ntwo']])).toBe('A\none two\n');
  });

  test('kinds without columns get NAME and AGE (LABELS when wide); Cluster has its own', () => {
    expect(columnsFor('Gadget', false).map((c) => c.header)).toEqual(['NAME', 'AGE']);
    expect(columnsFor('Gadget', true).map((c) => c.header)).toEqual(['NAME', 'AGE', 'LABELS']);
    expect(columnsFor('Cluster', false).map((c) => c.header)).toEqual([
      'NAME',
      'STATUS',
      'ACCEPTED',
      'JOINED',
      'AVAILABLE',
      'K8S',
      'AGENT',
      'SETS',
      'AGE',
    ]);
    expect(
      columnsFor('Cluster', true)
        .map((c) => c.header)
        .slice(-2),
    ).toEqual(['LABELS', 'LAST-SEEN']);
    const out = formatList('Gadget', [resource('Gadget', 'p1')], 'table', { now: NOW, paint: painter(false) });
    expect(out).toBe('NAME   AGE\np1     1h\n');
  });

  test("a cluster's STATUS is the hub's status.state, coloured: available good, unknown and denied bad, pending and waiting amber", () => {
    const status = columnsFor('Cluster', false).find((c) => c.header === 'STATUS')!;
    const cell = (state?: string) =>
      status.value(resource('Cluster', 'c', { status: state ? { conditions: [], state } : { conditions: [] } }), { now: NOW });
    expect(cell('Available')).toEqual({ text: 'Available', tone: 'good' });
    expect(cell('Unknown')).toEqual({ text: 'Unknown', tone: 'bad' });
    expect(cell('Unavailable')).toEqual({ text: 'Unavailable', tone: 'bad' });
    expect(cell('Denied')).toEqual({ text: 'Denied', tone: 'bad' });
    expect(cell('PendingAcceptance')).toEqual({ text: 'PendingAcceptance', tone: 'warn' });
    expect(cell('WaitingForAgent')).toEqual({ text: 'WaitingForAgent', tone: 'warn' });
    expect(cell('Detaching')).toEqual({ text: 'Detaching', tone: 'warn' });
    // A hub too old to send it: kubectl's <none>, uncoloured.
    expect(cell()).toEqual({ text: '<none>' });
  });

  test('labels, names and lists', () => {
    expect(formatLabels({ a: '1', b: '2' })).toBe('a=1,b=2');
    expect(formatLabels(undefined)).toBe('<none>');
    expect(kindRef('ClusterSet', 'stores')).toBe('clusterset/stores');
    const items = [resource('Cluster', 'a'), resource('Cluster', 'b')];
    expect(formatList('Cluster', items, 'name', { now: NOW, paint: painter(false) })).toBe('cluster/a\ncluster/b\n');
    expect(JSON.parse(formatList('Cluster', items, 'json', { now: NOW, paint: painter(false) }))).toEqual({
      apiVersion: 'tether.dev/v1alpha1',
      kind: 'ClusterList',
      metadata: {},
      items,
    });
  });
});

describe('cluster registry metadata', () => {
  const claims = [
    { name: 'id.k8s.io', value: '6f1d1c9e' },
    { name: 'provider.tether.dev', value: 'aws' },
    { name: 'distribution.tether.dev', value: 'EKS' },
    { name: 'region.tether.dev', value: 'us-east-1' },
    { name: 'zones.tether.dev', value: 'us-east-1a,us-east-1b' },
    { name: 'kubeletversions.tether.dev', value: 'v1.28.8-eks-ae9a62a,v1.29.3-eks-ae9a62a' },
  ];

  test('-o wide shows PROVIDER, DISTRIBUTION and REGION from the claims; <none> when not reported', () => {
    const wide = columnsFor('Cluster', true);
    const cells = (status: object) => {
      const o = resource('Cluster', 'c', { status });
      return ['PROVIDER', 'DISTRIBUTION', 'REGION'].map((h) => wide.find((c) => c.header === h)!.value(o, { now: NOW }));
    };
    expect(cells({ claims })).toEqual(['aws', 'EKS', 'us-east-1']);
    expect(cells({ claims: [{ name: 'distribution.tether.dev', value: 'k3s' }] })).toEqual(['<none>', 'k3s', '<none>']);
    expect(cells({})).toEqual(['<none>', '<none>', '<none>']);
    expect(columnsFor('Cluster', false).map((c) => c.header)).not.toContain('PROVIDER');
  });

  test('describe cluster shows provider, distribution, region, zones and kubelet versions', () => {
    const out = describeResource(resource('Cluster', 'c', { status: { conditions: [], claims } }), { now: NOW, paint: painter(false) });
    expect(out).toMatch(/^ {2}Provider:\s+aws$/m);
    expect(out).toMatch(/^ {2}Distribution:\s+EKS$/m);
    expect(out).toMatch(/^ {2}Region:\s+us-east-1$/m);
    expect(out).toMatch(/^ {2}Zones:\s+us-east-1a,us-east-1b$/m);
    expect(out).toMatch(/^ {2}Kubelet Versions:\s+v1\.28\.8-eks-ae9a62a,v1\.29\.3-eks-ae9a62a$/m);
    const bare = describeResource(resource('Cluster', 'c', { status: { conditions: [] } }), { now: NOW, paint: painter(false) });
    expect(bare).toMatch(/^ {2}Provider:\s+<none>$/m);
    expect(bare).toMatch(/^ {2}Features:\s+<none>$/m);
    const featured = describeResource(
      resource('Cluster', 'c', {
        metadata: {
          name: 'c',
          uid: 'u',
          resourceVersion: '1',
          generation: 1,
          creationTimestamp: '2026-11-10T11:00:00Z',
          labels: { 'feature.tether.dev/istio': 'true' },
        },
        status: { conditions: [], claims: [{ name: 'feature.tether.dev/secrets-source', value: '{"tier":"gold"}' }] },
      }),
      { now: NOW, paint: painter(false) },
    );
    expect(featured).toMatch(/^ {2}Features:\s+istio, secrets-source \(tier=gold\)$/m);
  });
});
