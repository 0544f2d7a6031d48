import { describe, expect, it } from '@jest/globals';
import { auditDiff, createMergePatch, redactDeep } from '../../../lambdas/core/audit/diff.js';
import { applyMergePatch } from '../../../lambdas/core/merge-patch.js';
import { REDACTED, redactWork } from '../../../shared/redaction.js';
import type { Resource } from '../../../shared/resources/meta.js';

function res(kind: string, spec: unknown, labels?: Record<string, string>): Resource {
  return {
    apiVersion: 'tether.dev/v1alpha1',
    kind,
    metadata: {
      name: 'x',
      uid: 'u',
      resourceVersion: '1',
      generation: 1,
      creationTimestamp: '2026-12-05T00:00:00Z',
      ...(labels ? { labels } : {}),
    },
    spec,
    status: { phase: 'Ready', tokenHash: 'abc' },
  };
}

const secret = (value: string) => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db' }, data: { password: value } });
const work = (value: string, replicas = 1) =>
  res('Work', {
    workload: {
      manifests: [secret(value), { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'pos' }, spec: { replicas } }],
    },
  });

describe('audit diff', () => {
  it('is the RFC 7396 merge patch from old to new: applying it to the old gives the new', () => {
    const cases: [unknown, unknown][] = [
      [
        { a: 1, b: { c: 2, d: 3 } },
        { a: 1, b: { c: 4 }, e: [1, 2] },
      ],
      [{ a: [1, 2] }, { a: [2] }],
      [{}, { a: { b: { c: 'x' } } }],
      [{ a: 'x', b: 'y' }, {}],
    ];
    for (const [from, to] of cases) expect(applyMergePatch(from, createMergePatch(from, to) ?? {})).toEqual(to);
    expect(createMergePatch({ a: { b: 1 } }, { a: { b: 1 } })).toBeUndefined();
  });

  it('diffs what a user writes (labels, annotations, spec), not status', () => {
    const old = res('Placement', { clusterSets: ['east'] }, { team: 'a' });
    const next = { ...res('Placement', { clusterSets: ['east', 'west'] }), status: { phase: 'Changed' } };
    expect(auditDiff(old, next)).toEqual({ metadata: null, spec: { clusterSets: ['east', 'west'] } });
    expect(auditDiff(undefined, old)).toEqual({ metadata: { labels: { team: 'a' } }, spec: { clusterSets: ['east'] } });
    expect(auditDiff(old, undefined)).toBeNull();
  });

  it('never carries a Secret value: a changed value shows as the marker at most, on create and on update', () => {
    const created = auditDiff(undefined, work('hunter2'), redactWork);
    const updated = auditDiff(work('hunter2'), work('swordfish', 3), redactWork);
    const text = JSON.stringify([created, updated]);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('swordfish');
    expect(text).toContain(REDACTED);
    // The arrays are replaced whole (RFC 7396), so the update shows the manifests with the Secret redacted.
    expect(JSON.stringify(updated)).toContain('"replicas":3');
  });

  it('redacts Secrets anywhere, even in a kind with no registered redaction, and secret-named fields', () => {
    const spec = {
      nested: { deep: [{ kind: 'List', items: [secret('hunter2')] }] },
      token: 'tt_live_abcdef',
      tokenHash: 'a'.repeat(64),
      auth: { clientSecret: 's3cr3t', password: 'pw', secretName: 'db-credentials' },
    };
    const out = JSON.stringify(auditDiff(undefined, res('SyncRule', spec)));
    for (const value of ['hunter2', 'tt_live_abcdef', 'a'.repeat(64), 's3cr3t', '"pw"']) expect(out).not.toContain(value);
    // A reference to a Secret by name is no secret, and stays readable.
    expect(out).toContain('db-credentials');
    expect(redactDeep({ token: '' })).toEqual({ token: '' });
  });
});
