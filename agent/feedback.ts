import { JSONPath } from 'jsonpath-plus';
import type { KubeObject } from './kube/types.js';
import type { FeedbackRule } from './work-config.js';

/**
 * Status feedback: values read from an applied object and reported to the hub, so that people see
 * on the hub how their workloads are doing (OCM's feedback rules).
 */

/** One reported value. */
export interface FeedbackValue {
  name: string;
  value: string | number | boolean | null;
}

/** At most this many values per manifest (the protocol's limit). */
export const MAX_FEEDBACK_VALUES = 50;
/** Longer string values (a whole sub-object as JSON) are cut to this many characters. */
const MAX_VALUE_CHARS = 1024;

/**
 * Well-known status fields by kind. Counts the API server leaves out when zero (`omitempty`)
 * are reported as 0, so a scaled-down workload reads `readyReplicas: 0`, not nothing.
 */
const WELL_KNOWN: Readonly<Record<string, readonly string[]>> = {
  'apps/Deployment': ['replicas', 'readyReplicas', 'availableReplicas', 'updatedReplicas', 'observedGeneration'],
  'apps/StatefulSet': ['replicas', 'readyReplicas', 'availableReplicas', 'updatedReplicas', 'observedGeneration'],
  'apps/DaemonSet': ['desiredNumberScheduled', 'numberReady', 'numberAvailable'],
  'batch/Job': ['succeeded', 'failed', 'active'],
};

/** The well-known status field names of a kind (empty when the kind has none). */
export function wellKnownFields(apiVersion: string, kind: string): readonly string[] {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  return WELL_KNOWN[`${group}/${kind}`] ?? [];
}

/**
 * Evaluates a manifest's feedback rules on the live object.
 * @returns the values, and the problems of paths that could not be evaluated (for the manifest's conditions).
 */
export function collectFeedback(live: KubeObject, rules: readonly FeedbackRule[]): { values: FeedbackValue[]; problems: string[] } {
  const values: FeedbackValue[] = [];
  const problems: string[] = [];
  const status = (live.status ?? {}) as Record<string, unknown>;
  for (const rule of rules) {
    if (rule.type === 'WellKnownStatus') {
      for (const field of wellKnownFields(live.apiVersion, live.kind)) {
        const v = status[field];
        values.push({ name: field, value: typeof v === 'number' ? v : 0 });
      }
      continue;
    }
    for (const { name, path } of rule.jsonPaths) {
      try {
        values.push({ name, value: evaluate(live, path) });
      } catch (err) {
        problems.push(`feedback path "${name}" (${path}) cannot be evaluated: ${(err as Error).message}`);
      }
    }
  }
  // Later rules win for a repeated name, and the list stays within the protocol's limit.
  const byName = new Map(values.map((v) => [v.name, v]));
  return { values: [...byName.values()].slice(0, MAX_FEEDBACK_VALUES), problems };
}

/**
 * Evaluates one JSONPath on an object with jsonpath-plus (script filters in its safe evaluator only).
 * Accepts kubectl's notation (`.status.replicas`, `{.status.replicas}`) as well as `$.status.replicas`.
 * A single scalar match is its value; nothing is null; anything else is its JSON text.
 */
export function evaluate(obj: KubeObject, path: string): FeedbackValue['value'] {
  const results = JSONPath({ path: toJsonPathPlus(path), json: obj, wrap: true, eval: 'safe', resultType: 'value' }) as unknown[];
  if (!Array.isArray(results) || results.length === 0) return null;
  const value = results.length === 1 ? results[0] : results;
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return typeof value === 'string' && value.length > MAX_VALUE_CHARS ? value.slice(0, MAX_VALUE_CHARS) : value;
  }
  const text = JSON.stringify(value) ?? null;
  return text && text.length > MAX_VALUE_CHARS ? text.slice(0, MAX_VALUE_CHARS) : text;
}

function toJsonPathPlus(path: string): string {
  let p = path.trim();
  if (p.startsWith('{') && p.endsWith('}')) p = p.slice(1, -1).trim();
  if (p.startsWith('.')) return '$' + p;
  if (p.startsWith('$')) return p;
  return '$.' + p;
}
