import { describe, expect, it } from '@jest/globals';
import { compareObject, type ComparisonMode, type Difference } from '../../../../agent/governance/compare.js';
import { formatDiff, REDACTED_VALUE } from '../../../../agent/governance/diff-text.js';
import { MAX_VIOLATION_DIFF } from '../../../../shared/protocol/v1.js';

/** Table-driven compliance semantics: definition vs live object, per mode, with the differences expected. */

const cm = (data: Record<string, unknown>, meta: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'audit', namespace: 'shop', ...meta },
  data,
});

const liveMeta = {
  uid: 'u-1',
  resourceVersion: '42',
  generation: 3,
  creationTimestamp: '2026-01-01T00:00:00Z',
  managedFields: [{ manager: 'kubectl', operation: 'Apply' }],
};

const pod = (containers: unknown[], extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'shop' },
  spec: { containers, ...extra },
});

interface Case {
  name: string;
  mode: ComparisonMode;
  definition: Record<string, unknown>;
  live: Record<string, unknown>;
  want: Pick<Difference, 'path' | 'kind'>[];
}

const cases: Case[] = [
  // ---- maps ----
  { name: 'musthave: equal map', mode: 'musthave', definition: cm({ a: '1' }), live: cm({ a: '1' }, liveMeta), want: [] },
  { name: 'musthave: extra keys are fine', mode: 'musthave', definition: cm({ a: '1' }), live: cm({ a: '1', b: '2' }), want: [] },
  {
    name: 'musthave: wrong value',
    mode: 'musthave',
    definition: cm({ a: '1' }),
    live: cm({ a: '2' }),
    want: [{ path: 'data.a', kind: 'mismatch' }],
  },
  {
    name: 'musthave: missing key',
    mode: 'musthave',
    definition: cm({ a: '1', c: '3' }),
    live: cm({ a: '1' }),
    want: [{ path: 'data.c', kind: 'missing' }],
  },
  {
    name: 'musthave: missing map',
    mode: 'musthave',
    definition: cm({ a: '1' }),
    live: { ...cm({}), data: undefined },
    want: [{ path: 'data', kind: 'missing' }],
  },
  {
    name: 'musthave: nested maps recursively',
    mode: 'musthave',
    definition: { apiVersion: 'v1', kind: 'X', metadata: { name: 'x' }, spec: { a: { b: { c: 1 } } } },
    live: { apiVersion: 'v1', kind: 'X', metadata: { name: 'x' }, spec: { a: { b: { c: 2, d: 1 }, e: 1 } } },
    want: [{ path: 'spec.a.b.c', kind: 'mismatch' }],
  },
  { name: 'mustonlyhave: exact map', mode: 'mustonlyhave', definition: cm({ a: '1' }), live: cm({ a: '1' }, liveMeta), want: [] },
  {
    name: 'mustonlyhave: extra key',
    mode: 'mustonlyhave',
    definition: cm({ a: '1' }),
    live: cm({ a: '1', b: '2' }),
    want: [{ path: 'data.b', kind: 'extra' }],
  },
  {
    name: 'musthave: a number and its string are equal',
    mode: 'musthave',
    definition: { apiVersion: 'v1', kind: 'X', metadata: { name: 'x' }, spec: { port: 8080 } },
    live: { apiVersion: 'v1', kind: 'X', metadata: { name: 'x' }, spec: { port: '8080' } },
    want: [],
  },
  // ---- metadata ----
  {
    name: 'musthave: labels are a subset; server metadata ignored',
    mode: 'musthave',
    definition: cm({}, { labels: { owner: 'ops' }, resourceVersion: '1', uid: 'other' }),
    live: cm({}, { ...liveMeta, labels: { owner: 'ops', team: 'x' } }),
    want: [],
  },
  {
    name: 'mustonlyhave: declared labels are exact (system-set labels ignored)',
    mode: 'mustonlyhave',
    definition: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { owner: 'ops' } } },
    live: {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'shop', labels: { owner: 'ops', 'kubernetes.io/metadata.name': 'shop', team: 'x' } },
      status: { phase: 'Active' },
    },
    want: [{ path: 'metadata.labels.team', kind: 'extra' }],
  },
  {
    name: 'mustonlyhave: undeclared labels, top-level fields and status never matter',
    mode: 'mustonlyhave',
    definition: cm({ a: '1' }),
    live: { ...cm({ a: '1' }, { ...liveMeta, labels: { x: 'y' }, annotations: { z: 'w' } }), binaryData: { b: 'AA==' }, status: {} },
    want: [],
  },
  // ---- lists with merge keys ----
  {
    name: 'musthave: containers matched by name, in any order, extra containers fine',
    mode: 'musthave',
    definition: pod([{ name: 'web', image: 'nginx:1.27' }]),
    live: pod([
      { name: 'sidecar', image: 'envoy' },
      { name: 'web', image: 'nginx:1.27', imagePullPolicy: 'IfNotPresent' },
    ]),
    want: [],
  },
  {
    name: 'musthave: keyed item compared recursively',
    mode: 'musthave',
    definition: pod([{ name: 'web', image: 'nginx:1.27', securityContext: { privileged: false } }]),
    live: pod([{ name: 'web', image: 'nginx:1.25', securityContext: { privileged: true } }]),
    want: [
      { path: 'spec.containers[name=web].image', kind: 'mismatch' },
      { path: 'spec.containers[name=web].securityContext.privileged', kind: 'mismatch' },
    ],
  },
  {
    name: 'musthave: keyed item missing',
    mode: 'musthave',
    definition: pod([
      { name: 'web', image: 'nginx' },
      { name: 'log', image: 'fluent' },
    ]),
    live: pod([{ name: 'web', image: 'nginx' }]),
    want: [{ path: 'spec.containers[name=log]', kind: 'missing' }],
  },
  {
    name: 'musthave: ports keyed by containerPort',
    mode: 'musthave',
    definition: pod([{ name: 'web', ports: [{ containerPort: 8080, protocol: 'TCP' }] }]),
    live: pod([
      {
        name: 'web',
        ports: [
          { containerPort: 9090, protocol: 'TCP' },
          { containerPort: 8080, protocol: 'TCP', name: 'http' },
        ],
      },
    ]),
    want: [],
  },
  {
    name: 'mustonlyhave: keyed list exact in any order',
    mode: 'mustonlyhave',
    definition: pod([
      { name: 'a', image: 'x' },
      { name: 'b', image: 'y' },
    ]),
    live: pod([
      { name: 'b', image: 'y' },
      { name: 'a', image: 'x' },
    ]),
    want: [],
  },
  {
    name: 'mustonlyhave: extra keyed item and extra field in an item',
    mode: 'mustonlyhave',
    definition: pod([{ name: 'a', image: 'x' }]),
    live: pod([
      { name: 'a', image: 'x', args: ['-v'] },
      { name: 'b', image: 'y' },
    ]),
    want: [
      { path: 'spec.containers[name=a].args', kind: 'extra' },
      { path: 'spec.containers[name=b]', kind: 'extra' },
    ],
  },
  // ---- lists without a key ----
  {
    name: 'musthave: scalar list items present, order free',
    mode: 'musthave',
    definition: { apiVersion: 'v1', kind: 'X', metadata: { name: 'x' }, spec: { hosts: ['a', 'b'] } },
    live: { apiVersion: 'v1', kind: 'X', metadata: { name: 'x' }, spec: { hosts: ['c', 'b', 'a'] } },
    want: [],
  },
  {
    name: 'musthave: scalar list item absent',
    mode: 'musthave',
    definition: { apiVersion: 'v1', kind: 'X', metadata: { name: 'x' }, spec: { hosts: ['a', 'z'] } },
    live: { apiVersion: 'v1', kind: 'X', metadata: { name: 'x' }, spec: { hosts: ['a', 'b'] } },
    want: [{ path: 'spec.hosts[1]', kind: 'missing' }],
  },
  {
    name: 'musthave: key-less objects match as a subset',
    mode: 'musthave',
    definition: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'r' },
      rules: [{ verbs: ['get'], resources: ['pods'] }],
    },
    live: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'r' },
      rules: [
        { apiGroups: [''], verbs: ['list'], resources: ['nodes'] },
        { apiGroups: [''], verbs: ['get', 'list'], resources: ['pods'] },
      ],
    },
    want: [],
  },
  {
    name: 'mustonlyhave: key-less list must be equal in order',
    mode: 'mustonlyhave',
    definition: { apiVersion: 'v1', kind: 'X', metadata: { name: 'x' }, spec: { hosts: ['a', 'b'] } },
    live: { apiVersion: 'v1', kind: 'X', metadata: { name: 'x' }, spec: { hosts: ['b', 'a'] } },
    want: [{ path: 'spec.hosts', kind: 'mismatch' }],
  },
  {
    name: 'mustonlyhave: key-less list with an extra item',
    mode: 'mustonlyhave',
    definition: { apiVersion: 'v1', kind: 'X', metadata: { name: 'x' }, spec: { hosts: ['a'] } },
    live: { apiVersion: 'v1', kind: 'X', metadata: { name: 'x' }, spec: { hosts: ['a', 'b'] } },
    want: [{ path: 'spec.hosts', kind: 'mismatch' }],
  },
  {
    name: 'mustonlyhave: key-less list equal',
    mode: 'mustonlyhave',
    definition: { apiVersion: 'v1', kind: 'X', metadata: { name: 'x' }, spec: { hosts: ['a', 'b'] } },
    live: { apiVersion: 'v1', kind: 'X', metadata: { name: 'x' }, spec: { hosts: ['a', 'b'] } },
    want: [],
  },
  {
    name: 'musthave: Secret stringData compares as base64 data',
    mode: 'musthave',
    definition: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { token: 'abc' } },
    live: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { token: Buffer.from('abc').toString('base64') } },
    want: [],
  },
];

describe('compliance semantics', () => {
  it.each(cases)('$name', ({ definition, live, mode, want }) => {
    expect(compareObject(definition, live, mode).map((d) => ({ path: d.path, kind: d.kind }))).toEqual(want);
  });
});

describe('diff text', () => {
  it('renders want/got per differing field, and nothing volatile', () => {
    const diffs = compareObject(cm({ a: '1', c: '3' }), cm({ a: '2', b: 'x' }, liveMeta), 'mustonlyhave');
    expect(formatDiff(diffs, 'ConfigMap')).toBe(
      ['data.a: want "1", got "2"', 'data.c: want "3", got <absent>', 'data.b: want <absent>, got "x"'].join('\n'),
    );
  });

  it('never shows Secret values, whatever the policy gives', () => {
    const definition = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { password: 'hunter2' }, type: 'Opaque' };
    const live = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's' },
      data: { password: Buffer.from('s3cret').toString('base64'), other: 'eA==' },
      type: 'kubernetes.io/tls',
    };
    const text = formatDiff(compareObject(definition, live, 'mustonlyhave'), 'Secret');
    expect(text).toContain(`data.password: want ${REDACTED_VALUE}, got ${REDACTED_VALUE}`);
    expect(text).toContain(`data.other: want <absent>, got ${REDACTED_VALUE}`);
    expect(text).toContain('type: want "Opaque", got "kubernetes.io/tls"');
    for (const secret of [
      'hunter2',
      's3cret',
      Buffer.from('hunter2').toString('base64'),
      Buffer.from('s3cret').toString('base64'),
      'eA==',
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it('is capped, and says how much was cut', () => {
    const data = Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`key${i}`, 'x'.repeat(20)]));
    const text = formatDiff(compareObject(cm(data), cm({}), 'musthave'), 'ConfigMap');
    expect(text.length).toBeLessThanOrEqual(MAX_VIOLATION_DIFF + 64);
    expect(text).toMatch(/… \d+ more differences not shown$/);
  });
});
