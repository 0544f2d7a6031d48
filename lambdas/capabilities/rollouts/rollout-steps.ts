import { listAllTargets } from '../../core/relations.js';
import { z } from 'zod';
import { pMap } from '../../../shared/concurrency.js';
import { NotFoundError, PayloadTooLargeError, StateError, ValidationError } from '../../../shared/errors.js';
import type { FleetDeploymentStatus } from '../../../shared/resources/fleetdeployment.js';
import type { Resource } from '../../../shared/resources/meta.js';
import type { StepMessage } from '../../ports/queue.js';
import type { RelationItem } from '../../ports/relation-store.js';
import type { HubContext } from '../../core/context.js';
import type { PeriodicTask } from '../../core/periodic-tasks.js';
import { defineStep, stepMessage } from '../../core/steps.js';
import { reconcileFleetDeployment, type ReconcileResult, type RolloutEffects } from './controller.js';
import { deleteLease } from './controller-lock.js';
import { renderWorkSpec } from './render.js';
import { contentHash, deleteRevisions } from './revisions.js';
import { TemplateRenderError, templateClusterOf } from '../../core/template.js';
import {
  ACTIVE_KEY,
  ACTIVE_RELATION,
  DIRTY_RELATION,
  ERROR_RELATION,
  markWorkChanged,
  PLACEMENT_RELATION,
  TRACK_RELATION,
} from './tracking.js';
import { LEASE_KIND } from './controller-lock.js';
import { removeClusterWork, writeClusterWork } from './work-writer.js';
import { clusterKind } from '../../../shared/resources/cluster.js';
import { fleetDeploymentKind } from '../../../shared/resources/fleetdeployment.js';
import { workKind } from '../../../shared/resources/work.js';
import { readResource, readResources } from '../../core/typed-resources.js';

/**
 * The queued steps of rollouts. Every one re-reads what it acts on, so duplicates, late and
 * reordered messages are harmless:
 * - `fleetdeployment.progress`: one controller run (events, wake-ups, the scheduler);
 * - `fleetdeployment.rollout-batch`: renders and writes the Works of a batch of clusters for one
 *   revision, skipping itself when the deployment has moved to other content;
 * - `fleetdeployment.remove-clusters`: removes the Works of clusters that left the placement;
 * - `fleetdeployment.placement-changed`: subscribed to the placements' decisions-changed event;
 * - `fleetdeployment.work-status-changed`: subscribed to the works' status-changed event;
 * - `fleetdeployment.cleanup`: after a deployment is deleted, removes its Works page by page.
 */

/**
 * Clusters of one rollout batch written at a time: each is one conditional PutItem of its Work and
 * one UpdateItem of its head, independent of the others. With `fanOutBatchSize` 100 a batch is
 * about 7 such rounds, well under a second in Lambda.
 */
export const WRITE_CONCURRENCY = 16;

/**
 * Clusters whose Works (and Cluster records) a step reads in one batch before writing them. Bounds
 * a step's memory: a Work is at most 372 KB stored and 2 MB as JSON, so a slice holds at most
 * about 60 MB of Works however large the batch; typical Works are a few KB.
 */
export const READ_SLICE = 25;

/** Seconds a busy controller's message waits before it tries again. */
const BUSY_RETRY_SECONDS = 5;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export const progressStep = defineStep({
  type: 'fleetdeployment.progress',
  payload: z.object({ name: z.string().min(1), requestedAt: z.number().optional() }),
  async run({ name, requestedAt }, ctx) {
    const result = await runController(ctx, name, requestedAt);
    if (result.outcome === 'busy')
      await ctx.ports.queue.send([
        stepMessage(progressStep, { name, requestedAt: requestedAt ?? ctx.ports.clock.now() }, BUSY_RETRY_SECONDS),
      ]);
  },
});

export const rolloutBatchStep = defineStep({
  type: 'fleetdeployment.rollout-batch',
  payload: z.object({
    name: z.string().min(1),
    revision: z.number().int().positive(),
    hash: z.string().min(1),
    clusters: z.array(z.string()).min(1).max(1000),
    /** Clusters whose earlier template error is cleared on success. */
    retry: z.array(z.string()).optional(),
  }),
  async run({ name, revision, hash, clusters, retry }, ctx) {
    const fd = await readResource(ctx, fleetDeploymentKind, { name }, { consistent: true });
    if (!fd || fd.metadata.deletionTimestamp) return;
    const spec = fd.spec;
    const content = { template: spec.template, overrides: spec.overrides };
    // Equal hash means equal content, so a late message can only ever write what is wanted now.
    if (contentHash(content) !== hash) return;
    const status: Partial<FleetDeploymentStatus> = fd.status ?? {};
    const number = status.revisionHash === hash && status.revision ? status.revision : revision;
    const errors: RelationItem[] = [];
    const cleared: RelationItem[] = [];
    await forEachRead(ctx, name, clusters, async ({ cluster, record: res, work }) => {
      const record = (message: string) =>
        void errors.push({
          relation: ERROR_RELATION,
          from: name,
          to: cluster,
          data: { h: hash, m: message.slice(0, 500), at: ctx.ports.clock.now() },
        });
      if (!res) return record(`cluster ${cluster} does not exist`);
      let rendered;
      try {
        rendered = renderWorkSpec(content, templateClusterOf(res));
      } catch (err) {
        if (err instanceof TemplateRenderError) return record(err.message);
        throw err;
      }
      try {
        await writeClusterWork(ctx, name, cluster, { revision: number, hash }, rendered, { work, cluster: res });
      } catch (err) {
        // What only this cluster can fix is recorded for it; anything else retries the step.
        if (
          err instanceof StateError ||
          err instanceof NotFoundError ||
          err instanceof ValidationError ||
          err instanceof PayloadTooLargeError
        )
          return record(err.message);
        throw err;
      }
      if (retry?.includes(cluster)) cleared.push({ relation: ERROR_RELATION, from: name, to: cluster });
    });
    await ctx.ports.relations.putMany(errors);
    await ctx.ports.relations.removeMany(cleared);
  },
});

/**
 * Runs `fn` for each cluster with what it needs already read: slice by slice
 * ({@link READ_SLICE} clusters), one BatchGetItem of the slice's Works (strongly consistent) and,
 * with `records`, one of their Cluster records (eventually consistent, as the Work checks read
 * them); then {@link WRITE_CONCURRENCY} clusters of the slice at a time.
 */
async function forEachRead(
  ctx: HubContext,
  name: string,
  clusters: string[],
  fn: (read: { cluster: string; work: Resource | null; record: Resource | null }) => Promise<void>,
  opts: { records: boolean } = { records: true },
): Promise<void> {
  for (let i = 0; i < clusters.length; i += READ_SLICE) {
    const slice = clusters.slice(i, i + READ_SLICE);
    const [works, records] = await Promise.all([
      readResources(
        ctx,
        workKind,
        slice.map((c) => ({ namespace: c, name })),
        { consistent: true },
      ),
      opts.records
        ? readResources(
            ctx,
            clusterKind,
            slice.map((c) => ({ name: c })),
          )
        : [],
    ]);
    const reads = slice.map((cluster, j) => ({ cluster, work: works[j] ?? null, record: records[j] ?? null }));
    // DynamoDB likes parallel single-item calls, within a bound.
    await pMap(reads, fn, { concurrency: WRITE_CONCURRENCY });
  }
}

/** Removes the deployment's Works from `clusters` (their Works read in batches, then the deletes). */
async function removeWorksOf(ctx: HubContext, name: string, clusters: string[]): Promise<void> {
  const remove = async ({ cluster, work }: { cluster: string; work: Resource | null }) =>
    void (await removeClusterWork(ctx, name, cluster, { work }));
  await forEachRead(ctx, name, clusters, remove, { records: false });
}

export const removeClustersStep = defineStep({
  type: 'fleetdeployment.remove-clusters',
  payload: z.object({ name: z.string().min(1), clusters: z.array(z.string()).min(1).max(1000) }),
  async run({ name, clusters }, ctx) {
    await removeWorksOf(ctx, name, clusters);
    // The controller forgets the clusters once it sees their Works gone.
    await ctx.ports.queue.send([progressMessage(ctx, name)]);
  },
});

/**
 * Subscribed to the works' event `work.status-changed`: a work's conditions or observed generation changed. Works are named
 * after their FleetDeployment; only names that have a controller lease (every deployment gets one on
 * its first run) are deployments, so other works cost one read of a tiny item.
 */
export const workStatusChangedStep = defineStep({
  type: 'fleetdeployment.work-status-changed',
  payload: z.object({ cluster: z.string().min(1), work: z.string().min(1) }),
  async run({ cluster, work }, ctx) {
    if (!(await ctx.ports.resources.get({ kind: LEASE_KIND, name: work }))) return;
    await markWorkChanged(ctx, work, cluster);
    await ctx.ports.queue.send([progressMessage(ctx, work, 2)]);
  },
});

/** Subscribed to the placements' event: the decisions of a placement some deployments follow changed. */
export const placementChangedStep = defineStep({
  type: 'fleetdeployment.placement-changed',
  payload: z.object({ placement: z.string().min(1) }),
  async run({ placement }, ctx) {
    const followers = await listAllTargets(ctx, PLACEMENT_RELATION, placement);
    const now = ctx.ports.clock.now();
    if (followers.length) await ctx.ports.queue.send(followers.map((f) => stepMessage(progressStep, { name: f.to, requestedAt: now })));
  },
});

export const cleanupStep = defineStep({
  type: 'fleetdeployment.cleanup',
  payload: z.object({ name: z.string().min(1), placement: z.string().optional(), cursor: z.string().optional() }),
  async run({ name, placement, cursor }, ctx) {
    // Re-created under the same name: the new deployment adopts the Works; nothing to clean.
    if (await readResource(ctx, fleetDeploymentKind, { name }, { consistent: true })) return;
    const page = await ctx.ports.relations.list(TRACK_RELATION, name, { limit: ctx.config.fanOutBatchSize, cursor });
    await removeWorksOf(
      ctx,
      name,
      page.items.map((i) => i.to),
    );
    // The page's index items go once their Works are gone (the track last: it is the page).
    await ctx.ports.relations.removeMany(
      page.items.flatMap(({ to }) => [ERROR_RELATION, DIRTY_RELATION].map((relation) => ({ relation, from: name, to }))),
    );
    await ctx.ports.relations.removeMany(page.items.map(({ to }) => ({ relation: TRACK_RELATION, from: name, to })));
    if (page.cursor) {
      await ctx.ports.queue.send([stepMessage(cleanupStep, { name, ...(placement ? { placement } : {}), cursor: page.cursor })]);
      return;
    }
    await deleteRevisions(ctx, name);
    await deleteLease(ctx, name);
    await ctx.ports.relations.remove(ACTIVE_RELATION, ACTIVE_KEY, name);
    if (placement) await ctx.ports.relations.remove(PLACEMENT_RELATION, placement, name);
  },
});

/** The controller's effects as queue messages, in batches of `fanOutBatchSize` clusters. */
export const queuedEffects: RolloutEffects = {
  async handOut(ctx, name, target, clusters, retry) {
    const messages = chunks(clusters, ctx.config.fanOutBatchSize).map((batch) => {
      const retried = batch.filter((c) => retry.includes(c));
      return stepMessage(rolloutBatchStep, {
        name,
        revision: target.revision,
        hash: target.hash,
        clusters: batch,
        ...(retried.length ? { retry: retried } : {}),
      });
    });
    await ctx.ports.queue.send(messages);
  },
  async remove(ctx, name, clusters) {
    await ctx.ports.queue.send(
      chunks(clusters, ctx.config.fanOutBatchSize).map((batch) => stepMessage(removeClustersStep, { name, clusters: batch })),
    );
  },
  async wakeAt(ctx, name, at) {
    const delay = Math.min(900, Math.max(1, Math.ceil((at - ctx.ports.clock.now()) / 1000)));
    await ctx.ports.queue.send([stepMessage(progressStep, { name, requestedAt: at }, delay)]);
  },
};

/** Runs the controller of one deployment now, with queued effects. */
export function runController(ctx: HubContext, name: string, requestedAt?: number): Promise<ReconcileResult> {
  return reconcileFleetDeployment(ctx, name, queuedEffects, requestedAt);
}

/** The message that asks for a controller run of `name` soon. */
export function progressMessage(ctx: HubContext, name: string, delaySeconds?: number): StepMessage {
  return stepMessage(progressStep, { name, requestedAt: ctx.ports.clock.now() }, delaySeconds);
}

/** Periodic task: a controller run for every active rollout (windows open, soak times pass). */
export const rolloutsTask: PeriodicTask = {
  name: 'fleetdeployment.rollouts',
  async run(ctx) {
    const active = await listAllTargets(ctx, ACTIVE_RELATION, ACTIVE_KEY);
    const now = ctx.ports.clock.now();
    if (active.length) await ctx.ports.queue.send(active.map((a) => stepMessage(progressStep, { name: a.to, requestedAt: now })));
    return { transitions: active.length };
  },
};
