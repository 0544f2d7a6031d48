import { evaluate } from '../../../agent/feedback.js';
import { formatPath, lostFields, ownedFields, valueDrift } from '../../../agent/fields.js';
import type { KubeObject } from '../../../agent/kube/types.js';
import { PackError, packJson, unpackJson } from '../../../agent/pack.js';
import { imageRepository } from '../../../agent/self.js';
import { isOrphaned, parseWorkConfig, policyFor } from '../../../agent/work-config.js';

describe('field ownership and drift', () => {
  const obj = (managedFields: unknown[]): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'x', managedFields } as never,
  });

  test('ownedFields merges every entry of one manager (main resource only)', () => {
    const live = obj([
      { manager: 'tether-agent', operation: 'Apply', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {} } } },
      { manager: 'tether-agent', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:b': {} } } },
      {
        manager: 'tether-agent',
        operation: 'Update',
        apiVersion: 'v1',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:status': {} },
        subresource: 'status',
      },
      { manager: 'kubectl', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:c': {} } } },
    ]);
    expect(ownedFields(live, 'tether-agent')).toEqual({ 'f:data': { 'f:a': {}, 'f:b': {} } });
    expect(ownedFields(obj([]), 'tether-agent')).toBeUndefined();
  });

  test('lostFields names what another manager took, in a readable form', () => {
    const before = {
      'f:spec': {
        'f:replicas': {},
        'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:image': {}, 'f:name': {} } } } },
      },
    };
    const after = { 'f:spec': { 'f:template': { 'f:spec': { 'f:containers': { 'k:{"name":"web"}': { '.': {}, 'f:name': {} } } } } } };
    expect(lostFields(before, after)).toEqual(['spec.replicas', 'spec.template.spec.containers[name=web].image']);
    expect(lostFields(before, before)).toEqual([]);
    expect(formatPath(['f:spec', 'f:ports', 'k:{"port":80,"protocol":"TCP"}', 'f:targetPort'])).toBe(
      'spec.ports[port=80,protocol=TCP].targetPort',
    );
    expect(formatPath(['f:metadata', 'f:finalizers', 'v:"x"'])).toBe('metadata.finalizers[="x"]');
  });

  test('valueDrift compares only what was applied', () => {
    const applied = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'w', labels: { a: '1' } },
      spec: { replicas: 2, template: { spec: { containers: [{ name: 'c', image: 'v1' }] } } },
    } as KubeObject;
    const live = {
      ...applied,
      metadata: { name: 'w', labels: { a: '1', extra: 'y' }, uid: 'u' },
      spec: {
        replicas: 3,
        strategy: {},
        template: { spec: { containers: [{ name: 'c', image: 'v1', imagePullPolicy: 'IfNotPresent' }] } },
      },
    } as KubeObject;
    expect(valueDrift(applied, live)).toEqual(['spec.replicas']);
    const gone = { ...live, spec: { replicas: 2, template: { spec: { containers: [] } } } } as KubeObject;
    expect(valueDrift(applied, gone)).toEqual(['spec.template.spec.containers[name=c]']);
  });
});

describe('work configuration', () => {
  test('manifestConfigs: strategies, force in both notations, bad entries reported', () => {
    const cfg = parseWorkConfig(
      [
        {
          resourceIdentifier: { group: 'apps', resource: 'deployments', namespace: 'shop', name: 'web' },
          updateStrategy: { type: 'ServerSideApply', force: true },
        },
        { resourceIdentifier: { resource: 'configmaps', namespace: '*', name: 'seed' }, updateStrategy: { type: 'CreateOnly' } },
        {
          resourceIdentifier: { resource: 'secrets', name: 'x' },
          updateStrategy: { type: 'ServerSideApply', serverSideApply: { force: true, fieldManager: 'team-a' } },
        },
        { resourceIdentifier: { name: 'no-resource' } },
      ],
      undefined,
    );
    expect(cfg.problems).toEqual([expect.stringMatching(/^manifestConfigs\[3\] is invalid: resourceIdentifier.resource/)]);
    expect(
      policyFor(cfg.configs, { group: 'apps', resource: 'deployments', namespace: 'shop', name: 'web' }, 'tether-agent'),
    ).toMatchObject({ strategy: 'ServerSideApply', force: true, fieldManager: 'tether-agent' });
    expect(policyFor(cfg.configs, { group: '', resource: 'configmaps', namespace: 'any', name: 'seed' }, 'tether-agent').strategy).toBe(
      'CreateOnly',
    );
    expect(policyFor(cfg.configs, { group: '', resource: 'secrets', namespace: '', name: 'x' }, 'tether-agent')).toMatchObject({
      force: true,
      fieldManager: 'team-a',
    });
    expect(policyFor(cfg.configs, { group: '', resource: 'services', namespace: 'a', name: 'b' }, 'tether-agent')).toEqual({
      strategy: 'ServerSideApply',
      force: false,
      fieldManager: 'tether-agent',
      feedbackRules: [],
    });
    expect(cfg.deleteOption).toEqual({ propagationPolicy: 'Foreground' });
  });

  test('an unreadable deleteOption orphans rather than deletes', () => {
    const cfg = parseWorkConfig([], { propagationPolicy: 'Everything' });
    expect(cfg.deleteOption.propagationPolicy).toBe('Orphan');
    expect(cfg.problems[0]).toMatch(/will be orphaned, not deleted/);
    expect(isOrphaned(cfg.deleteOption, { group: '', resource: 'configmaps', namespace: 'a', name: 'b' })).toBe(true);
  });
});

describe('JSONPath feedback', () => {
  const live = {
    apiVersion: 'v1',
    kind: 'X',
    metadata: { name: 'x' },
    status: { items: [{ n: 1 }, { n: 2 }], nested: { a: 'b' } },
  } as KubeObject;
  test('single values, lists and objects, and no script execution', () => {
    expect(evaluate(live, '.status.items[1].n')).toBe(2);
    expect(evaluate(live, '$.status.items[*].n')).toBe('[1,2]');
    expect(evaluate(live, 'status.nested')).toBe('{"a":"b"}');
    expect(evaluate(live, '.status.items[?(@.n > 1)].n')).toBe(2);
    expect(() => evaluate(live, '.status.items[?(process.exit(1))]')).toThrow();
  });
});

describe('packing', () => {
  test('small payloads stay JSON, large ones are gzip+base64, both read back', () => {
    const small = { a: 1 };
    expect(packJson(small)).toEqual({ encoding: 'json', payload: '{"a":1}' });
    const big = { text: 'abc'.repeat(50_000) };
    const packed = packJson(big);
    expect(packed.encoding).toBe('gzip+base64');
    expect(packed.payload.length).toBeLessThan(10_000);
    expect(unpackJson(packed.encoding, packed.payload)).toEqual(big);
    expect(() => unpackJson('gzip+base64', 'not gzip')).toThrow(PackError);
  });
});

describe('image references', () => {
  test.each([
    ['ghcr.io/tether-dev/tether-agent', 'ghcr.io/tether-dev/tether-agent'],
    ['ghcr.io/tether-dev/tether-agent:0.1.0', 'ghcr.io/tether-dev/tether-agent'],
    ['registry.local:5000/agent:1', 'registry.local:5000/agent'],
    ['registry.local:5000/agent', 'registry.local:5000/agent'],
    ['agent@sha256:abc', 'agent'],
  ])('%s -> %s', (image, repo) => {
    expect(imageRepository(image)).toBe(repo);
  });
});
