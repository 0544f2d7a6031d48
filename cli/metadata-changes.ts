import { labelKeyProblem, labelValueProblem } from '../shared/labels.js';
import { UsageError } from './errors.js';

/**
 * The `k=v` and `k-` arguments of `tether label` and `tether annotate`, parsed and checked the way
 * kubectl does, and their merge patch against an object's current labels or annotations.
 */

/** What a `label`/`annotate` run asks for: keys to set and keys to remove. */
export interface MetadataChanges {
  set: Record<string, string>;
  remove: string[];
}

/** Which map of `metadata` the changes apply to. */
export type MetadataField = 'labels' | 'annotations';

/** Is this argument a change (`k=v`, `k-`) rather than an object name? */
export function isChangeArg(arg: string): boolean {
  return arg.includes('=') || (arg.endsWith('-') && arg.length > 1);
}

/**
 * Parses `k=v` and `k-` arguments. Label keys and values follow the Kubernetes rules; annotation
 * keys the same key rules, any value.
 * @throws UsageError for a malformed argument, a key both set and removed, or a key set twice.
 */
export function parseChanges(args: readonly string[], field: MetadataField): MetadataChanges {
  const set: Record<string, string> = {};
  const remove: string[] = [];
  const what = field === 'labels' ? 'label' : 'annotation';
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq < 0) {
      const key = arg.slice(0, -1);
      const problem = labelKeyProblem(key);
      if (problem) throw new UsageError(`invalid ${what} removal "${arg}": ${problem}`);
      if (key in set) throw new UsageError(`can not both modify and remove the ${what} "${key}" in the same command`);
      if (!remove.includes(key)) remove.push(key);
      continue;
    }
    const key = arg.slice(0, eq);
    const value = arg.slice(eq + 1);
    const problem =
      eq === 0 ? 'the key must not be empty' : (labelKeyProblem(key) ?? (field === 'labels' ? labelValueProblem(value) : undefined));
    if (problem) throw new UsageError(`invalid ${what} "${arg}": ${problem}`);
    if (remove.includes(key)) throw new UsageError(`can not both modify and remove the ${what} "${key}" in the same command`);
    if (key in set && set[key] !== value) throw new UsageError(`the ${what} "${key}" is given twice with different values`);
    set[key] = value;
  }
  if (!Object.keys(set).length && !remove.length)
    throw new UsageError(`at least one ${what} update is required: key=value to set, key- to remove`);
  return { set, remove };
}

/** The outcome of {@link planChanges} for one object. */
export interface ChangePlan {
  /** The `metadata.<field>` part of the merge patch: values to set, `null` to remove. Empty: nothing to do. */
  patch: Record<string, string | null>;
  /** Keys asked to be removed that the object does not have (kubectl warns about them). */
  missing: string[];
}

/**
 * What to send for an object whose `metadata.<field>` is `current`.
 * @throws UsageError, as kubectl, when a key already has another value and `overwrite` is false.
 */
export function planChanges(
  current: Record<string, string> | undefined,
  changes: MetadataChanges,
  field: MetadataField,
  overwrite: boolean,
): ChangePlan {
  const have = current ?? {};
  const patch: Record<string, string | null> = {};
  if (!overwrite) {
    // As kubectl: setting a key to the value it already has is fine; changing it needs --overwrite.
    const clashes = Object.entries(changes.set).filter(([key, value]) => Object.hasOwn(have, key) && have[key] !== value);
    if (clashes.length)
      throw new UsageError(clashes.map(([key]) => `'${key}' already has a value (${have[key]}), and --overwrite is false`).join('; '));
  }
  for (const [key, value] of Object.entries(changes.set)) if (have[key] !== value) patch[key] = value;
  const missing: string[] = [];
  for (const key of changes.remove) {
    if (Object.hasOwn(have, key)) patch[key] = null;
    else missing.push(key);
  }
  return { patch, missing };
}
