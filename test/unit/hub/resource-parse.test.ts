import { describe, expect, it } from '@jest/globals';
import { parseDesired } from '../../../lambdas/core/resource-service.js';
import { ValidationError } from '../../../shared/errors.js';
import { findKind } from '../../../shared/resources/kinds.js';

function fieldErrors(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ValidationError);
    return (e as ValidationError).fieldErrors;
  }
  throw new Error('expected a ValidationError');
}

const api = 'tether.dev/v1alpha1';

describe('parseDesired', () => {
  it('applies spec defaults', () => {
    const d = parseDesired({ apiVersion: api, kind: 'Cluster', metadata: { name: 'store-1' } });
    expect(d.spec).toEqual({ hubAcceptsClient: false, leaseDurationSeconds: 60, taints: [] });
  });
  it('lists every failing field', () => {
    const errs = fieldErrors(() =>
      parseDesired({
        apiVersion: api,
        kind: 'Cluster',
        metadata: { name: 'store-1' },
        spec: { leaseDurationSeconds: -1, taints: [{ key: 'k', effect: 'Nope' }], extra: 1 },
      }),
    );
    const paths = errs.map((e) => e.path);
    expect(paths).toEqual(expect.arrayContaining(['spec.leaseDurationSeconds', 'spec.taints.0.effect']));
    expect(errs.some((e) => /extra/.test(e.message) || e.path.includes('extra'))).toBe(true);
  });
  it('rejects a wrong apiVersion, an unknown kind and a missing kind with actionable messages', () => {
    expect(fieldErrors(() => parseDesired({ apiVersion: 'v1', kind: 'Cluster', metadata: { name: 'a' } }))[0].message).toMatch(
      /tether.dev\/v1alpha1/,
    );
    expect(() => parseDesired({ apiVersion: api, kind: 'Clustr', metadata: { name: 'a' } })).toThrow(/known kinds: Cluster, ClusterSet/);
    expect(() => parseDesired({ apiVersion: api, metadata: { name: 'a' } })).toThrow(/has no kind/);
    expect(() => parseDesired('just text')).toThrow(/must be an object/);
  });
  it('rejects invalid names and labels', () => {
    expect(fieldErrors(() => parseDesired({ apiVersion: api, kind: 'Cluster', metadata: { name: 'Store_1' } }))[0].path).toBe(
      'metadata.name',
    );
    expect(
      fieldErrors(() => parseDesired({ apiVersion: api, kind: 'Cluster', metadata: { name: 'a', labels: { 'bad key': 'x' } } }))[0].path,
    ).toBe('metadata.labels.bad key');
  });
  it('pins the kind of the endpoint', () => {
    expect(() => parseDesired({ apiVersion: api, kind: 'ClusterSet', metadata: { name: 'a' } }, findKind('clusters'))).toThrow(
      /this endpoint serves Cluster/,
    );
  });
  it('validates ClusterSet selector combinations', () => {
    const errs = fieldErrors(() =>
      parseDesired({
        apiVersion: api,
        kind: 'ClusterSet',
        metadata: { name: 's' },
        spec: { clusterSelector: { selectorType: 'LabelSelector' } },
      }),
    );
    expect(errs[0].path).toBe('spec.clusterSelector.labelSelector');
  });
});
