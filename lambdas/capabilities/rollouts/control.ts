import type { ResourceOf } from '../../../shared/resources/define-kind.js';
import { NotFoundError, StateError, ValidationError } from '../../../shared/errors.js';
import { fleetDeploymentKind, type FleetDeploymentStatus, type RolloutControl } from '../../../shared/resources/fleetdeployment.js';
import type { Resource } from '../../../shared/resources/meta.js';
import type { HubContext } from '../../core/context.js';
import { parseDesired, ResourceService } from '../../core/resource-service.js';
import { retryOnConflict } from '../../core/retry.js';
import { getRevision, previousRevision } from './revisions.js';
import { progressMessage } from './rollout-steps.js';

/** A stored FleetDeployment, typed. */
type FleetDeploymentResource = ResourceOf<typeof fleetDeploymentKind>;
import { asKind, readResource } from '../../core/typed-resources.js';

/**
 * Rollout controls behind `POST /v1/fleetdeployments/{name}/pause|resume|abort|rollback|override-window`.
 * Pause and the rollback's template change are spec changes (visible in `get -o yaml`, validated,
 * versioned); the rest live in `status.control`, which only these functions write. Every control
 * is audited and wakes the controller.
 */

/** Who asked, for the audit log. */
export interface ControlActor {
  sourceIp?: string;
}

async function load(ctx: HubContext, name: string): Promise<FleetDeploymentResource> {
  const fd = await readResource(ctx, fleetDeploymentKind, { name }, { consistent: true });
  if (!fd) throw new NotFoundError('FleetDeployment', name);
  return fd;
}

function statusOf(fd: FleetDeploymentResource): FleetDeploymentStatus {
  return fd.status ?? { conditions: [] };
}

/** Read-modify-write of `status.control`, retried on conflict with the controller's status writes. */
async function updateControl(
  ctx: HubContext,
  name: string,
  change: (control: RolloutControl, fd: FleetDeploymentResource) => RolloutControl,
): Promise<FleetDeploymentResource> {
  return retryOnConflict(ctx.ports.clock, async () => {
    const fd = await load(ctx, name);
    const status = statusOf(fd);
    const control = change({ ...(status.control ?? {}) }, fd);
    return asKind(
      fleetDeploymentKind,
      await ctx.ports.resources.replace({ ...fd, status: { ...status, control } }, fd.metadata.resourceVersion),
    );
  });
}

async function setPaused(ctx: HubContext, name: string, paused: boolean): Promise<Resource> {
  return new ResourceService(ctx).patch(fleetDeploymentKind, name, undefined, { spec: { paused } });
}

function audit(ctx: HubContext, action: string, name: string, actor: ControlActor, extra: Record<string, unknown> = {}): void {
  ctx.ports.audit.record({
    action: `fleetdeployment.${action}`,
    outcome: 'allowed',
    fleetDeployment: name,
    ...(actor.sourceIp ? { sourceIp: actor.sourceIp } : {}),
    ...extra,
  });
}

async function finish(ctx: HubContext, name: string): Promise<Resource> {
  await ctx.ports.queue.send([progressMessage(ctx, name)]);
  return load(ctx, name);
}

/** Stops new waves (spec.paused); clusters already updating carry on. */
export async function pauseRollout(ctx: HubContext, name: string, actor: ControlActor = {}): Promise<Resource> {
  await load(ctx, name);
  await setPaused(ctx, name, true);
  audit(ctx, 'pause', name, actor);
  return finish(ctx, name);
}

/**
 * Lifts a pause of any kind: by request, after failures (the failures present now are acknowledged,
 * so only new ones pause again), or an abort of the current revision.
 */
export async function resumeRollout(ctx: HubContext, name: string, actor: ControlActor = {}): Promise<Resource> {
  const at = new Date(ctx.ports.clock.now()).toISOString();
  const fd = await updateControl(ctx, name, (control, current) => {
    const status = statusOf(current);
    const next: RolloutControl = { ...control, resumedAt: at };
    if (status.revision !== undefined) next.acknowledgedFailures = { revision: status.revision, count: status.summary?.failed ?? 0 };
    delete next.abortedRevision;
    return next;
  });
  if (fd.spec.paused) await setPaused(ctx, name, false);
  audit(ctx, 'resume', name, actor, { acknowledgedFailures: statusOf(fd).control?.acknowledgedFailures?.count ?? 0 });
  return finish(ctx, name);
}

/** Stops the rollout of the current revision for good: no new waves, what is applied stays. */
export async function abortRollout(ctx: HubContext, name: string, actor: ControlActor = {}): Promise<Resource> {
  const fd = await updateControl(ctx, name, (control, current) => {
    const revision = statusOf(current).revision;
    if (revision === undefined) throw new StateError(`FleetDeployment "${name}" has no revision yet; there is nothing to abort`);
    return { ...control, abortedRevision: revision };
  });
  audit(ctx, 'abort', name, actor, { revision: statusOf(fd).revision });
  return finish(ctx, name);
}

/**
 * Rolls back to the previous revision, or to revision `toRevision` when given (`tether rollout undo
 * --to-revision N`): the template and overrides of that revision become the spec again (a new
 * revision with the old content), and the rollout strategy rolls it out like any other. Clusters
 * that never got the current revision already have that content and count at once.
 * @throws StateError (409) when there is no earlier revision with different content, or
 *   `toRevision` is the current revision.
 * @throws NotFoundError (404) when `toRevision` is not kept (any more).
 */
export async function rollbackRollout(ctx: HubContext, name: string, actor: ControlActor = {}, toRevision?: number): Promise<Resource> {
  const fd = await load(ctx, name);
  const current = statusOf(fd).revision;
  if (current === undefined) throw new StateError(`FleetDeployment "${name}" has no revision yet; there is nothing to roll back`);
  if (toRevision === current) throw new StateError(`FleetDeployment "${name}" is already at revision ${current}`);
  const target = toRevision === undefined ? await previousRevision(ctx, name, current) : await getRevision(ctx, name, toRevision);
  if (!target && toRevision !== undefined) {
    // "FleetDeployment "pos" revision "7" not found": the last 10 revisions are kept (tether rollout history).
    throw new NotFoundError(`FleetDeployment "${name}" revision`, String(toRevision));
  }
  if (!target)
    throw new StateError(`FleetDeployment "${name}" has no earlier revision to roll back to (revision ${current} is the oldest kept)`);
  const at = new Date(ctx.ports.clock.now()).toISOString();
  await updateControl(ctx, name, (control) => {
    const next: RolloutControl = { ...control, rollbackFrom: { revision: current, to: target.revision, at } };
    delete next.abortedRevision;
    return next;
  });
  // A replace, not a merge patch: fields the old template lacks must go, not linger.
  const latest = await load(ctx, name);
  const spec = { ...latest.spec, template: target.content.template, overrides: target.content.overrides, paused: false };
  const desired = parseDesired(
    {
      apiVersion: latest.apiVersion,
      kind: latest.kind,
      metadata: {
        name,
        ...(latest.metadata.labels ? { labels: latest.metadata.labels } : {}),
        ...(latest.metadata.annotations ? { annotations: latest.metadata.annotations } : {}),
      },
      spec,
    },
    fleetDeploymentKind,
  );
  // No expected version: the service re-reads and retries when the controller writes status meanwhile.
  await new ResourceService(ctx).replace(desired);
  audit(ctx, 'rollback', name, actor, { from: current, to: target.revision });
  return finish(ctx, name);
}

/** Body of the emergency window override. */
export interface WindowOverrideRequest {
  reason: string;
  /** ISO time until which windows are ignored; absent: until the current revision is rolled out. */
  until?: string;
}

/**
 * The emergency override: maintenance windows are ignored for the current revision (until `until`
 * when given). Audited with the reason.
 */
export async function overrideWindows(
  ctx: HubContext,
  name: string,
  request: WindowOverrideRequest,
  actor: ControlActor = {},
): Promise<Resource> {
  const now = ctx.ports.clock.now();
  if (request.until !== undefined) {
    const until = Date.parse(request.until);
    if (Number.isNaN(until))
      throw new ValidationError(`until must be an RFC 3339 time such as 2026-11-10T06:00:00Z, got "${request.until}"`, [
        { path: 'until', message: 'not a time' },
      ]);
    if (until <= now)
      throw new ValidationError(`until (${request.until}) is in the past`, [{ path: 'until', message: 'must be in the future' }]);
  }
  const fd = await updateControl(ctx, name, (control, current) => {
    const revision = statusOf(current).revision;
    if (revision === undefined) throw new StateError(`FleetDeployment "${name}" has no revision yet; retry in a moment`);
    return {
      ...control,
      windowOverride: {
        reason: request.reason,
        at: new Date(now).toISOString(),
        revision,
        ...(request.until ? { until: new Date(Date.parse(request.until)).toISOString() } : {}),
      },
    };
  });
  audit(ctx, 'override-window', name, actor, {
    reason: request.reason,
    until: request.until ?? 'end of revision',
    revision: statusOf(fd).revision,
  });
  return finish(ctx, name);
}
