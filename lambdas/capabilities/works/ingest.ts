import { pMap } from '../../../shared/concurrency.js';
import type { DriftEvent, StatusReport, WorkStatusReport } from '../../../shared/protocol/v1.js';
import { isoNow } from '../../ports/clock.js';
import type { HubContext } from '../../core/context.js';
import { publish } from '../../core/events.js';
import { workStatusChanged } from './events.js';
import { statusChanged, statusSummary, workStatusFromReport } from './work-status.js';
import { updateWorkStatus } from './work-status-store.js';
import { workKind } from '../../../shared/resources/work.js';
import { readResource } from '../../core/typed-resources.js';

/**
 * Lands the work part of an agent's status report on the works' status items. Only the hub writes
 * work status, only from reports, and only what changed: an unchanged work costs one read.
 */

/** Works whose status is written concurrently per report (bounded, so one big report cannot flood the table). */
const CONCURRENCY = 8;

interface WorkUpdate {
  report?: WorkStatusReport;
  drift: DriftEvent[];
}

function groupByWork(report: StatusReport): Map<string, WorkUpdate> {
  const byWork = new Map<string, WorkUpdate>();
  const entry = (name: string) => {
    let e = byWork.get(name);
    if (!e) byWork.set(name, (e = { drift: [] }));
    return e;
  };
  for (const w of report.works ?? []) entry(w.name).report = w;
  for (const d of report.driftEvents ?? []) entry(d.work).drift.push(d);
  return byWork;
}

async function ingestOne(ctx: HubContext, cluster: string, name: string, update: WorkUpdate): Promise<boolean> {
  const work = await readResource(ctx, workKind, { name, namespace: cluster }, { consistent: true });
  // A work deleted since the agent looked, or a report about an older incarnation of the name.
  if (!work || work.metadata.deletionTimestamp) return false;
  if (update.report && update.report.observedGeneration > work.metadata.generation) return false;
  const now = isoNow(ctx.ports.clock);
  const written = await updateWorkStatus(ctx, work, (current) => {
    const next = workStatusFromReport(current, update.report, update.drift, now);
    return statusChanged(current, next) ? next : undefined;
  });
  return written !== undefined && statusSummary(written.before) !== statusSummary(written.after);
}

/**
 * Applies a report's `works` and `driftEvents` to the status of the cluster's works, then tells the
 * rollout capability (when it listens) which works' conditions changed.
 */
export async function ingestWorkReports(ctx: HubContext, cluster: string, report: StatusReport): Promise<void> {
  const updates = [...groupByWork(report)];
  const results = await pMap(updates, ([name, update]) => ingestOne(ctx, cluster, name, update), { concurrency: CONCURRENCY });
  const changed = updates.filter((_, i) => results[i]).map(([name]) => name);
  if (changed.length) {
    ctx.ports.log.debug('work status changed', { cluster, works: changed.length });
    await publish(
      ctx,
      workStatusChanged,
      changed.map((work) => ({ cluster, work })),
    );
  }
}
