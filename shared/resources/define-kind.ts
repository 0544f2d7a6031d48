import type { z } from 'zod';
import type { Resource } from './meta.js';

/**
 * How a table cell renders the value found at a printer column's JSONPath (after a CRD's
 * `additionalPrinterColumns` types, plus a few shapes the hub's kinds need):
 * - `string`, `integer`, `boolean`: the value as text;
 * - `date`: the age of a timestamp (`5m`); `ago`: `5m ago`, or the default (`never`) when absent;
 * - `condition`: the status of the condition named by `condition`, coloured;
 * - `list`: an array joined with commas; `count`: an array's length;
 * - `ratio`: `value/of` (or `value` alone when the `of` path is absent and there is no `ofDefault`);
 * - `generation`: `3`, or `3 (observed 2)` while `of` (the observed generation) lags;
 * - `labels`: `k=v,k2=v2`; `selector`: a label selector in kubectl's text form;
 * - `clusterSelector`: a ClusterSet's selector (`ExclusiveClusterSetLabel tether.dev/clusterset=NAME`).
 */
export type PrinterColumnType =
  | 'string'
  | 'integer'
  | 'boolean'
  | 'date'
  | 'ago'
  | 'condition'
  | 'list'
  | 'count'
  | 'ratio'
  | 'generation'
  | 'labels'
  | 'selector'
  | 'clusterSelector';

/** Tone of a cell, by its text (`Complete: good`), or `nonZero` for counts that are bad above 0. */
export type CellTone = 'good' | 'bad' | 'warn';

/**
 * One column of `tether get` for a kind, like a CRD's additionalPrinterColumns entry. The NAME
 * column comes first on its own; everything else is listed, in display order.
 */
export interface PrinterColumn {
  /** Header, upper case (`AVAILABLE`). */
  name: string;
  /** JSONPath into the object, kubectl style (`.status.summary.failed`). */
  jsonPath: string;
  type: PrinterColumnType;
  /** 1: shown only with `-o wide` (a CRD's priority). */
  priority?: 0 | 1;
  /** Text when the path finds nothing (default `<none>`). */
  default?: string;
  /** For `condition`: the condition type. */
  condition?: string;
  /** For `ratio` and `generation`: the second path. */
  of?: string;
  /** For `ratio`: the text when the `of` path finds nothing (default: print the first value alone). */
  ofDefault?: string;
  /** Colours by cell text; `nonZero` colours any count above 0. */
  tones?: Readonly<Record<string, CellTone>> | { nonZero: CellTone };
}

/** What the hub, the CLI and the OpenAPI generator know about one resource kind. */
export interface KindInfo<Name extends string = string, Spec extends z.ZodType = z.ZodType, Status extends z.ZodType = z.ZodType> {
  readonly kind: Name;
  /** Lowercase plural used in API paths: `/v1/{plural}`. */
  readonly plural: string;
  readonly singular: string;
  readonly shortNames: readonly string[];
  /** Namespaced kinds belong to one cluster: `/v1/clusters/{cluster}/{plural}/{name}`. */
  readonly namespaced: boolean;
  readonly spec: Spec;
  readonly status: Status;
  readonly description: string;
  /** The columns of `tether get` after NAME (default: AGE, and LABELS with `-o wide`). */
  readonly printerColumns?: readonly PrinterColumn[];
}

/** Any kind, whatever its name and schemas. */
export type AnyKind = KindInfo<string, z.ZodType, z.ZodType>;

/** The spec type of a kind. */
export type SpecOf<K extends AnyKind> = z.output<K['spec']>;
/** The status type of a kind. */
export type StatusOf<K extends AnyKind> = z.output<K['status']>;
/** A stored resource of a kind, with its typed spec and status. */
export type ResourceOf<K extends AnyKind> = Resource<SpecOf<K>, StatusOf<K>>;

/**
 * Declares a kind. Leaf module: kind modules import only this (and meta), and `kinds.ts` imports
 * the kind modules, so imports point one way.
 * @example export const workKind = defineKind({ kind: 'Work', plural: 'works', ... });
 */
export function defineKind<const Name extends string, Spec extends z.ZodType, Status extends z.ZodType>(
  info: KindInfo<Name, Spec, Status>,
): KindInfo<Name, Spec, Status> {
  return Object.freeze({
    ...info,
    shortNames: Object.freeze([...info.shortNames]),
    printerColumns: info.printerColumns && Object.freeze([...info.printerColumns]),
  });
}

/** Columns every kind shares. */
export const AGE_COLUMN: PrinterColumn = Object.freeze({ name: 'AGE', jsonPath: '.metadata.creationTimestamp', type: 'date' });
export const LABELS_COLUMN: PrinterColumn = Object.freeze({ name: 'LABELS', jsonPath: '.metadata.labels', type: 'labels', priority: 1 });
/** A condition's status as a coloured column. */
export function conditionColumn(name: string, condition: string = name.charAt(0) + name.slice(1).toLowerCase()): PrinterColumn {
  return { name, jsonPath: '.status.conditions', type: 'condition', condition };
}
