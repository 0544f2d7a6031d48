import { describe, expect, it } from '@jest/globals';
import { painter } from '../../../cli/output/color.js';
import { describeResource } from '../../../cli/output/describe.js';
import { formatList } from '../../../cli/output/print.js';
import { syncRuleKind } from '../../../shared/resources/sync-rule.js';
import type { Resource } from '../../../shared/resources/meta.js';

const rule: Resource = {
  apiVersion: 'tether.dev/v1alpha1',
  kind: 'SyncRule',
  metadata: { name: 'db-creds', uid: 'u', resourceVersion: '3', generation: 1, creationTimestamp: '2026-12-01T00:00:00Z' },
  spec: {
    resource: { group: '', version: 'v1', kind: 'Secret' },
    rules: [{ match: [{ namespaces: ['apps'] }], mutations: { overrides: [{ path: '.data.extra', value: 'c2VjcmV0' }] } }],
    sources: { clusterFeatureMatch: [{ featureName: 'vault' }] },
    conflictPolicy: 'Abort',
    deletePolicy: 'Orphan',
    suspend: false,
  },
  status: {
    summary: { sources: 2, objects: 3, destinations: 3, synced: 1, conflict: 1, blocked: 0, pending: 1, optedOut: 1 },
    sources: [
      { cluster: 'vault-a', state: 'Ok', objects: 3, lastReported: '2026-12-01T23:59:00Z' },
      { cluster: 'vault-b', state: 'Unknown', objects: 3, reason: "the source's agent is silent; its copies stay" },
    ],
    destinations: [
      {
        cluster: 'shop-b',
        state: 'Conflict',
        objects: 3,
        synced: 2,
        conflicts: 1,
        blocked: 0,
        reasons: ['apps/db: exists and was not created by sync'],
      },
      { cluster: 'shop-c', state: 'Pending' },
      { cluster: 'shop-x', state: 'OptedOut' },
      { cluster: 'shop-a', state: 'Synced', objects: 3, synced: 3, conflicts: 0, blocked: 0 },
    ],
    conflicts: [{ object: 'apps/db', kept: 'vault-a', ignored: ['vault-b'] }],
  },
};

describe('tether describe syncrule', () => {
  it('shows the spec in a few lines, sources, destinations not Synced first, conflicts and reasons, and no override value', () => {
    const text = describeResource(rule, { now: new Date('2026-12-02T00:00:00Z'), paint: painter(false) });
    expect(text).toContain('Resource:');
    expect(text).toMatch(/Resource:\s+Secret \(v1\)/);
    expect(text).toMatch(/Sources:\s+with feature vault/);
    expect(text).toMatch(/Delete Policy:\s+Orphan/);
    expect(text).toMatch(/Synced:\s+1\/3 destinations/);
    expect(text).toMatch(/vault-b\s+Unknown\s+3/);
    const order = ['shop-b', 'shop-c', 'shop-x', 'shop-a'].map((c) => text.indexOf(`  ${c} `));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(text).toContain('apps/db: kept from vault-a, ignored from vault-b');
    expect(text).toContain('shop-b: apps/db: exists and was not created by sync');
    expect(text).not.toContain('c2VjcmV0');
  });

  it('tether get syncrules prints the printer columns', () => {
    const out = formatList(syncRuleKind.kind, [rule], 'table', { now: new Date('2026-12-02T00:00:00Z'), paint: painter(false) });
    expect(out).toMatch(/NAME\s+KIND\s+SOURCES\s+OBJECTS\s+SYNCED\s+CONFLICT\s+BLOCKED\s+AGE/);
    expect(out).toMatch(/db-creds\s+Secret\s+2\s+3\s+1\/3\s+1\s+0/);
  });
});
