import { formatSelector, type LabelSelector } from '../../shared/labels.js';
import type { Condition, Resource } from '../../shared/resources/meta.js';
import { CLUSTERSET_LABEL } from '../../shared/resources/clusterset.js';
import { age } from './age.js';
import { conditionTone } from './color.js';
import type { Cell } from './table.js';

/**
 * The table columns of `tether get`, per kind. Data, not code: a kind registered later adds an
 * entry to {@link COLUMNS}; kinds without one get NAME and AGE.
 */

/** What a column's value function may use besides the object. */
export interface ColumnContext {
  now: Date;
}

/** One column of a kind's table. */
export interface Column {
  header: string;
  value: (object: Resource, ctx: ColumnContext) => Cell | string;
  /** Shown only with `-o wide`. */
  wideOnly?: boolean;
}

/** Printed where a value is absent, as kubectl does. */
export const NONE = '<none>';

const nameColumn: Column = { header: 'NAME', value: (o) => o.metadata.name };
const ageColumn: Column = { header: 'AGE', value: (o, ctx) => age(o.metadata.creationTimestamp, ctx.now) };
const labelsColumn: Column = { header: 'LABELS', value: (o) => formatLabels(o.metadata.labels), wideOnly: true };

/** Columns per kind name. Order is display order; wide-only columns are appended with `-o wide`. */
export const COLUMNS: Record<string, Column[]> = {
  Cluster: [
    nameColumn,
    { header: 'ACCEPTED', value: (o) => String(field<boolean>(o.spec, 'hubAcceptsClient') ?? false) },
    { header: 'JOINED', value: (o) => conditionCell(o, 'Joined') },
    { header: 'AVAILABLE', value: (o) => conditionCell(o, 'Available') },
    { header: 'K8S', value: (o) => field<string>(o.status, 'version', 'kubernetes') ?? NONE },
    { header: 'AGENT', value: (o) => field<string>(o.status, 'agentVersion') ?? NONE },
    { header: 'SETS', value: (o) => joinOrNone(field<string[]>(o.status, 'clusterSets')) },
    ageColumn,
    labelsColumn,
    { header: 'LAST-SEEN', value: (o, ctx) => lastSeen(field<string>(o.status, 'lastSeen'), ctx.now), wideOnly: true },
  ],
  ClusterSet: [
    nameColumn,
    { header: 'SELECTOR', value: (o) => clusterSetSelector(o) },
    { header: 'MEMBERS', value: (o) => String(field<number>(o.status, 'memberCount') ?? NONE) },
    ageColumn,
    labelsColumn,
  ],
  Work: [
    nameColumn,
    { header: 'CLUSTER', value: (o) => o.metadata.namespace ?? NONE },
    { header: 'MANIFESTS', value: (o) => String(field<unknown[]>(o.spec, 'workload', 'manifests')?.length ?? 0) },
    { header: 'APPLIED', value: (o) => conditionCell(o, 'Applied') },
    { header: 'AVAILABLE', value: (o) => conditionCell(o, 'Available') },
    { header: 'DEGRADED', value: (o) => conditionCell(o, 'Degraded') },
    { header: 'DRIFTED', value: (o) => conditionCell(o, 'Drifted') },
    ageColumn,
    { header: 'GENERATION', value: (o) => workGeneration(o), wideOnly: true },
    labelsColumn,
  ],
  Placement: [
    nameColumn,
    { header: 'SELECTED', value: (o) => placementSelected(o) },
    { header: 'GROUPS', value: (o) => String(field<unknown[]>(o.status, 'decisionGroups')?.length ?? 0) },
    { header: 'SATISFIED', value: (o) => conditionCell(o, 'PlacementSatisfied') },
    ageColumn,
    { header: 'SETS', value: (o) => (field<string[]>(o.spec, 'clusterSets')?.length ? joinOrNone(field<string[]>(o.spec, 'clusterSets')) : '<all clusters>'), wideOnly: true },
    labelsColumn,
  ],
};

COLUMNS.FleetDeployment = [
  nameColumn,
  { header: 'PLACEMENT', value: (o) => field<string>(o.spec, 'placementRef', 'name') ?? NONE, wideOnly: true },
  { header: 'STRATEGY', value: (o) => field<string>(o.spec, 'rolloutStrategy', 'type') ?? 'All', wideOnly: true },
  { header: 'REVISION', value: (o) => String(field<number>(o.status, 'revision') ?? NONE) },
  { header: 'UPDATED/TOTAL', value: (o) => `${summaryCount(o, 'updated')}/${summaryCount(o, 'total')}` },
  { header: 'AVAILABLE', value: (o) => summaryCount(o, 'available') },
  { header: 'FAILED', value: (o) => failedCell(o) },
  { header: 'PENDING-WINDOW', value: (o) => summaryCount(o, 'pendingWindow'), wideOnly: true },
  { header: 'STATE', value: (o) => rolloutStateCell(o) },
  ageColumn,
  labelsColumn,
];

/** A count of a FleetDeployment's rollout summary, `0` before the first controller run. */
function summaryCount(o: Resource, key: string): string {
  return String(field<number>(o.status, 'summary', key) ?? 0);
}

function failedCell(o: Resource): Cell {
  const n = field<number>(o.status, 'summary', 'failed') ?? 0;
  return n > 0 ? { text: String(n), tone: 'bad' } : { text: '0' };
}

/** The rollout state, coloured: Complete good, Failed and Aborted bad, Paused and WaitingForWindow warn. */
function rolloutStateCell(o: Resource): Cell {
  const state = field<string>(o.status, 'state') ?? 'Pending';
  const tone = state === 'Complete' ? 'good' : state === 'Failed' || state === 'Aborted' ? 'bad' : state === 'Paused' || state === 'WaitingForWindow' ? 'warn' : undefined;
  return tone ? { text: state, tone } : { text: state };
}

const DEFAULT_COLUMNS: Column[] = [nameColumn, ageColumn, labelsColumn];

/** The columns to print for a kind, with or without the wide-only ones. */
export function columnsFor(kind: string, wide: boolean): Column[] {
  const all = COLUMNS[kind] ?? DEFAULT_COLUMNS;
  return wide ? all : all.filter((c) => !c.wideOnly);
}

/** `k=v,k2=v2`, or `<none>`. */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const entries = Object.entries(labels ?? {});
  return entries.length ? entries.map(([k, v]) => `${k}=${v}`).join(',') : NONE;
}

/** The status of a condition as a coloured cell, `<none>` when the condition is absent. */
export function conditionCell(object: Resource, type: string): Cell {
  const c = conditionsOf(object).find((x) => x.type === type);
  return c ? { text: c.status, tone: conditionTone(c.status) } : { text: NONE };
}

/** The conditions of any resource's status, or none. */
export function conditionsOf(object: Resource): Condition[] {
  const list = field<unknown>(object.status, 'conditions');
  return Array.isArray(list) ? (list as Condition[]) : [];
}

/** Reads a nested field of an untyped object, undefined when any step is missing. */
export function field<T>(value: unknown, ...path: string[]): T | undefined {
  let cur: unknown = value;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur as T | undefined;
}

function joinOrNone(values: string[] | undefined): string {
  return Array.isArray(values) && values.length ? values.join(',') : NONE;
}

function lastSeen(timestamp: string | undefined, now: Date): string {
  return timestamp ? `${age(timestamp, now)} ago` : 'never';
}

/** `2` when the agent reported the current spec, `3 (observed 2)` while it has not yet. */
function workGeneration(o: Resource): string {
  const observed = field<number>(o.status, 'observedGeneration');
  const generation = o.metadata.generation;
  if (observed === undefined) return `${generation} (not reported)`;
  return observed === generation ? String(generation) : `${generation} (observed ${observed})`;
}

/** `7`, or `3/5` when the placement asks for a number of clusters. */
function placementSelected(o: Resource): string {
  const selected = field<number>(o.status, 'numberOfSelectedClusters') ?? 0;
  const wanted = field<number>(o.spec, 'numberOfClusters');
  return wanted === undefined ? String(selected) : `${selected}/${wanted}`;
}

/** `ExclusiveClusterSetLabel tether.dev/clusterset=<name>` or `LabelSelector <selector>`. */
function clusterSetSelector(o: Resource): string {
  const type = field<string>(o.spec, 'clusterSelector', 'selectorType') ?? 'ExclusiveClusterSetLabel';
  if (type === 'ExclusiveClusterSetLabel') return `${type} ${CLUSTERSET_LABEL}=${o.metadata.name}`;
  const selector = formatSelector(field<LabelSelector>(o.spec, 'clusterSelector', 'labelSelector'));
  return `${type} ${selector || '<all clusters>'}`;
}
