import type { Resource } from '../../shared/resources/meta.js';
import type { SyncDestinationStatus, SyncRuleSpec, SyncRuleStatus, SyncSourceStatus } from '../../shared/resources/sync-rule.js';
import { age } from './age.js';
import { field, NONE } from './columns.js';
import type { DescribeContext } from './describe.js';
import { indent, keyValues, type Pair } from './describe-text.js';
import { renderTable } from './table.js';

/**
 * The spec and status sections of `tether describe syncrule`: what the rule copies, from where to
 * where, then its sources (Ok, Blocked, Unknown while silent, Conflict), its destinations (not
 * Synced first, as the hub orders them), the objects two sources both offer and the first reasons.
 * Everything comes from the rule's read-time status: no further request.
 */

type Tone = 'good' | 'warn' | 'bad' | undefined;

const SOURCE_TONE: Record<string, Tone> = { Ok: 'good', Blocked: 'bad', Unknown: 'warn', Conflict: 'warn' };
const DEST_TONE: Record<string, Tone> = { Synced: 'good', Conflict: 'bad', Blocked: 'bad', Pending: 'warn', OptedOut: undefined };

function gvk(g: { group?: string; version?: string; kind?: string } | undefined): string {
  if (!g) return NONE;
  return `${g.kind ?? '?'} (${g.group ? `${g.group}/` : ''}${g.version ?? '?'})`;
}

/** The spec in a few lines (the YAML is in `tether get syncrule NAME -o yaml`). */
export function describeSyncRuleSpec(o: Resource): string {
  const spec = (o.spec ?? {}) as Partial<SyncRuleSpec>;
  const sources: SyncRuleSpec['sources'] = spec.sources ?? {};
  const from: string[] = [];
  if (sources.clusterSelector) from.push(`clusters matching ${JSON.stringify(sources.clusterSelector)}`);
  if (sources.clusterSets?.length) from.push(`members of ${sources.clusterSets.join(', ')}`);
  if (sources.clusterFeatureMatch?.length)
    from.push(
      `with feature ${sources.clusterFeatureMatch.map((f) => f.featureName + (f.matchLabels ? ` ${JSON.stringify(f.matchLabels)}` : '')).join(' or ')}`,
    );
  const entries = spec.rules ?? [];
  const pairs: Pair[] = [
    ['Resource', gvk(spec.resource)],
    ['Sources', from.length ? from.join(', and ') : NONE],
    [
      'Destinations',
      spec.placementRef
        ? `placement ${spec.placementRef.name}`
        : sources.clusterSets?.length
          ? `every member of ${sources.clusterSets.join(', ')}`
          : 'every cluster',
    ],
    [
      'Entries',
      entries.map(
        (e, i) =>
          `${i + 1}: ${e.match?.length ? `${e.match.length} match(es)` : 'every object'}${e.mutations ? `, mutations: ${Object.keys(e.mutations).join(', ')}` : ''}`,
      ),
    ],
    ['Conflict Policy', String(spec.conflictPolicy ?? 'Abort')],
    ['Delete Policy', String(spec.deletePolicy ?? 'Propagate')],
  ];
  if (spec.suspend) pairs.push(['Suspended', 'yes (copies stay where they are)']);
  return keyValues(pairs, '  ', 'Spec:');
}

/** Summary, sources, destinations, conflicts and reasons. */
export function describeSyncRuleStatus(o: Resource, ctx: DescribeContext): string {
  const s = (o.status ?? {}) as SyncRuleStatus;
  const sum = s.summary ?? {};
  let out = keyValues(
    [
      ['Sources', String(sum.sources ?? 0)],
      ['Objects', String(sum.objects ?? 0)],
      ['Synced', `${sum.synced ?? 0}/${sum.destinations ?? 0} destinations`],
      ['Conflict', String(sum.conflict ?? 0)],
      ['Blocked', String(sum.blocked ?? 0)],
      ['Pending', String(sum.pending ?? 0)],
      ['Opted Out', String(sum.optedOut ?? 0)],
    ],
    '  ',
    'Status:',
  );
  const when = (t: string | undefined) => (t ? `${age(t, ctx.now)} ago` : NONE);
  const sources = (s.sources ?? []) as SyncSourceStatus[];
  out += 'Sources:\n';
  out += sources.length
    ? indent(
        renderTable(
          ['CLUSTER', 'STATE', 'OBJECTS', 'REPORTED', 'REASON'],
          sources.map((x) => [
            x.cluster,
            { text: x.state, tone: SOURCE_TONE[x.state] },
            String(x.objects ?? NONE),
            when(x.lastReported),
            x.reason ?? '',
          ]),
          ctx.paint,
        ),
        '  ',
      )
    : `  ${NONE}\n`;
  const destinations = (s.destinations ?? []) as SyncDestinationStatus[];
  out += 'Destinations (not Synced first):\n';
  out += destinations.length
    ? indent(
        renderTable(
          ['CLUSTER', 'STATE', 'OBJECTS', 'SYNCED', 'CONFLICTS', 'BLOCKED', 'REPORTED'],
          destinations.map((d) => [
            d.cluster,
            { text: d.state, tone: DEST_TONE[d.state] },
            String(d.objects ?? NONE),
            String(d.synced ?? NONE),
            String(d.conflicts ?? NONE),
            String(d.blocked ?? NONE),
            when(d.lastReported),
          ]),
          ctx.paint,
        ),
        '  ',
      )
    : `  ${NONE}\n`;
  if ((sum.destinations ?? 0) + (sum.optedOut ?? 0) > destinations.length) {
    out += `  ... and ${(sum.destinations ?? 0) + (sum.optedOut ?? 0) - destinations.length} more\n`;
  }
  const conflicts = field<{ object: string; kept: string; ignored: string[] }[]>(s, 'conflicts') ?? [];
  if (conflicts.length) {
    out += 'Conflicts (the first source is kept):\n';
    out += conflicts.map((c) => `  ${c.object}: kept from ${c.kept}, ignored from ${c.ignored.join(', ')}\n`).join('');
  }
  const reasons = destinations.flatMap((d) => (d.reasons ?? []).map((r) => `  ${d.cluster}: ${r}\n`));
  if (reasons.length) out += `Reasons:\n${reasons.join('')}`;
  return out;
}
