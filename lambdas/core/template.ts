import { TetherError, type FieldError } from '../../shared/errors.js';

/**
 * Per-cluster templating of FleetDeployment manifests and Policy templates: a tiny, safe substitution language (no
 * eval, no loops, no functions beyond three filters). Every string value of the template may hold
 * references, expanded per cluster:
 *
 * | reference | value |
 * |---|---|
 * | `{{ .cluster.name }}` | the cluster's name |
 * | `{{ .cluster.labels.region }}`, `{{ .cluster.labels["tether.dev/ring"] }}` | a label |
 * | `{{ .cluster.annotations["owner"] }}` | an annotation |
 * | `{{ .cluster.claims["id.k8s.io"] }}` | a claim the agent reported |
 * | `{{ "{{" }}` | a literal string (to write `{{` itself) |
 *
 * Filters follow a `|`: `default "value"` (used when the reference is missing), `lower`, `upper`.
 * A reference to something the cluster does not have, without a default, is an error for that
 * cluster only. Keys of objects are never templated; values always stay strings.
 */

/** What a template may refer to: one cluster as the hub knows it. */
export interface TemplateCluster {
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  claims: Record<string, string>;
}

/** One problem found while rendering or checking a template, at a dotted path. */
export interface TemplateIssue {
  path: string;
  message: string;
}

/** Rendering failed for one cluster; `issues` lists every failing reference. */
export class TemplateRenderError extends TetherError {
  // 422: the revision's template or overrides do not fit the cluster: the author's input, fixed by editing it.
  static override readonly status = 422;
  static override readonly title = 'Template cannot be rendered';
  readonly code = 'template-failed';
  constructor(
    readonly cluster: string,
    readonly issues: TemplateIssue[],
    options?: ErrorOptions,
  ) {
    super(
      `template for cluster ${cluster}: ${issues[0]?.path}: ${issues[0]?.message}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`,
      options,
    );
  }
}

const REFERENCE = /\{\{(.*?)\}\}/g;
const SOURCE_NAME = /^\.cluster\.name$/;
const SOURCE_MAP = /^\.cluster\.(labels|annotations|claims)(?:\.([A-Za-z0-9_-]+)|\[\s*"([^"\\]*)"\s*\])$/;
const STRING = /^"((?:[^"\\]|\\.)*)"$/;

type Source =
  { kind: 'name' } | { kind: 'map'; map: 'labels' | 'annotations' | 'claims'; key: string } | { kind: 'literal'; value: string };
type Filter = { kind: 'default'; value: string } | { kind: 'lower' } | { kind: 'upper' };
interface Expression {
  source: Source;
  filters: Filter[];
}

/** Splits on `|` outside double quotes. */
function splitPipes(text: string): string[] {
  const parts: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && quoted) i++;
    else if (c === '"') quoted = !quoted;
    else if (c === '|' && !quoted) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}

function unquote(body: string): string {
  return body.replace(/\\(.)/g, '$1');
}

/** Parses the inside of `{{ }}`; returns a message when it is not a valid expression. */
function parseExpression(inner: string): Expression | string {
  const [head, ...rest] = splitPipes(inner.trim());
  let source: Source;
  const lit = STRING.exec(head);
  const map = SOURCE_MAP.exec(head);
  if (SOURCE_NAME.test(head)) source = { kind: 'name' };
  else if (map) source = { kind: 'map', map: map[1] as 'labels' | 'annotations' | 'claims', key: map[2] ?? map[3] };
  else if (lit) source = { kind: 'literal', value: unquote(lit[1]) };
  else {
    return `"{{ ${inner.trim()} }}" is not a reference; use .cluster.name, .cluster.labels.KEY, .cluster.labels["KEY"], .cluster.annotations["KEY"] or .cluster.claims["NAME"]`;
  }
  const filters: Filter[] = [];
  for (const f of rest) {
    const def = /^default\s+"((?:[^"\\]|\\.)*)"$/.exec(f);
    if (def) filters.push({ kind: 'default', value: unquote(def[1]) });
    else if (f === 'lower' || f === 'upper') filters.push({ kind: f });
    else return `unknown filter "${f}" in "{{ ${inner.trim()} }}"; filters are default "VALUE", lower and upper`;
  }
  return { source, filters };
}

function describe(source: Source): string {
  if (source.kind !== 'map') return 'value';
  const what = { labels: 'label', annotations: 'annotation', claims: 'claim' }[source.map];
  return `${what} "${source.key}"`;
}

function evaluate(expr: Expression, cluster: TemplateCluster): { value: string } | { missing: string } {
  let value: string | undefined;
  if (expr.source.kind === 'name') value = cluster.name;
  else if (expr.source.kind === 'literal') value = expr.source.value;
  else
    value = Object.prototype.hasOwnProperty.call(cluster[expr.source.map], expr.source.key)
      ? cluster[expr.source.map][expr.source.key]
      : undefined;
  for (const f of expr.filters) {
    if (f.kind === 'default') value ??= f.value;
    else if (value !== undefined) value = f.kind === 'lower' ? value.toLowerCase() : value.toUpperCase();
  }
  if (value === undefined)
    return { missing: `${describe(expr.source)} is not set on cluster ${cluster.name} (add it, or use | default "VALUE")` };
  return { value };
}

/** Expands one string; problems go to `issues` and the reference is left as written. */
function renderString(text: string, path: string, cluster: TemplateCluster | undefined, issues: TemplateIssue[]): string {
  if (!text.includes('{{')) return text;
  const out = text.replace(REFERENCE, (whole, inner: string) => {
    const expr = parseExpression(inner);
    if (typeof expr === 'string') {
      issues.push({ path, message: expr });
      return whole;
    }
    if (!cluster) return '';
    const r = evaluate(expr, cluster);
    if ('missing' in r) {
      issues.push({ path, message: r.missing });
      return whole;
    }
    return r.value;
  });
  // An opening brace pair left after substitution has no closing pair.
  const stripped = text.replace(REFERENCE, '');
  if (stripped.includes('{{')) issues.push({ path, message: 'unclosed "{{": every reference needs a closing "}}"' });
  return out;
}

function walk(value: unknown, path: string, cluster: TemplateCluster | undefined, issues: TemplateIssue[]): unknown {
  if (typeof value === 'string') return renderString(value, path, cluster, issues);
  if (Array.isArray(value)) return value.map((v, i) => walk(v, join(path, String(i)), cluster, issues));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = walk(v, join(path, k), cluster, issues);
    return out;
  }
  return value;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/**
 * Expands every reference in `value` for one cluster.
 * @throws TemplateRenderError naming the cluster and every failing path.
 */
export function renderTemplate<T>(value: T, cluster: TemplateCluster, path = ''): T {
  const issues: TemplateIssue[] = [];
  const out = walk(value, path, cluster, issues) as T;
  if (issues.length) throw new TemplateRenderError(cluster.name, issues);
  return out;
}

/**
 * Syntax check without a cluster: malformed references and unknown filters, as field errors for
 * validation at write time (missing labels can only be found per cluster, at render time).
 */
export function templateSyntaxErrors(value: unknown, path: string): FieldError[] {
  const issues: TemplateIssue[] = [];
  walk(value, path, undefined, issues);
  return issues;
}

/** The cluster as templates see it, from a Cluster resource's labels, annotations and claims. */
export function templateClusterOf(resource: {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  status?: unknown;
}): TemplateCluster {
  const claims: Record<string, string> = {};
  const list = (resource.status as { claims?: { name: string; value: string }[] } | undefined)?.claims ?? [];
  for (const c of list) claims[c.name] = c.value;
  return { name: resource.metadata.name, labels: resource.metadata.labels ?? {}, annotations: resource.metadata.annotations ?? {}, claims };
}
