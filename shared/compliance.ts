import { z } from 'zod';
import { parseDuration } from './duration.js';
import { ComplianceStates, type ComplianceState, type Severity } from './resources/policy.js';

/**
 * The compliance API's shapes, shared by the hub (lambdas/capabilities/governance/), the CLI and
 * the console: compliance events (the append-only history), their query, current per-cluster
 * compliance, and the report formats.
 */

/** One entry of the history: a cluster's compliance with a policy changed. Written once, never rewritten. */
export interface ComplianceEvent {
  /** Unique and time-ordered: `<time>#<cluster>#<policy>` style ids are opaque to clients. */
  id: string;
  /** RFC 3339 time the hub recorded the change. */
  time: string;
  cluster: string;
  policy: string;
  compliance: ComplianceState;
  /** The state before this change, when there was one. */
  previous?: ComplianceState;
  /** Short text: the first violations or the pending reason. */
  message: string;
  /** Number of violating objects at the time. */
  violations: number;
  severity?: Severity;
  /** The policy's compliance mapping when the event was recorded (a later edit of the policy does not rewrite history). */
  standards: string[];
  categories: string[];
  controls: string[];
  /** Generation of the policy the agent evaluated. */
  policyGeneration: number;
  /** `agent` (a report) or `hub` (the hub's own finding, such as a template that fails to render). */
  reportedBy: 'agent' | 'hub';
}

/** Most events one page answers. */
export const MAX_EVENTS_PAGE = 1000;
/** Default history retention in days (2 years); the hub's `complianceRetentionDays` changes it. */
export const DEFAULT_COMPLIANCE_RETENTION_DAYS = 730;

/** A point in time given as RFC 3339 or as an age (`30d`, `12h`: that long before now). */
export function parseTimeBound(text: string, now: number): number | undefined {
  const age = parseDuration(text);
  if (age !== undefined) return now - age;
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : t;
}

const TIME_HINT = 'an RFC 3339 time such as 2026-11-01T00:00:00Z, a date such as 2026-11-01, or an age such as 30d or 12h';

/**
 * Query parameters of `GET /v1/compliance/events` (all optional), as the API takes them. Times are
 * strings here; the hub resolves ages against its clock.
 */
export const ComplianceEventQuerySchema = z
  .object({
    cluster: z.string().min(1).optional(),
    policy: z.string().min(1).optional(),
    standard: z.string().min(1).optional(),
    category: z.string().min(1).optional(),
    control: z.string().min(1).optional(),
    compliance: z.enum(ComplianceStates, { error: `compliance must be one of ${ComplianceStates.join(', ')}` }).optional(),
    since: z.string().optional(),
    until: z.string().optional(),
    limit: z.coerce
      .number({ error: 'limit must be a number' })
      .int('limit must be a whole number')
      .min(1, 'limit must be at least 1')
      .max(MAX_EVENTS_PAGE, `limit must be at most ${MAX_EVENTS_PAGE}`)
      .default(100),
    continue: z.string().optional(),
    /** `desc` (newest first, the default) or `asc`. */
    direction: z.enum(['asc', 'desc'], { error: 'direction must be asc or desc' }).default('desc'),
  })
  .strict()
  .superRefine((q, ctx) => {
    for (const key of ['since', 'until'] as const) {
      const v = q[key];
      if (v !== undefined && parseTimeBound(v, Date.now()) === undefined) {
        ctx.addIssue({ code: 'custom', path: [key], message: `${key} must be ${TIME_HINT}, got "${v}"` });
      }
    }
  });
export type ComplianceEventQueryInput = z.input<typeof ComplianceEventQuerySchema>;

/** The answer of `GET /v1/compliance/events`. */
export interface ComplianceEventPage {
  items: ComplianceEvent[];
  /** Pass as `continue` for the next page; absent on the last page. */
  continue?: string;
}

/** One violating (or checked) object, as the hub keeps it in current compliance. */
export interface ComplianceObjectView {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  compliant: boolean;
  reason: string;
  message?: string;
  diff?: string;
  createdByPolicy?: boolean;
}

/** Current compliance of one cluster with one policy (`GET /v1/policies/{name}/compliance`, `GET /v1/clusters/{name}/compliance`). */
export interface ClusterPolicyCompliance {
  cluster: string;
  policy: string;
  /** As reported, or `Unknown` when the cluster's agent is silent (its lease expired) or never reported. */
  compliance: ComplianceState;
  /** What the agent last said, when `compliance` is Unknown because the cluster is silent. */
  lastReported?: ComplianceState;
  /** Time the state last changed (RFC 3339). */
  since?: string;
  /** Time of the evaluation the last report came from. */
  evaluatedAt?: string;
  policyGeneration?: number;
  templates: {
    name: string;
    compliance: ComplianceState;
    reason?: string;
    message?: string;
    objects: ComplianceObjectView[];
    omittedObjects?: number;
  }[];
}

export const ReportFormats = ['json', 'csv', 'html', 'openreports'] as const;
export type ReportFormat = (typeof ReportFormats)[number];

/** Query parameters of `GET /v1/compliance/report`. */
export const ComplianceReportQuerySchema = z
  .object({
    format: z.enum(ReportFormats, { error: `format must be one of ${ReportFormats.join(', ')}` }).default('json'),
    standard: z.string().min(1).optional(),
    category: z.string().min(1).optional(),
    control: z.string().min(1).optional(),
    cluster: z.string().min(1).optional(),
    policy: z.string().min(1).optional(),
    /** History window of the report's event section (default 30d). */
    since: z.string().optional(),
    until: z.string().optional(),
  })
  .strict()
  .superRefine((q, ctx) => {
    for (const key of ['since', 'until'] as const) {
      const v = q[key];
      if (v !== undefined && parseTimeBound(v, Date.now()) === undefined) {
        ctx.addIssue({ code: 'custom', path: [key], message: `${key} must be ${TIME_HINT}, got "${v}"` });
      }
    }
  });
export type ComplianceReportQueryInput = z.input<typeof ComplianceReportQuerySchema>;
