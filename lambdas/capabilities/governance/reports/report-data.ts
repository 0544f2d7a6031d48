import type { ClusterPolicyCompliance, ComplianceEvent } from '../../../../shared/compliance.js';
import type { ComplianceState, RemediationAction, Severity } from '../../../../shared/resources/policy.js';

/**
 * Everything a compliance report shows, gathered by the report route and handed to a renderer
 * (json, csv, html, openreports). Renderers are pure: same data, same bytes.
 */
export interface ComplianceReportData {
  /** RFC 3339 time the report was made. */
  generatedAt: string;
  /** The filters the report was made with, as given, and the history window it covers (RFC 3339). */
  filters: { standard?: string; category?: string; control?: string; cluster?: string; policy?: string; since: string; until: string };
  /** The policies in scope, in name order. */
  policies: ReportPolicy[];
  /** Current compliance of every cluster with every policy in scope (cluster, then policy order). */
  rows: ClusterPolicyCompliance[];
  /** The history in the window, newest first, at most {@link MAX_REPORT_EVENTS}. */
  events: ComplianceEvent[];
  /** True when the window held more events than the report carries. */
  eventsTruncated: boolean;
}

/** One policy as a report shows it. */
export interface ReportPolicy {
  name: string;
  description?: string;
  severity?: Severity;
  remediationAction: RemediationAction;
  disabled: boolean;
  standards: string[];
  categories: string[];
  controls: string[];
  /** Roll-up over its clusters; undefined when it chooses none. */
  compliant?: ComplianceState;
}

/** Most history events a report carries (the events API pages through all of them). */
export const MAX_REPORT_EVENTS = 10_000;

/** A rendered report. */
export interface RenderedReport {
  contentType: string;
  body: string;
  /** Suggested file name for Content-Disposition. */
  fileName: string;
}
