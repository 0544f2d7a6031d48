import { z } from 'zod';
import { ClusterConditions } from '../../../shared/resources/cluster.js';
import { getCondition } from '../../../shared/resources/meta.js';
import type { HubContext } from '../../core/context.js';
import { defineStep, stepMessage } from '../../core/steps.js';
import { updateClusterRecord } from './cluster-record.js';
import { Reasons, withCondition, type ClusterResource, type ConditionInput } from './cluster-status.js';

/**
 * Agent upgrade tracking: `spec.agent.version` is the desired version (the head carries it to the
 * poll path and its revision bump tells the agent). The AgentUpgraded condition is False/Upgrading
 * until a status report shows the version, True/Upgraded when it does, and False/UpgradeFailed when
 * a deadline passes first.
 */

/** SQS's largest per-message delay; longer deadlines chain the step. */
const MAX_DELAY_SECONDS = 900;

/** The AgentUpgraded condition right after the desired version changed to `target`. */
export function upgradeStarted(res: ClusterResource, target: string): ConditionInput {
  const running = res.status?.agentVersion;
  if (running === target) {
    return { type: ClusterConditions.AgentUpgraded, status: 'True', reason: Reasons.upgraded, message: `The agent runs ${target}` };
  }
  return {
    type: ClusterConditions.AgentUpgraded,
    status: 'False',
    reason: Reasons.upgrading,
    message: `upgrading from ${running ?? 'an unknown version'} to ${target}`,
  };
}

/** The record after a report of `reported`: True/Upgraded once the desired version is reached. */
export function withReportedVersion(res: ClusterResource, reported: string, now: string): ClusterResource {
  const target = res.spec.agent?.version;
  if (!target || reported !== target) return res;
  const current = getCondition(res.status?.conditions, ClusterConditions.AgentUpgraded);
  if (current?.status === 'True' && current.reason === Reasons.upgraded) return res;
  return withCondition(
    res,
    { type: ClusterConditions.AgentUpgraded, status: 'True', reason: Reasons.upgraded, message: `The agent runs ${target}` },
    now,
  );
}

/**
 * The record when the deadline of an upgrade to `target` passes: False/UpgradeFailed if that
 * upgrade is still the one in progress and the agent has not reported it.
 */
export function withUpgradeDeadline(res: ClusterResource, target: string, deadlineSeconds: number, now: string): ClusterResource {
  if (res.spec.agent?.version !== target || res.status?.agentVersion === target) return res;
  const current = getCondition(res.status?.conditions, ClusterConditions.AgentUpgraded);
  if (current?.status !== 'False' || current.reason !== Reasons.upgrading) return res;
  const running = res.status?.agentVersion ?? 'an unknown version';
  return withCondition(
    res,
    {
      type: ClusterConditions.AgentUpgraded,
      status: 'False',
      reason: Reasons.upgradeFailed,
      message: `the agent did not report ${target} within ${deadlineSeconds} s; it still runs ${running} (a new agent that does not become ready leaves the old one running)`,
    },
    now,
  );
}

/** Step: the upgrade deadline. Re-queues itself while the deadline is more than SQS can delay. */
export const upgradeDeadlineStep = defineStep({
  type: 'cluster.upgrade-deadline',
  payload: z.object({ cluster: z.string(), uid: z.string(), version: z.string(), deadlineAt: z.number(), deadlineSeconds: z.number() }),
  async run(p, ctx) {
    const remainingMs = p.deadlineAt - ctx.ports.clock.now();
    if (remainingMs > 0) {
      const delay = Math.min(MAX_DELAY_SECONDS, Math.ceil(remainingMs / 1000));
      await ctx.ports.queue.send([stepMessage(upgradeDeadlineStep, p, delay)]);
      return;
    }
    await updateClusterRecord(ctx, p.cluster, (res, now) => withUpgradeDeadline(res, p.version, p.deadlineSeconds, now), { uid: p.uid });
  },
});

/** Queues the deadline of an upgrade to `version` that started now. */
export async function scheduleUpgradeDeadline(ctx: HubContext, res: ClusterResource, version: string): Promise<void> {
  const seconds = ctx.config.upgradeDeadlineSeconds;
  const payload = {
    cluster: res.metadata.name,
    uid: res.metadata.uid,
    version,
    deadlineAt: ctx.ports.clock.now() + seconds * 1000,
    deadlineSeconds: seconds,
  };
  await ctx.ports.queue.send([stepMessage(upgradeDeadlineStep, payload, Math.min(MAX_DELAY_SECONDS, Math.max(1, seconds)))]);
}
