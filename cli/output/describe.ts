import { stringify } from 'yaml';
import type { Resource } from '../../shared/resources/meta.js';
import { age } from './age.js';
import { conditionTone, type Painter } from './color.js';
import { conditionsOf, field, NONE } from './columns.js';
import { renderTable } from './table.js';

/**
 * `tether describe`: one object for a person to read. Metadata as aligned key/value lines, the
 * spec as YAML, kind-specific status lines, then conditions as a table with ages.
 */

/** What describing needs besides the object. */
export interface DescribeContext {
  now: Date;
  paint: Painter;
}

type Pair = [label: string, value: string | string[]];

/** Kind-specific status lines and extra sections; kinds without an entry print their status as YAML. */
const STATUS_DESCRIBERS: Record<string, (o: Resource, ctx: DescribeContext) => string> = {
  Cluster: describeClusterStatus,
  ClusterSet: (o) => keyValues([['Members', String(field<number>(o.status, 'memberCount') ?? NONE)]], '  ', 'Status:'),
};

/** Renders the whole description, ending with a newline. */
export function describeResource(object: Resource, ctx: DescribeContext): string {
  const m = object.metadata;
  const pairs: Pair[] = [
    ['Name', m.name],
    ...(m.namespace ? ([['Cluster', m.namespace]] as Pair[]) : []),
    ['Kind', object.kind],
    ['Labels', mapLines(m.labels)],
    ['Annotations', mapLines(m.annotations)],
    ['UID', m.uid ?? NONE],
    ['Resource Version', m.resourceVersion ?? NONE],
    ['Generation', m.generation === undefined ? NONE : String(m.generation)],
    ['Created', timeWithAge(m.creationTimestamp, ctx.now)],
  ];
  if (m.deletionTimestamp) pairs.push(['Deleting Since', timeWithAge(m.deletionTimestamp, ctx.now)]);
  if (m.finalizers?.length) pairs.push(['Finalizers', m.finalizers]);
  const sections = [keyValues(pairs, '')];
  sections.push(yamlSection('Spec', object.spec));
  const statusDescriber = STATUS_DESCRIBERS[object.kind];
  if (statusDescriber) sections.push(statusDescriber(object, ctx));
  else sections.push(yamlSection('Status', withoutConditions(object.status)));
  sections.push(conditionsSection(object, ctx));
  return sections.filter((s) => s !== '').join('');
}

function describeClusterStatus(o: Resource, ctx: DescribeContext): string {
  const s = o.status;
  const pairs: Pair[] = [
    ['Phase', field<string>(s, 'phase') ?? NONE],
    ['Kubernetes', field<string>(s, 'version', 'kubernetes') ?? NONE],
    ['Agent Version', field<string>(s, 'agentVersion') ?? NONE],
    ['Last Seen', field<string>(s, 'lastSeen') ? timeWithAge(field<string>(s, 'lastSeen'), ctx.now) : 'never'],
  ];
  const claims = field<Array<{ name: string; value: string }>>(s, 'claims') ?? [];
  const sets = field<string[]>(s, 'clusterSets') ?? [];
  let out = keyValues(pairs, '  ', 'Status:');
  out += 'Claims:\n';
  out += claims.length
    ? indent(renderTable(['NAME', 'VALUE'], claims.map((c) => [String(c.name), String(c.value)]), ctx.paint), '  ')
    : `  ${NONE}\n`;
  out += `ClusterSets:\n  ${sets.length ? sets.join(', ') : NONE}\n`;
  return out;
}

function conditionsSection(o: Resource, ctx: DescribeContext): string {
  const conditions = conditionsOf(o);
  if (!conditions.length) return `Conditions:\n  ${NONE}\n`;
  const rows = conditions.map((c) => [
    c.type,
    { text: c.status, tone: conditionTone(c.status) },
    c.reason || NONE,
    age(c.lastTransitionTime, ctx.now),
    c.message || '',
  ]);
  return `Conditions:\n${indent(renderTable(['TYPE', 'STATUS', 'REASON', 'AGE', 'MESSAGE'], rows, ctx.paint), '  ')}`;
}

/** Aligned `Label:  value` lines; list values continue on following lines under the first. */
function keyValues(pairs: Pair[], prefix: string, heading?: string): string {
  const width = Math.max(...pairs.map(([label]) => label.length)) + 2;
  const lines: string[] = heading ? [heading] : [];
  for (const [label, value] of pairs) {
    const values = Array.isArray(value) ? (value.length ? value : [NONE]) : [value];
    lines.push(`${prefix}${`${label}:`.padEnd(width)}${values[0]}`);
    for (const more of values.slice(1)) lines.push(`${prefix}${' '.repeat(width)}${more}`);
  }
  return `${lines.join('\n')}\n`;
}

function yamlSection(title: string, value: unknown): string {
  if (value === undefined || value === null) return `${title}:  ${NONE}\n`;
  if (typeof value === 'object' && Object.keys(value).length === 0) return `${title}:  ${NONE}\n`;
  return `${title}:\n${indent(stringify(value, { lineWidth: 0 }), '  ')}`;
}

function withoutConditions(status: unknown): unknown {
  if (status === null || typeof status !== 'object') return status;
  const { conditions: _conditions, ...rest } = status as Record<string, unknown>;
  return rest;
}

function mapLines(map: Record<string, string> | undefined): string[] {
  return Object.entries(map ?? {}).map(([k, v]) => `${k}=${v}`);
}

function timeWithAge(timestamp: string | undefined, now: Date): string {
  return timestamp ? `${timestamp} (${age(timestamp, now)} ago)` : NONE;
}

function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? line : by + line))
    .join('\n');
}
