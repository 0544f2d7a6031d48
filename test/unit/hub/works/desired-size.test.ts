import { describe, expect, it } from '@jest/globals';
import { PayloadTooLargeError } from '../../../../shared/errors.js';
import { parseDesired, ResourceService } from '../../../../lambdas/core/resource-service.js';
import {
  DESIRED_STATE_MAX_BYTES,
  DesiredStateTooLargeError,
  desiredWorkBytes,
  WORK_SIZES,
} from '../../../../lambdas/capabilities/works/desired-size.js';
import { applyWork, removeWork } from '../../../../lambdas/capabilities/works/works.js';
import { toProblem } from '../../../../lambdas/http/problem.js';
import { memoryHubContext, type MemoryHub } from '../../../support/memory-hub.js';

/**
 * The desired-state size limit: a Work that would take its cluster's works past 4 MiB of JSON is
 * refused with 413 at write time, naming the cluster, the limit and the current size; one that fits
 * exactly passes. The check reads the cluster's size index, never its works.
 */

const CLUSTER = 'big-store';

/** A work whose one ConfigMap carries `n` bytes of (compressible) data. */
function spec(n: number) {
  return {
    workload: {
      manifests: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'blob', namespace: 'retail' }, data: { blob: 'x'.repeat(n) } }],
    },
  };
}

async function hubWithCluster(): Promise<MemoryHub> {
  const hub = memoryHubContext();
  const doc = { apiVersion: 'tether.dev/v1alpha1', kind: 'Cluster', metadata: { name: CLUSTER }, spec: { hubAcceptsClient: true } };
  await new ResourceService(hub.ctx).apply(parseDesired(doc), false);
  await hub.settle();
  return hub;
}

async function write(hub: MemoryHub, name: string, n: number) {
  return applyWork(hub.ctx, { cluster: CLUSTER, name, spec: spec(n) });
}

describe('desired-state size limit', () => {
  it('passes a work that fills the budget exactly and refuses one byte more with a 413 naming cluster, limit and size', async () => {
    const hub = await hubWithCluster();
    const big = 1_900_000;
    const a = (await write(hub, 'a', big)).work!;
    const b = (await write(hub, 'b', big)).work!;
    const used = desiredWorkBytes(a) + desiredWorkBytes(b);
    // A probe tells the overhead of a work of this shape (name, uid, generation, manifest envelope).
    const probe = (await write(hub, 'c', 1)).work!;
    const overhead = desiredWorkBytes(probe) - 1;
    await removeWork(hub.ctx, CLUSTER, 'c');
    const room = DESIRED_STATE_MAX_BYTES - used - overhead;

    const over = write(hub, 'c', room + 1);
    await expect(over).rejects.toBeInstanceOf(DesiredStateTooLargeError);
    const err = await over.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PayloadTooLargeError);
    const { problem } = toProblem(err, `/v1/clusters/${CLUSTER}/works/c`);
    expect(problem.status).toBe(413);
    expect(problem.limitBytes).toBe(DESIRED_STATE_MAX_BYTES);
    expect(problem.actualBytes).toBe(DESIRED_STATE_MAX_BYTES + 1);
    expect(problem.detail).toContain(`cluster "${CLUSTER}"`);
    expect(problem.detail).toContain(`the limit is ${DESIRED_STATE_MAX_BYTES} bytes`);
    expect(problem.detail).toContain(`its other works take ${used} bytes now`);
    expect(await hub.ctx.ports.resources.get({ kind: 'Work', namespace: CLUSTER, name: 'c' })).toBeUndefined();

    const exact = await write(hub, 'c', room);
    expect(exact.action).toBe('created');
    expect(desiredWorkBytes(exact.work!)).toBe(DESIRED_STATE_MAX_BYTES - used);
  });

  it('lets a full cluster shrink or drop works, and counts what a delete frees', async () => {
    const hub = await hubWithCluster();
    await write(hub, 'a', 1_900_000);
    await write(hub, 'b', 1_900_000);
    await expect(write(hub, 'c', 400_000)).rejects.toBeInstanceOf(DesiredStateTooLargeError);
    expect((await write(hub, 'c', 300_000)).action).toBe('created');
    // Growing a work over the budget is refused too; shrinking one always passes.
    await expect(write(hub, 'c', 450_000)).rejects.toBeInstanceOf(DesiredStateTooLargeError);
    expect((await write(hub, 'b', 1_000)).action).toBe('configured');
    expect((await write(hub, 'c', 450_000)).action).toBe('configured');
    await removeWork(hub.ctx, CLUSTER, 'a');
    expect((await hub.ctx.ports.relations.list(WORK_SIZES, CLUSTER, { limit: 10 })).items.map((i) => i.to)).toEqual(['b', 'c']);
    expect((await write(hub, 'd', 1_900_000)).action).toBe('created');
  });

  it('reads the size index, not the works, to decide', async () => {
    const hub = await hubWithCluster();
    for (let i = 0; i < 5; i++) await write(hub, `w${i}`, 100);
    let workReads = 0;
    const resources = hub.ctx.ports.resources;
    const list = resources.list.bind(resources);
    resources.list = async (kind, opts) => {
      if (kind === 'Work') workReads++;
      return list(kind, opts);
    };
    await write(hub, 'w5', 100);
    expect(workReads).toBe(0);
  });

  it("forgets a removed cluster's sizes", async () => {
    const hub = await hubWithCluster();
    await write(hub, 'a', 100);
    await hub.ctx.registry.clusterCleanups.find((c) => c.name === 'works')!.run(hub.ctx, CLUSTER);
    expect((await hub.ctx.ports.relations.list(WORK_SIZES, CLUSTER, { limit: 10 })).items).toEqual([]);
  });
});
