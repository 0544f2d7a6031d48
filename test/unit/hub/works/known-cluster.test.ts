import { describe, expect, it } from '@jest/globals';
import type { HubContext } from '../../../../lambdas/core/context.js';
import { clusterRecordFor, withKnownCluster } from '../../../../lambdas/capabilities/works/known-cluster.js';
import type { Resource } from '../../../../shared/resources/meta.js';

const record = (name: string): Resource => ({
  apiVersion: 'tether.dev/v1alpha1',
  kind: 'Cluster',
  metadata: { name, uid: `uid-${name}`, resourceVersion: '3', generation: 1, creationTimestamp: '2026-11-01T00:00:00Z' },
  spec: {},
});

/** A context whose store answers every get with a fresh record and counts the reads. */
function counting(): { ctx: HubContext; reads: string[] } {
  const reads: string[] = [];
  const ctx = {
    ports: { resources: { get: async (key: { name: string }) => (reads.push(key.name), record(`${key.name}-read`)) } },
    config: {},
  } as unknown as HubContext;
  return { ctx, reads };
}

describe('withKnownCluster', () => {
  it('answers for the cluster it was given without a read, including "no such cluster"', async () => {
    const { ctx, reads } = counting();
    expect((await clusterRecordFor(withKnownCluster(ctx, 'c-1', record('c-1')), 'c-1'))?.metadata.name).toBe('c-1');
    expect(await clusterRecordFor(withKnownCluster(ctx, 'c-2', null), 'c-2')).toBeUndefined();
    expect(reads).toEqual([]);
  });

  it('reads for any other cluster, and leaves the original context untouched', async () => {
    const { ctx, reads } = counting();
    const known = withKnownCluster(ctx, 'c-1', record('c-1'));
    expect((await clusterRecordFor(known, 'c-9'))?.metadata.name).toBe('c-9-read');
    expect((await clusterRecordFor(ctx, 'c-1'))?.metadata.name).toBe('c-1-read');
    expect(reads).toEqual(['c-9', 'c-1']);
    expect(known.ports).toBe(ctx.ports);
  });
});
