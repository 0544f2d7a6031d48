import type { ClusterPolicyCompliance } from '../../../shared/compliance.js';
import type { ComplianceState } from '../../../shared/resources/policy.js';
import { complianceMapping as mappingOf } from '../../../shared/compliance-mapping.js';

/** A policy's standards, categories and controls: the fields and the OCM annotations, merged without repeats. */
export { mappingOf };
import type { Tone } from './tone.js';

export type { ClusterPolicyCompliance, ComplianceObjectView } from '../../../shared/compliance.js';
export type { ComplianceState } from '../../../shared/resources/policy.js';

/**
 * What the governance views compute from policies and compliance: states in order of concern, the
 * roll-up by standard and control, the non-compliant policies per cluster, and the sorting and
 * filtering of a policy's clusters. Pure, so it is tested without a browser. Everything comes from
 * the policies' read-time roll-ups (one listing of `/v1/policies`), so the view costs the same
 * whether the fleet has ten clusters or ten thousand.
 */

/** States in order of concern: what needs attention first. */
export const ComplianceOrder: readonly ComplianceState[] = ['NonCompliant', 'Pending', 'Unknown', 'Compliant'];

/** Most non-compliant clusters a policy's status names (the hub's cap). */
export const NONCOMPLIANT_LIST_CAP = 100;

/** A Policy as the console reads it. */
export interface PolicyObject {
  apiVersion: string;
  kind: 'Policy';
  metadata: {
    name: string;
    uid?: string;
    resourceVersion?: string;
    generation?: number;
    creationTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: {
    remediationAction?: string;
    disabled?: boolean;
    severity?: string;
    standards?: string[];
    categories?: string[];
    controls?: string[];
    description?: string;
    placementRef?: { name: string };
    dependencies?: { kind?: string; name: string; compliance?: string }[];
    policyTemplates?: PolicyTemplateShape[];
  };
  status?: PolicyStatusShape;
}

/** A PolicySet as the console reads it. */
export interface PolicySetObject {
  apiVersion: string;
  kind: 'PolicySet';
  metadata: PolicyObject['metadata'];
  spec?: { description?: string; policies?: string[]; placementRef?: { name: string } };
  status?: PolicyStatusShape & { missingPolicies?: string[] };
}

export interface PolicyStatusShape {
  compliant?: ComplianceState;
  summary?: { clusters?: number; compliant?: number; nonCompliant?: number; pending?: number; unknown?: number };
  nonCompliantClusters?: string[];
}

export interface PolicyTemplateShape {
  name?: string;
  objectTemplates?: {
    complianceType?: string;
    objectDefinition?: { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } };
  }[];
  namespaceSelector?: { include?: string[]; exclude?: string[] };
  evaluationInterval?: { compliant?: string; noncompliant?: string };
  pruneObjectBehavior?: string;
}

/** Rank of a state in the order of concern (NonCompliant first; no state last). */
export function complianceRank(state: ComplianceState | undefined): number {
  const i = state === undefined ? -1 : ComplianceOrder.indexOf(state);
  return i < 0 ? ComplianceOrder.length : i;
}

/** Badge tone of a state. */
export function complianceTone(state: ComplianceState | undefined): Tone {
  if (state === 'Compliant') return 'good';
  if (state === 'NonCompliant') return 'bad';
  if (state === 'Pending' || state === 'Unknown') return 'warn';
  return 'muted';
}

/** Words for a state. */
export function complianceLabel(state: ComplianceState | undefined): string {
  if (state === 'NonCompliant') return 'Non-compliant';
  return state ?? 'No clusters';
}

/** Whether `s` is a compliance state (for filters read from the URL). */
export function isComplianceState(s: string | undefined): s is ComplianceState {
  return s !== undefined && (ComplianceOrder as readonly string[]).includes(s);
}

/** Policies sorted for a table: non-compliant first, then by name. */
export function sortPolicies<T extends { metadata: { name: string }; status?: PolicyStatusShape }>(list: readonly T[]): T[] {
  return [...list].sort(
    (a, b) => complianceRank(a.status?.compliant) - complianceRank(b.status?.compliant) || a.metadata.name.localeCompare(b.metadata.name),
  );
}

/** Counts of cluster results (one per policy and cluster) by state. */
export interface StateCounts {
  compliant: number;
  nonCompliant: number;
  pending: number;
  unknown: number;
}

/** One control of a standard (or the standard's policies without a control). */
export interface ControlRow {
  control: string;
  policies: string[];
  /** Policies whose roll-up is NonCompliant, Compliant. */
  nonCompliantPolicies: number;
  compliantPolicies: number;
  /** Distinct clusters that are non-compliant with at least one of the policies. */
  nonCompliantClusters: number;
  /** True when a policy's list of non-compliant clusters was cut at the hub's cap: the count is a lower bound. */
  atLeast: boolean;
  /** Cluster results summed over the policies (a cluster chosen by two policies counts twice). */
  results: StateCounts;
  /** The worst roll-up of its policies. */
  compliance?: ComplianceState;
}

/** A standard with its controls. */
export interface StandardRow extends ControlRow {
  standard: string;
  controls: ControlRow[];
}

/** The label of the row that collects policies without a standard or a control. */
export const NO_STANDARD = '(no standard)';
export const NO_CONTROL = '(no control)';

function worst(states: Iterable<ComplianceState | undefined>): ComplianceState | undefined {
  let out: ComplianceState | undefined;
  for (const s of states) if (s !== undefined && (out === undefined || complianceRank(s) < complianceRank(out))) out = s;
  return out;
}

function rowOf(control: string, policies: readonly PolicyObject[]): ControlRow {
  const clusters = new Set<string>();
  let atLeast = false;
  const results: StateCounts = { compliant: 0, nonCompliant: 0, pending: 0, unknown: 0 };
  for (const p of policies) {
    const names = p.status?.nonCompliantClusters ?? [];
    for (const c of names) clusters.add(c);
    if ((p.status?.summary?.nonCompliant ?? 0) > names.length) atLeast = true;
    results.compliant += p.status?.summary?.compliant ?? 0;
    results.nonCompliant += p.status?.summary?.nonCompliant ?? 0;
    results.pending += p.status?.summary?.pending ?? 0;
    results.unknown += p.status?.summary?.unknown ?? 0;
  }
  return {
    control,
    policies: policies.map((p) => p.metadata.name).sort(),
    nonCompliantPolicies: policies.filter((p) => p.status?.compliant === 'NonCompliant').length,
    compliantPolicies: policies.filter((p) => p.status?.compliant === 'Compliant').length,
    nonCompliantClusters: clusters.size,
    atLeast,
    results,
    compliance: worst(policies.map((p) => p.status?.compliant)),
  };
}

/** Non-compliant first (by state, then by how many clusters), then by name. */
function byConcern<T extends ControlRow>(key: (r: T) => string) {
  return (a: T, b: T) =>
    complianceRank(a.compliance) - complianceRank(b.compliance) ||
    b.nonCompliantClusters - a.nonCompliantClusters ||
    key(a).localeCompare(key(b));
}

/**
 * The roll-up by standard and control: each standard with its totals, then its controls, both
 * non-compliant first. A policy counts under every standard and control it is mapped to; policies
 * without a standard (or control) are grouped under {@link NO_STANDARD} ({@link NO_CONTROL}).
 */
export function byStandard(policies: readonly PolicyObject[]): StandardRow[] {
  const groups = new Map<string, Map<string, PolicyObject[]>>();
  for (const p of policies) {
    const m = mappingOf(p);
    for (const standard of m.standards.length ? m.standards : [NO_STANDARD]) {
      const controls = groups.get(standard) ?? new Map<string, PolicyObject[]>();
      groups.set(standard, controls);
      for (const control of m.controls.length ? m.controls : [NO_CONTROL]) {
        const list = controls.get(control) ?? [];
        list.push(p);
        controls.set(control, list);
      }
    }
  }
  const rows: StandardRow[] = [];
  for (const [standard, controls] of groups) {
    const all = [...new Map([...controls.values()].flat().map((p) => [p.metadata.name, p])).values()];
    rows.push({
      ...rowOf(standard, all),
      standard,
      controls: [...controls].map(([control, list]) => rowOf(control, list)).sort(byConcern((r) => r.control)),
    });
  }
  return rows.sort(byConcern((r) => r.standard));
}

/** One cluster of the by-cluster table. */
export interface ClusterComplianceRow {
  cluster: string;
  /** Policies this cluster is non-compliant with, by name. */
  nonCompliant: string[];
}

/**
 * The non-compliant policies of each cluster, from the policies' lists of non-compliant clusters;
 * every cluster of `clusters` is a row (zero when none), plus any named by a policy but not listed
 * (yet). Sorted by how many policies fail, then by name. `truncated` says whether some policy's
 * list was cut at the hub's cap, so that counts may be low.
 */
export function byCluster(
  policies: readonly PolicyObject[],
  clusters: readonly string[],
): { rows: ClusterComplianceRow[]; truncated: boolean } {
  const failing = new Map<string, string[]>(clusters.map((c) => [c, []]));
  let truncated = false;
  for (const p of policies) {
    const names = p.status?.nonCompliantClusters ?? [];
    if ((p.status?.summary?.nonCompliant ?? 0) > names.length) truncated = true;
    for (const c of names) {
      const list = failing.get(c) ?? [];
      list.push(p.metadata.name);
      failing.set(c, list);
    }
  }
  const rows = [...failing].map(([cluster, nonCompliant]) => ({ cluster, nonCompliant: nonCompliant.sort() }));
  rows.sort((a, b) => b.nonCompliant.length - a.nonCompliant.length || a.cluster.localeCompare(b.cluster));
  return { rows, truncated };
}

/** Violating objects of one cluster's compliance (plus those the hub left out). */
export function violationCount(c: ClusterPolicyCompliance): number {
  return c.templates.reduce((n, t) => n + t.objects.filter((o) => !o.compliant).length + (t.omittedObjects ?? 0), 0);
}

/** Rows of current compliance, non-compliant first, then by `key` (cluster or policy). */
export function sortCompliance(rows: readonly ClusterPolicyCompliance[], key: 'cluster' | 'policy'): ClusterPolicyCompliance[] {
  return [...rows].sort((a, b) => complianceRank(a.compliance) - complianceRank(b.compliance) || a[key].localeCompare(b[key]));
}

/** `ConfigMap payments/audit`. */
export function objectLabel(o: { kind: string; namespace?: string; name: string }): string {
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}`;
}

/** `2 musthave, 1 mustnothave`. */
export function templateTypes(t: PolicyTemplateShape): string {
  const counts = new Map<string, number>();
  for (const o of t.objectTemplates ?? []) counts.set(o.complianceType ?? '?', (counts.get(o.complianceType ?? '?') ?? 0) + 1);
  return [...counts].map(([type, n]) => `${n} ${type}`).join(', ');
}

/** Counts per state of a list of compliance rows. */
export function countStates(rows: readonly ClusterPolicyCompliance[]): Record<ComplianceState, number> {
  const out: Record<ComplianceState, number> = { NonCompliant: 0, Pending: 0, Unknown: 0, Compliant: 0 };
  for (const r of rows) out[r.compliance]++;
  return out;
}
