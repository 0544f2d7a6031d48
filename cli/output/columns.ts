import { formatSelector, type LabelSelector } from '../../shared/labels.js';
import type { Condition, Resource } from '../../shared/resources/meta.js';
import { CLUSTERSET_LABEL } from '../../shared/resources/clusterset.js';
import { age } from './age.js';
import { conditionTone } from './color.js';
import { JSONPath } from 'jsonpath-plus';
import { AGE_COLUMN, LABELS_COLUMN, type CellTone, type PrinterColumn } from '../../shared/resources/define-kind.js';
import { isKindName, KINDS } from '../../shared/resources/kinds.js';
import type { Cell } from './table.js';

/**
 * The table columns of `tether get`, from the kind's printer columns (declared on the kind in
 * shared/resources, like a CRD's additionalPrinterColumns): a new kind gets its columns without a
 * change here. Kinds without printer columns get NAME, AGE and, with `-o wide`, LABELS.
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

/** Evaluates a kubectl-style JSONPath (`.status.summary.failed`) on an object; undefined when nothing matches. */
export function readPath(object: unknown, path: string): unknown {
  const full = path.startsWith('$') ? path : `$${path.startsWith('.') || path.startsWith('[') ? '' : '.'}${path}`;
  return JSONPath({ path: full, json: object as object, wrap: false, eval: 'safe' });
}

const present = (v: unknown) => v !== undefined && v !== null && v !== '';

function toneOf(column: PrinterColumn, text: string, value: unknown): Cell {
  const tones = column.tones;
  if (!tones) return { text };
  const tone =
    'nonZero' in tones ? (typeof value === 'number' && value > 0 ? tones.nonZero : undefined) : (tones as Record<string, CellTone>)[text];
  return tone ? { text, tone } : { text };
}

/** Renders the value a printer column's path finds, by the column's type. */
function render(column: PrinterColumn, o: Resource, ctx: ColumnContext): Cell | string {
  const value = readPath(o, column.jsonPath);
  const fallback = column.default ?? NONE;
  switch (column.type) {
    case 'date':
      return age(typeof value === 'string' ? value : undefined, ctx.now);
    case 'ago':
      return typeof value === 'string' && value ? `${age(value, ctx.now)} ago` : fallback;
    case 'condition':
      return conditionCell(o, column.condition ?? column.name);
    case 'list':
      return Array.isArray(value) && value.length ? value.join(',') : fallback;
    case 'count':
      return String(Array.isArray(value) ? value.length : (column.default ?? 0));
    case 'labels':
      return formatLabels(value as Record<string, string> | undefined);
    case 'selector':
      return formatSelector(value as LabelSelector | undefined) || fallback;
    case 'clusterSelector':
      return clusterSetSelector(o, value as { selectorType?: string; labelSelector?: LabelSelector } | undefined);
    case 'ratio': {
      const of = column.of === undefined ? undefined : readPath(o, column.of);
      const head = present(value) ? String(value) : fallback;
      if (present(of)) return `${head}/${String(of)}`;
      return column.ofDefault === undefined ? head : `${head}/${column.ofDefault}`;
    }
    case 'generation': {
      const observed = column.of === undefined ? undefined : readPath(o, column.of);
      if (!present(observed)) return `${String(value)} (not reported)`;
      return observed === value ? String(value) : `${String(value)} (observed ${String(observed)})`;
    }
    default: {
      const text = present(value) ? String(value) : fallback;
      return toneOf(column, text, value);
    }
  }
}

/** The table column of a printer column. */
export function columnOf(column: PrinterColumn): Column {
  return { header: column.name, value: (o, ctx) => render(column, o, ctx), ...(column.priority === 1 ? { wideOnly: true } : {}) };
}

const DEFAULT_COLUMNS: readonly PrinterColumn[] = [AGE_COLUMN, LABELS_COLUMN];

/** The columns to print for a kind, with or without the wide-only ones. */
export function columnsFor(kind: string, wide: boolean): Column[] {
  const info = isKindName(kind) ? KINDS[kind] : undefined;
  const all = [nameColumn, ...(info?.printerColumns ?? DEFAULT_COLUMNS).map(columnOf)];
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

/** `ExclusiveClusterSetLabel tether.dev/clusterset=<name>` or `LabelSelector <selector>`. */
function clusterSetSelector(o: Resource, clusterSelector: { selectorType?: string; labelSelector?: LabelSelector } | undefined): string {
  const type = clusterSelector?.selectorType ?? 'ExclusiveClusterSetLabel';
  if (type === 'ExclusiveClusterSetLabel') return `${type} ${CLUSTERSET_LABEL}=${o.metadata.name}`;
  const selector = formatSelector(clusterSelector?.labelSelector);
  return `${type} ${selector || '<all clusters>'}`;
}
