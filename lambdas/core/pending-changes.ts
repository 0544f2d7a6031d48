import { isServerError, TetherError } from '../../shared/errors.js';
import type { KindInfo } from '../../shared/resources/kinds.js';
import type { Resource } from '../../shared/resources/meta.js';
import type { PendingChange } from '../ports/pending-changes.js';
import type { HubContext } from './context.js';
import type { KindBehaviour } from './registry.js';

/**
 * Crash safety of admin writes: the follow-up work of a write (relations, head bumps, queued steps:
 * the kind's after-write hooks) is replayed when the process that wrote died before finishing it.
 *
 * The resource service opens a {@link PendingChange} before it writes an object whose kind has
 * after-write hooks, and closes it when the hooks have run. The scheduler replays the changes left
 * open for longer than `replayGraceSeconds` (default {@link REPLAY_GRACE_MS}): it reads the object as it is now and runs the hooks
 * again (`afterCreate(current)`, `afterUpdate(prev, current)`, `afterDelete(prev)`, or the kind's
 * own `delete` for an object still marked for deletion). Hooks are idempotent (relations are put,
 * steps re-read what they act on), so a replay of work that did finish is harmless. A change whose
 * write never happened (the object still has the old resourceVersion, or was never created) is
 * closed without running anything.
 *
 * Why not an outbox in the same transaction: the hooks decide what to send from the written object
 * and run after the write, and DynamoDB transactions would double the cost of every write. An open
 * record is one small PutItem and one DeleteItem per admin write, nothing on the agent path.
 */

/** The default of `replayGraceSeconds`: a change is replayed once it has been open this long (an admin request finishes well within it). */
export const REPLAY_GRACE_MS = 60_000;
/** Most changes replayed per scheduler tick; the rest wait for the next tick. */
export const REPLAY_BATCH = 100;
/** Longest JSON of one spec field kept in a change record; larger fields (manifests, templates) are dropped. */
const MAX_FIELD_BYTES = 1024;
/** Longest JSON of the annotations kept in a change record. */
const MAX_ANNOTATION_BYTES = 4096;

/** Does a kind's behaviour do follow-up work after a write (so that its writes need a change record)? */
export function hasFollowUp(b: KindBehaviour): boolean {
  return Boolean(b.afterCreate || b.afterUpdate || b.afterDelete || b.delete);
}

/**
 * The parts of an object that after-write hooks compare (metadata, small spec fields), so that a
 * change record stays a few KB whatever the object's size. A hook that sees a dropped field as
 * changed does its (idempotent) work once more on replay; it never does less.
 */
export function trimForReplay(res: Resource): Resource {
  const metadata = { ...res.metadata };
  if (metadata.annotations && JSON.stringify(metadata.annotations).length > MAX_ANNOTATION_BYTES) {
    metadata.annotations = { 'tether.dev/replay-trimmed': 'true' };
  }
  let spec = res.spec;
  if (spec && typeof spec === 'object' && !Array.isArray(spec)) {
    spec = Object.fromEntries(
      Object.entries(spec as Record<string, unknown>).filter(([, v]) => (JSON.stringify(v) ?? '').length <= MAX_FIELD_BYTES),
    );
  }
  return { apiVersion: res.apiVersion, kind: res.kind, metadata, spec };
}

/** An open change, as the resource service holds it while it writes. */
export type OpenChange = Pick<PendingChange, 'id' | 'openedAt'>;

/** Opens a change record for a write of `info`'s object, or returns undefined when the kind has no follow-up work. */
export async function openChange(
  ctx: HubContext,
  info: KindInfo,
  op: PendingChange['op'],
  ref: { name: string; namespace?: string },
  prev?: Resource,
): Promise<OpenChange | undefined> {
  if (!hasFollowUp(ctx.registry.behaviour(info.kind))) return undefined;
  const change: PendingChange = {
    id: ctx.ports.ids.uid(),
    openedAt: ctx.ports.clock.now(),
    op,
    kind: info.kind,
    name: ref.name,
    ...(ref.namespace ? { namespace: ref.namespace } : {}),
    ...(prev ? { prev: trimForReplay(prev) } : {}),
  };
  await ctx.ports.pendingChanges.open(change);
  return { id: change.id, openedAt: change.openedAt };
}

/**
 * Closes a change once its follow-up work is done. A failure to close is logged, not thrown: the
 * change is then replayed once more, harmlessly.
 */
export async function closeChange(ctx: HubContext, change: OpenChange | undefined): Promise<void> {
  if (!change) return;
  try {
    await ctx.ports.pendingChanges.close(change);
  } catch (err) {
    ctx.ports.log.warn('could not close a pending change; it will be replayed', { id: change.id, error: (err as Error).message });
  }
}

/**
 * Runs `work` (the write and its hooks) inside an open change. A client error (4xx: validation, a
 * conflict) means the hooks had nothing to do, so the change is closed; a server error or a crash
 * leaves it open for the replay.
 */
export async function withChange<T>(ctx: HubContext, change: OpenChange | undefined, work: () => Promise<T>): Promise<T> {
  try {
    const out = await work();
    await closeChange(ctx, change);
    return out;
  } catch (err) {
    if (err instanceof TetherError && !isServerError(err)) await closeChange(ctx, change);
    throw err;
  }
}

/** What the replay of one change did. */
export type ReplayOutcome = 'replayed' | 'not-written' | 'unknown-kind';

/** Replays one change from the object as it is now. */
export async function replayChange(ctx: HubContext, change: PendingChange): Promise<ReplayOutcome> {
  const info = ctx.registry.kinds.find((k) => k.kind === change.kind);
  if (!info) return 'unknown-kind';
  const b = ctx.registry.behaviour(change.kind);
  const current = await ctx.ports.resources.get(
    { kind: change.kind, name: change.name, namespace: change.namespace },
    { consistent: true },
  );
  const prev = change.prev;
  switch (change.op) {
    case 'create':
      if (!current) return 'not-written';
      await b.afterCreate?.(current, ctx);
      return 'replayed';
    case 'update':
      if (!current || !prev || current.metadata.resourceVersion === prev.metadata.resourceVersion) return 'not-written';
      if (current.metadata.uid !== prev.metadata.uid) return 'not-written';
      await b.afterUpdate?.(prev, current, ctx);
      return 'replayed';
    case 'delete':
      if (!prev) return 'not-written';
      if (b.delete) {
        // A finalising kind: the delete happened if the object is marked (or already gone).
        if (current && current.metadata.uid === prev.metadata.uid) {
          if (!current.metadata.deletionTimestamp) return 'not-written';
          await b.delete(current, ctx);
        }
        return 'replayed';
      }
      if (current && current.metadata.uid === prev.metadata.uid) return 'not-written';
      await b.afterDelete?.(prev, ctx);
      // Re-created under the same name meanwhile: the old object's clean-up may have removed what
      // the new one's hooks set up (an index entry of the same name), so those run again.
      if (current) await b.afterCreate?.(current, ctx);
      return 'replayed';
  }
}

/**
 * The scheduler's sweep: replays the changes open for longer than the grace period and closes
 * them. One failing replay is logged and stays open for the next tick.
 */
export async function replayPendingChanges(ctx: HubContext): Promise<{ transitions: number }> {
  const due = await ctx.ports.pendingChanges.due(ctx.ports.clock.now() - ctx.config.replayGraceSeconds * 1000, REPLAY_BATCH);
  let replayed = 0;
  for (const change of due) {
    try {
      const outcome = await replayChange(ctx, change);
      if (outcome === 'replayed') replayed++;
      ctx.ports.log.warn('replayed the follow-up work of an interrupted write', {
        id: change.id,
        op: change.op,
        kind: change.kind,
        name: change.name,
        ...(change.namespace ? { namespace: change.namespace } : {}),
        outcome,
      });
      await ctx.ports.pendingChanges.close(change);
    } catch (err) {
      ctx.ports.log.error('replaying an interrupted write failed; it stays pending', {
        id: change.id,
        kind: change.kind,
        name: change.name,
        error: (err as Error).message,
      });
    }
  }
  return { transitions: replayed };
}
