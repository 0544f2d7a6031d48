import type { ComplianceEvent } from '../../../shared/compliance.js';
import { pMap } from '../../../shared/concurrency.js';
import { canonicalHash, canonicalJson } from '../../../shared/hash.js';
import type { PolicyComplianceReport, StatusReport } from '../../../shared/protocol/v1.js';
import { complianceMapping, policyKind } from '../../../shared/resources/policy.js';
import type { HubContext } from '../../core/context.js';
import { retryOnConflict } from '../../core/retry.js';
import { readResources } from '../../core/typed-resources.js';
import { isoNow } from '../../ports/clock.js';
import {
  complianceKey,
  deleteComplianceItem,
  readComplianceItems,
  writeComplianceItem,
  type ComplianceItem,
  type ComplianceRecord,
} from './compliance-store.js';
import type { PolicyResource } from './desired-policies.js';
import { policiesOfCluster } from './relations.js';

/**
 * Lands the `policies` and `removedPolicies` parts of an agent's status report. Only what changed
 * is written: a report whose state and objects equal what the hub holds costs its reads and no
 * write. A change costs at most two writes: the current item, and one event in the history when
 * the compliance state or the set of violating objects changed (a new message, diff or generation
 * with the same state and violations updates the item only). The cluster comes from the agent's
 * credential, and a report can only name policies assigned to that cluster, so no report can write
 * another cluster's items.
 */

/** Policies whose compliance is written concurrently per report. */
const CONCURRENCY = 8;

/** Longest event message (the first violations or the pending reason). */
const MAX_EVENT_MESSAGE = 512;

/** The record a report makes, at `now`. */
export function recordOf(report: PolicyComplianceReport, now: string): ComplianceRecord {
  return {
    compliance: report.compliance,
    since: report.since,
    evaluatedAt: report.evaluatedAt,
    policyGeneration: report.generation,
    updatedAt: now,
    templates: report.templates.map((t) => ({
      name: t.name,
      compliance: t.compliance,
      ...(t.reason !== undefined ? { reason: t.reason } : {}),
      ...(t.message !== undefined ? { message: t.message } : {}),
      objects: t.objects.map((o) => ({ ...o })),
      ...(t.omittedObjects !== undefined ? { omittedObjects: t.omittedObjects } : {}),
    })),
  };
}

/** What decides whether the item is rewritten: state, generation and templates (not times). */
function content(r: ComplianceRecord): string {
  return canonicalJson([r.compliance, r.policyGeneration, r.templates]);
}

/** The violating objects of a record, as a comparable set. */
export function violatingObjects(r: ComplianceRecord | undefined): string[] {
  if (!r) return [];
  const out = new Set<string>();
  for (const t of r.templates) {
    for (const o of t.objects) if (!o.compliant) out.add(`${t.name}|${o.apiVersion}|${o.kind}|${o.namespace ?? ''}|${o.name}|${o.reason}`);
    // A template that is not compliant without objects (TemplateError, DependencyNotMet) counts by its reason.
    if (t.compliance !== 'Compliant' && !t.objects.some((o) => !o.compliant)) out.add(`${t.name}|${t.compliance}|${t.reason ?? ''}`);
  }
  return [...out].sort();
}

/** Is the change from `before` to `after` worth a history event? State or violating set changed. */
export function eventWorthy(before: ComplianceRecord | undefined, after: ComplianceRecord): boolean {
  if (!before) return true;
  return before.compliance !== after.compliance || canonicalJson(violatingObjects(before)) !== canonicalJson(violatingObjects(after));
}

/** A short message for an event: the pending reason or the first violations. */
export function eventMessage(r: ComplianceRecord): string {
  const parts: string[] = [];
  for (const t of r.templates) {
    if (t.compliance === 'Compliant') continue;
    const bad = t.objects.filter((o) => !o.compliant);
    if (!bad.length) parts.push(`${t.name}: ${t.reason ?? t.compliance}${t.message ? ` (${t.message})` : ''}`);
    for (const o of bad) parts.push(`${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name || '(unnamed)'}: ${o.reason}`);
  }
  const text = parts.length ? parts.join('; ') : r.compliance;
  return text.length > MAX_EVENT_MESSAGE ? `${text.slice(0, MAX_EVENT_MESSAGE - 1)}…` : text;
}

function violationCount(r: ComplianceRecord): number {
  return r.templates.reduce((n, t) => n + t.objects.filter((o) => !o.compliant).length, 0);
}

/** The history event of a change. */
export function complianceEvent(
  policy: PolicyResource,
  cluster: string,
  before: ComplianceRecord | undefined,
  after: ComplianceRecord,
  time: string,
): ComplianceEvent {
  const mapping = complianceMapping(policy);
  // The content in the id keeps two changes within one millisecond apart, and a retried append idempotent.
  const digest = canonicalHash([after.compliance, after.policyGeneration, violatingObjects(after)]).slice(0, 8);
  return {
    id: `${time}#${cluster}#${policy.metadata.name}#${digest}`,
    time,
    cluster,
    policy: policy.metadata.name,
    compliance: after.compliance,
    ...(before ? { previous: before.compliance } : {}),
    message: eventMessage(after),
    violations: violationCount(after),
    ...(policy.spec.severity ? { severity: policy.spec.severity } : {}),
    ...mapping,
    policyGeneration: after.policyGeneration,
    reportedBy: 'agent',
  };
}

/** Lands one policy's report: returns the event to append, if any. */
async function ingestOne(
  ctx: HubContext,
  cluster: string,
  policy: PolicyResource,
  report: PolicyComplianceReport,
  firstRead: ComplianceItem | undefined,
): Promise<ComplianceEvent | undefined> {
  const uid = policy.metadata.uid;
  return retryOnConflict(ctx.ports.clock, async (attempt) => {
    // The batched read serves the first attempt; a conflict re-reads this one item consistently.
    const item =
      attempt === 0
        ? firstRead
        : ((await ctx.ports.resources.get(complianceKey(policy.metadata.name, cluster), { consistent: true })) as
            ComplianceItem | undefined);
    const before = item && item.spec.policyUid === uid ? item.status : undefined;
    const now = isoNow(ctx.ports.clock);
    const next = recordOf(report, now);
    if (before && content(before) === content(next)) return undefined;
    const written = await writeComplianceItem(ctx, item, { policy: policy.metadata.name, cluster, policyUid: uid }, next);
    // Events carry milliseconds: the history's order is by time, and changes come faster than seconds.
    const time = new Date(ctx.ports.clock.now()).toISOString();
    return eventWorthy(before, written) ? complianceEvent(policy, cluster, before, written, time) : undefined;
  });
}

/** Epoch seconds after which an event written now may be cleaned up (TTL; reads clamp by time themselves). */
export function historyExpiry(ctx: HubContext): number {
  return Math.floor(ctx.ports.clock.now() / 1000) + ctx.config.complianceRetentionDays * 86_400 + 86_400;
}

/**
 * The StatusReportHandler: applies a report's policy compliance to the cluster's current items and
 * appends the changes to the history.
 */
export async function ingestPolicyReports(ctx: HubContext, cluster: string, report: StatusReport): Promise<void> {
  const reports = report.policies ?? [];
  const removed = report.removedPolicies ?? [];
  if (!reports.length && !removed.length) return;
  // Assigned now: a report about a policy no longer assigned (the agent was behind) is ignored.
  const assigned = new Set(await policiesOfCluster(ctx, cluster));
  // A policy the agent dropped: its item goes unless the policy is still assigned and enabled (an
  // agent that is behind must not wipe a live policy's state). A disabled policy is not evaluated,
  // so its last answer must not stay as if it were current.
  const stillAssigned = removed.filter((name) => assigned.has(name));
  const disabled = new Set(
    (
      await readResources(
        ctx,
        policyKind,
        stillAssigned.map((name) => ({ name })),
        { consistent: true },
      )
    )
      .filter((p) => p?.spec.disabled)
      .map((p) => p!.metadata.name),
  );
  for (const name of removed) if (!assigned.has(name) || disabled.has(name)) await deleteComplianceItem(ctx, name, cluster);
  // The last report of a policy wins if the agent listed it twice.
  const byName = new Map(reports.filter((r) => assigned.has(r.name)).map((r) => [r.name, r]));
  const relevant = [...byName.values()];
  if (!relevant.length) return;
  const [policies, items] = await Promise.all([
    readResources(
      ctx,
      policyKind,
      relevant.map((r) => ({ name: r.name })),
      { consistent: true },
    ),
    readComplianceItems(
      ctx,
      relevant.map((r) => ({ policy: r.name, cluster })),
      true,
    ),
  ]);
  const events = await pMap(
    relevant,
    async (r, i) => {
      const policy = policies[i];
      // Deleted since, or a report about another incarnation of the name, or a generation not yet written.
      if (!policy || policy.metadata.deletionTimestamp || policy.metadata.uid !== r.uid) return undefined;
      if (r.generation > policy.metadata.generation) return undefined;
      return ingestOne(ctx, cluster, policy, r, items[i]);
    },
    { concurrency: CONCURRENCY },
  );
  const toAppend = events.filter((e): e is ComplianceEvent => e !== undefined);
  if (toAppend.length) await ctx.ports.complianceHistory.append(toAppend, historyExpiry(ctx));
}
