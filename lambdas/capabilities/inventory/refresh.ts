import { z } from 'zod';
import { pMap } from '../../../shared/concurrency.js';
import { canonicalJson } from '../../../shared/hash.js';
import { setCondition } from '../../../shared/resources/meta.js';
import { inventoryExportKind, MAX_TRACKED_RECEIVERS } from '../../../shared/resources/inventory-export.js';
import type { HubContext } from '../../core/context.js';
import type { PeriodicTask } from '../../core/periodic-tasks.js';
import { retryOnConflict } from '../../core/retry.js';
import { defineStep, stepMessage } from '../../core/steps.js';
import { readResource } from '../../core/typed-resources.js';
import { isoNow } from '../../ports/clock.js';
import { bumpClusterRevision } from '../works/works.js';
import { allExports, receiversOf } from './exports.js';

/**
 * Keeping receivers told. A receiver's desired state carries profiles built from the members'
 * records, so its revision must move whenever what it would get changes:
 * - an export is created, changed or deleted: its receivers (old and new) are bumped;
 * - a member's availability, claims or labels change, or a member is removed: every export's
 *   receivers are bumped (exports and their receivers are few: a handful of consumer clusters);
 * - the receivers themselves change (placement decisions, set membership): the clusters that came
 *   or went are bumped. The periodic refresh recomputes receivers of exports not refreshed for
 *   {@link REFRESH_INTERVAL_MS}, as a safety net for set membership that moved without an event.
 * The export's `status.receivers` is the record of whom the hub told: a crash between the bumps and
 * the status write re-bumps on the retry, which costs a spare poll, never a missed change.
 */

/** Concurrent revision bumps of one refresh. */
const BUMP_CONCURRENCY = 16;
/** Exports not refreshed for this long are refreshed by the periodic task. */
export const REFRESH_INTERVAL_MS = 5 * 60_000;

/**
 * Recomputes an export's receivers and bumps the clusters that must be told: all of them (old and
 * new) when `all`, else only those that came or went. Writes the export's status when it changed.
 */
export async function refreshExport(ctx: HubContext, name: string, opts: { all: boolean }): Promise<{ bumped: number }> {
  const exp = await readResource(ctx, inventoryExportKind, { name }, { consistent: true });
  if (!exp || exp.metadata.deletionTimestamp) return { bumped: 0 };
  const receivers = await receiversOf(ctx, exp);
  const before = new Set(exp.status?.receivers ?? []);
  const now = new Set(receivers);
  const bump = opts.all ? [...new Set([...before, ...now])] : [...symmetricDifference(before, now)];
  await pMap(bump, (c) => bumpClusterRevision(ctx, c), { concurrency: BUMP_CONCURRENCY });
  await writeStatus(ctx, name, receivers);
  return { bumped: bump.length };
}

function symmetricDifference(a: ReadonlySet<string>, b: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const x of a) if (!b.has(x)) out.add(x);
  for (const x of b) if (!a.has(x)) out.add(x);
  return out;
}

async function writeStatus(ctx: HubContext, name: string, receivers: string[]): Promise<void> {
  await retryOnConflict(ctx.ports.clock, async () => {
    const exp = await readResource(ctx, inventoryExportKind, { name }, { consistent: true });
    if (!exp || exp.metadata.deletionTimestamp) return;
    const stamp = isoNow(ctx.ports.clock);
    const tracked = receivers.slice(0, MAX_TRACKED_RECEIVERS);
    const message = receivers.length
      ? `${receivers.length} receiving cluster(s) keep the ClusterProfiles in namespace ${exp.spec.namespace}`
      : 'no receiving cluster: the placement chose none or the sets have no members';
    const status = {
      ...(exp.status ?? { conditions: [] }),
      receivers: tracked,
      receiverCount: receivers.length,
      refreshedAt: stamp,
      observedGeneration: exp.metadata.generation,
      conditions: setCondition(
        exp.status?.conditions,
        { type: 'Ready', status: receivers.length ? 'True' : 'False', reason: receivers.length ? 'Published' : 'NoReceivers', message },
        stamp,
      ),
    };
    // A repeated delivery at the same moment finds nothing to write.
    if (canonicalJson(status) === canonicalJson(exp.status)) return;
    await ctx.ports.resources.replace({ ...exp, status }, exp.metadata.resourceVersion);
  });
}

/** Step: refresh one export (`all`: its content changed, tell every receiver). */
export const refreshExportStep = defineStep({
  type: 'inventory.refresh-export',
  payload: z.object({ export: z.string().min(1), all: z.boolean() }),
  async run(payload, ctx) {
    await refreshExport(ctx, payload.export, { all: payload.all });
  },
});

/** Queues the refresh of every export (a member changed: every export's receivers may show it). */
export async function queueAllExports(ctx: HubContext, opts: { all: boolean; delaySeconds?: number }): Promise<void> {
  const messages = (await allExports(ctx)).map((e) =>
    stepMessage(refreshExportStep, { export: e.metadata.name, all: opts.all }, opts.delaySeconds),
  );
  for (let i = 0; i < messages.length; i += 10) await ctx.ports.queue.send(messages.slice(i, i + 10));
}

/** Step: a member cluster changed (availability, claims, labels) or was removed. */
export const memberChangedStep = defineStep({
  type: 'inventory.member-changed',
  payload: z.object({ cluster: z.string().min(1) }),
  async run(_payload, ctx) {
    await queueAllExports(ctx, { all: true });
  },
});

/** Step: a placement's decisions changed; exports that follow it refresh their receivers. */
export const placementChangedStep = defineStep({
  type: 'inventory.placement-changed',
  payload: z.object({ placement: z.string().min(1) }),
  async run({ placement }, ctx) {
    const messages = (await allExports(ctx))
      .filter((e) => e.spec.placementRef?.name === placement)
      .map((e) => stepMessage(refreshExportStep, { export: e.metadata.name, all: false }));
    if (messages.length) await ctx.ports.queue.send(messages);
  },
});

/**
 * Periodic: refreshes exports whose receivers were not recomputed for {@link REFRESH_INTERVAL_MS}.
 * Costs one Query of the exports per tick, plus the refreshes it finds due.
 */
export const inventoryRefreshTask: PeriodicTask = {
  name: 'inventory.refresh',
  async run(ctx) {
    const now = ctx.ports.clock.now();
    const due = (await allExports(ctx)).filter((e) => {
      const at = e.status?.refreshedAt ? Date.parse(e.status.refreshedAt) : NaN;
      return Number.isNaN(at) || now - at >= REFRESH_INTERVAL_MS;
    });
    for (const e of due) await refreshExport(ctx, e.metadata.name, { all: false });
    return { transitions: due.length };
  },
};
