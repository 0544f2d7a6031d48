import { labelKeyProblem, labelValueProblem, parseSelector } from '../shared/labels.js';
import { findKind, KINDS, type KindInfo } from '../shared/resources/kinds.js';
import { isDnsLabel } from '../shared/resources/meta.js';
import { ValidationError } from '../shared/errors.js';
import { UsageError } from './errors.js';

/**
 * Checks of command-line arguments, done before anything is sent so that a typo is a usage
 * error (exit 2) with a clear message rather than a round trip to the hub.
 */

/**
 * Resolves a kind by plural, singular, short name or kind name, case-insensitively.
 * @throws UsageError listing the known kinds.
 */
export function resolveKind(text: string): KindInfo {
  const info = findKind(text);
  if (info) return info;
  throw new UsageError(`unknown resource kind "${text}"; known kinds: ${knownKindsText()}`);
}

/** `clusters (cluster, cl), clustersets (clusterset, cs)` for error messages and help. */
export function knownKindsText(): string {
  return Object.values(KINDS)
    .map((k) => `${k.plural} (${[k.singular, ...k.shortNames].join(', ')})`)
    .join(', ');
}

/**
 * Validates a label selector's string form locally with the same parser the hub uses.
 * @returns the selector text, trimmed, or undefined when empty.
 * @throws UsageError naming the problem and its position.
 */
export function checkSelector(text: string | undefined): string | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  try {
    parseSelector(text);
  } catch (err) {
    if (err instanceof ValidationError) throw new UsageError(err.message, { cause: err });
    throw err;
  }
  return text.trim();
}

/**
 * Parses repeated `--label k=v` flags into a label map, checking Kubernetes key and value rules.
 * @throws UsageError for a flag without `=` or an invalid key or value.
 */
export function parseLabelFlags(flags: string[] | undefined): Record<string, string> | undefined {
  if (!flags?.length) return undefined;
  const labels: Record<string, string> = {};
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    if (eq <= 0) throw new UsageError(`invalid --label "${flag}": expected key=value`);
    const key = flag.slice(0, eq);
    const value = flag.slice(eq + 1);
    const problem = labelKeyProblem(key) ?? labelValueProblem(value);
    if (problem) throw new UsageError(`invalid --label "${flag}": ${problem}`);
    labels[key] = value;
  }
  return labels;
}

/** Checks an object name (DNS-1123 label) so a typo fails before the request. */
export function checkName(name: string, what = 'name'): string {
  if (!isDnsLabel(name)) {
    throw new UsageError(
      `invalid ${what} "${name}": it must be a DNS-1123 label (lowercase letters, digits and '-', starting and ending with a letter or digit, at most 63 characters)`,
    );
  }
  return name;
}

/** Parses a positive integer flag such as `--limit`. */
export function parsePositiveInt(text: string, flag: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) throw new UsageError(`invalid ${flag} "${text}": expected a positive whole number`);
  return Number(text);
}

/** Commander reducer for repeatable options (`--label a=b --label c=d`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/**
 * Checks `--cluster` against the kind: namespaced kinds (Work) need it, cluster-scoped kinds refuse it.
 * @returns the cluster to scope requests to, if any.
 */
export function scopeFor(info: KindInfo, cluster: string | undefined): { cluster?: string } {
  if (info.namespaced) {
    if (!cluster) throw new UsageError(`${info.plural} belong to a cluster: pass --cluster NAME`);
    return { cluster: checkName(cluster, 'cluster name') };
  }
  if (cluster) throw new UsageError(`${info.plural} are not scoped to a cluster; --cluster does not apply`);
  return {};
}

/** The options that name a namespaced object's cluster: `--cluster` and kubectl's `-n, --namespace`. */
export interface ClusterFlags {
  cluster?: string;
  namespace?: string;
}

/**
 * The cluster named by `--cluster` or its kubectl-style alias `-n/--namespace` (works are
 * namespaced by their cluster: `metadata.namespace` is the cluster's name).
 * @throws UsageError when both are given with different values.
 */
export function clusterFlag(flags: ClusterFlags): string | undefined {
  if (flags.cluster !== undefined && flags.namespace !== undefined && flags.cluster !== flags.namespace) {
    throw new UsageError(`--cluster "${flags.cluster}" and -n/--namespace "${flags.namespace}" name different clusters; give one`);
  }
  return flags.cluster ?? flags.namespace;
}
