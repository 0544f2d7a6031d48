import { stringify } from 'yaml';
import type { Resource } from '../../shared/resources/meta.js';
import { age } from './age.js';
import { conditionTone, type Painter } from './color.js';
import { conditionsOf, field, formatLabels, NONE } from './columns.js';
import { describePolicySetSpec, describePolicySpec, describePolicyStatus } from './describe-policy.js';
import { describeSyncRuleSpec, describeSyncRuleStatus } from './describe-syncrule.js';
import { indent, keyValues, timeWithAge, type Pair } from './describe-text.js';
import { renderTable } from './table.js';
import { redactSecrets } from '../../shared/redaction.js';
import { WellKnownClaims } from '../../shared/protocol/v1.js';
import { clusterFeatures } from '../../shared/cluster-features.js';

export { indent, keyValues } from './describe-text.js';

/**
 * `tether describe`: one object for a person to read. Metadata as aligned key/value lines, the
 * spec as YAML, kind-specific status lines, then conditions as a table with ages.
 */

/** What describing needs besides the object. */
export interface DescribeContext {
  now: Date;
  paint: Painter;
}

/** Kind-specific status lines and extra sections; kinds without an entry print their status as YAML. */
const STATUS_DESCRIBERS: Record<string, (o: Resource, ctx: DescribeContext) => string> = {
  Cluster: describeClusterStatus,
  ClusterSet: (o) => keyValues([['Members', String(field<number>(o.status, 'memberCount') ?? NONE)]], '  ', 'Status:'),
  Work: describeWorkStatus,
  Placement: describePlacementStatus,
  FleetDeployment: describeFleetDeploymentStatus,
  Policy: describePolicyStatus,
  PolicySet: describePolicyStatus,
  SyncRule: describeSyncRuleStatus,
};

/**
 * Kind-specific spec sections; kinds without an entry print their spec as YAML. A work's spec is
 * summarised, one line per manifest: its YAML can run to megabytes and hold Secret values. A
 * policy's is summarised too, one line per template (`tether get policy NAME -o yaml` has it all).
 */
const SPEC_DESCRIBERS: Record<string, (o: Resource, ctx: DescribeContext) => string> = {
  Work: describeWorkSpec,
  Policy: describePolicySpec,
  PolicySet: describePolicySetSpec,
  SyncRule: describeSyncRuleSpec,
};

/**
 * Renders the whole description, ending with a newline. `related` holds sections about other
 * objects (a cluster's works, a set's members), fetched by the caller and printed last.
 */
export function describeResource(shown: Resource, ctx: DescribeContext, related = ''): string {
  // A description is for reading, like a list: Secret values are hidden by the hub's one rule
  // (shared/redaction.ts); `tether get KIND NAME -o yaml` returns the object whole.
  const object = redactSecrets(shown);
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
  const specDescriber = SPEC_DESCRIBERS[object.kind];
  sections.push(specDescriber ? specDescriber(object, ctx) : yamlSection('Spec', object.spec));
  const statusDescriber = STATUS_DESCRIBERS[object.kind];
  if (statusDescriber) sections.push(statusDescriber(object, ctx));
  else sections.push(yamlSection('Status', withoutConditions(object.status)));
  sections.push(conditionsSection(object, ctx));
  sections.push(related);
  return sections.filter((s) => s !== '').join('');
}

/** Default heartbeat flush interval of the hub (seconds): how long a heartbeat may wait to be written. */
const HEARTBEAT_FLUSH_SECONDS = 10;

/**
 * The last heartbeat, with how far behind it may be: the hub records a live agent's heartbeat at
 * most every half lease and writes it within its flush interval, so a healthy cluster reads up to
 * that old (docs/lifecycle.md, Last seen).
 */
function lastSeenLine(o: Resource, ctx: DescribeContext): string {
  const seen = field<string>(o.status, 'lastSeen');
  if (!seen) return 'never';
  const lease = field<number>(o.spec, 'leaseDurationSeconds') ?? 60;
  return `${timeWithAge(seen, ctx.now)}  last heartbeat; a live agent's is up to ${Math.ceil(lease / 2) + HEARTBEAT_FLUSH_SECONDS}s old (every half lease, written within ${HEARTBEAT_FLUSH_SECONDS}s)`;
}

/** `name`, or `name (k=v,...)` with the ClusterFeature's labels, from claims and hub labels. */
function featuresText(o: Resource): string {
  const features = [...clusterFeatures({ metadata: o.metadata, status: o.status as { claims?: { name: string; value: string }[] } })];
  if (!features.length) return NONE;
  return features
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, labels]) => (Object.keys(labels).length ? `${name} (${formatLabels(labels)})` : name))
    .join(', ');
}

function describeClusterStatus(o: Resource, ctx: DescribeContext): string {
  const s = o.status;
  const claims = field<Array<{ name: string; value: string }>>(s, 'claims') ?? [];
  // Registry metadata the agent measures (claims), where people look for it first.
  const claim = (name: string) => claims.find((c) => c.name === name)?.value || NONE;
  const pairs: Pair[] = [
    ['Phase', field<string>(s, 'phase') ?? NONE],
    ['Kubernetes', field<string>(s, 'version', 'kubernetes') ?? NONE],
    ['Agent Version', field<string>(s, 'agentVersion') ?? NONE],
    ['Last Seen', lastSeenLine(o, ctx)],
    ['Provider', claim(WellKnownClaims.provider)],
    ['Distribution', claim(WellKnownClaims.distribution)],
    ['Region', claim(WellKnownClaims.region)],
    ['Zones', claim(WellKnownClaims.zones)],
    ['Kubelet Versions', claim(WellKnownClaims.kubeletVersions)],
    ['Features', featuresText(o)],
  ];
  const sets = field<string[]>(s, 'clusterSets') ?? [];
  let out = keyValues(pairs, '  ', 'Status:');
  out += 'Claims:\n';
  out += claims.length
    ? indent(
        renderTable(
          ['NAME', 'VALUE'],
          claims.map((c) => [String(c.name), String(c.value)]),
          ctx.paint,
        ),
        '  ',
      )
    : `  ${NONE}\n`;
  out += `ClusterSets:\n  ${sets.length ? sets.join(', ') : NONE}\n`;
  const taints = field<Array<{ key: string; value?: string; effect: string; timeAdded?: string }>>(o.spec, 'taints') ?? [];
  out += 'Taints:\n';
  out += taints.length
    ? indent(
        renderTable(
          ['KEY', 'VALUE', 'EFFECT', 'AGE'],
          taints.map((t) => [t.key, t.value || NONE, t.effect, t.timeAdded ? age(t.timeAdded, ctx.now) : NONE]),
          ctx.paint,
        ),
        '  ',
      )
    : `  ${NONE}\n`;
  return out;
}

function describeFleetDeploymentStatus(o: Resource, ctx: DescribeContext): string {
  const s = o.status;
  const summary = field<Record<string, number>>(s, 'summary');
  const last = field<string>(s, 'lastWaveTime');
  const paused = field<string>(s, 'pausedReason');
  let out = keyValues(
    [
      ['State', `${field<string>(s, 'state') ?? 'Pending'}${paused ? ` (${paused})` : ''}`],
      ['Revision', String(field<number>(s, 'revision') ?? NONE)],
      ['Observed Generation', String(field<number>(s, 'observedGeneration') ?? NONE)],
      ['Waves', String(field<number>(s, 'waves') ?? 0)],
      ['Last Wave', last ? timeWithAge(last, ctx.now) : 'never'],
    ],
    '  ',
    'Status:',
  );
  const keys = ['total', 'updated', 'applied', 'available', 'degraded', 'failed', 'pendingWindow', 'templateErrors'];
  out += 'Summary:\n';
  out += summary
    ? indent(
        renderTable(
          keys.map((k) => (k === 'pendingWindow' ? 'PENDING-WINDOW' : k === 'templateErrors' ? 'TEMPLATE-ERRORS' : k)),
          [keys.map((k) => String(summary[k] ?? 0))],
          ctx.paint,
        ),
        '  ',
      )
    : `  ${NONE}\n`;
  const groups =
    field<Array<{ name: string; total: number; updated: number; available: number; failed: number; state: string; mandatory?: boolean }>>(
      s,
      'groups',
    ) ?? [];
  out += 'Groups:\n';
  out += groups.length
    ? indent(
        renderTable(
          ['NAME', 'STATE', 'UPDATED', 'AVAILABLE', 'FAILED', 'MANDATORY'],
          groups.map((g) => [
            g.name,
            g.state,
            `${g.updated}/${g.total}`,
            String(g.available),
            g.failed > 0 ? { text: String(g.failed), tone: 'bad' as const } : '0',
            g.mandatory ? 'yes' : 'no',
          ]),
          ctx.paint,
        ),
        '  ',
      )
    : `  ${NONE}\n`;
  const problems = field<Array<{ cluster: string; reason: string; message: string }>>(s, 'clusters') ?? [];
  const omitted = field<number>(s, 'clustersOmitted') ?? 0;
  out += 'Clusters With Errors:\n';
  if (!problems.length) return `${out}  ${NONE}\n`;
  out += indent(
    renderTable(
      ['CLUSTER', 'REASON', 'MESSAGE'],
      problems.map((p) => [p.cluster, p.reason, p.message]),
      ctx.paint,
    ),
    '  ',
  );
  if (omitted > 0) out += `  ... and ${omitted} more\n`;
  return out;
}

interface ManifestShape {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
}

interface ConditionShape {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

function objectRef(kind: string | undefined, namespace: string | undefined, name: string | undefined): string {
  return `${kind ?? '?'} ${namespace ? `${namespace}/` : ''}${name ?? '?'}`;
}

function describeWorkSpec(o: Resource, ctx: DescribeContext): string {
  const manifests = field<ManifestShape[]>(o.spec, 'workload', 'manifests') ?? [];
  const configs = field<unknown[]>(o.spec, 'manifestConfigs') ?? [];
  const policy = field<string>(o.spec, 'deleteOption', 'propagationPolicy') ?? 'Foreground';
  let out = keyValues(
    [
      ['Manifests', String(manifests.length)],
      ['Manifest Configs', String(configs.length)],
      ['Delete Policy', policy],
    ],
    '  ',
    'Spec:',
  );
  if (manifests.length) {
    const rows = manifests.map((m) => [objectRef(m.kind, m.metadata?.namespace, m.metadata?.name), m.apiVersion ?? NONE]);
    out += indent(renderTable(['MANIFEST', 'API VERSION'], rows, ctx.paint), '  ');
  }
  return out;
}

function conditionStatus(conditions: ConditionShape[] | undefined, type: string) {
  const c = conditions?.find((x) => x.type === type);
  return c ? { text: c.status, tone: conditionTone(c.status) } : { text: NONE };
}

function describeWorkStatus(o: Resource, ctx: DescribeContext): string {
  const s = o.status;
  const observed = field<number>(s, 'observedGeneration');
  const generation = o.metadata.generation;
  const observedText =
    observed === undefined
      ? 'not reported yet'
      : observed === generation
        ? String(observed)
        : `${observed} (the agent has not reported generation ${generation} yet)`;
  const last = field<string>(s, 'lastReportTime');
  let out = keyValues(
    [
      ['Observed Generation', observedText],
      ['Last Report', last ? timeWithAge(last, ctx.now) : 'never'],
    ],
    '  ',
    'Status:',
  );
  const manifests =
    field<
      Array<{
        resourceMeta: ManifestShape['metadata'] & { kind?: string };
        conditions?: ConditionShape[];
        statusFeedback?: { values?: Array<{ name: string; value: unknown }> };
      }>
    >(s, 'resourceStatus', 'manifests') ?? [];
  out += 'Manifests:\n';
  if (!manifests.length) {
    out += `  ${NONE}\n`;
  } else {
    const rows = manifests.map((m) => [
      objectRef(m.resourceMeta?.kind, m.resourceMeta?.namespace, m.resourceMeta?.name),
      conditionStatus(m.conditions, 'Applied'),
      conditionStatus(m.conditions, 'Available'),
      conditionStatus(m.conditions, 'Degraded'),
      (m.statusFeedback?.values ?? [])
        .map((v) => `${v.name}=${typeof v.value === 'string' ? v.value : JSON.stringify(v.value)}`)
        .join(', ') || NONE,
    ]);
    out += indent(renderTable(['RESOURCE', 'APPLIED', 'AVAILABLE', 'DEGRADED', 'FEEDBACK'], rows, ctx.paint), '  ');
    // What needs a person's attention: every manifest condition that is not as it should be.
    const problems: string[] = [];
    for (const m of manifests) {
      for (const c of m.conditions ?? []) {
        const bad = c.type === 'Degraded' ? c.status === 'True' : c.status !== 'True';
        if (bad)
          problems.push(
            `${objectRef(m.resourceMeta?.kind, m.resourceMeta?.namespace, m.resourceMeta?.name)}: ${c.type}=${c.status} ${c.reason ?? ''}${c.message ? `: ${c.message}` : ''}`,
          );
      }
    }
    if (problems.length) out += `Manifest Problems:\n${problems.map((p) => `  ${p}`).join('\n')}\n`;
  }
  const drift =
    field<Array<{ kind: string; namespace?: string; name: string; change: string; fields?: string[]; corrected?: boolean; time: string }>>(
      s,
      'driftEvents',
    ) ?? [];
  out += 'Drift Events:\n';
  if (!drift.length) {
    out += `  ${NONE}\n`;
  } else {
    // Newest first, as a person reads an event list.
    const rows = [...drift]
      .reverse()
      .map((d) => [
        `${age(d.time, ctx.now)} ago`,
        objectRef(d.kind, d.namespace, d.name),
        d.change,
        d.corrected ? 'yes' : { text: 'no', tone: 'warn' as const },
        (d.fields ?? []).join(', ') || NONE,
      ]);
    out += indent(renderTable(['WHEN', 'RESOURCE', 'CHANGE', 'CORRECTED', 'FIELDS'], rows, ctx.paint), '  ');
  }
  return out;
}

function describePlacementStatus(o: Resource, ctx: DescribeContext): string {
  const s = o.status;
  const wanted = field<number>(o.spec, 'numberOfClusters');
  const selected = field<number>(s, 'numberOfSelectedClusters') ?? 0;
  const last = field<string>(s, 'lastRecomputeTime');
  let out = keyValues(
    [
      ['Selected Clusters', wanted === undefined ? String(selected) : `${selected} of ${wanted} requested`],
      ['Observed Generation', String(field<number>(s, 'observedGeneration') ?? NONE)],
      ['Last Recompute', last ? timeWithAge(last, ctx.now) : 'never'],
    ],
    '  ',
    'Status:',
  );
  const groups = field<Array<{ decisionGroupIndex: number; decisionGroupName: string; clusterCount: number }>>(s, 'decisionGroups') ?? [];
  out += 'Decision Groups:\n';
  out += groups.length
    ? indent(
        renderTable(
          ['INDEX', 'NAME', 'CLUSTERS'],
          groups.map((g) => [String(g.decisionGroupIndex), g.decisionGroupName || NONE, String(g.clusterCount)]),
          ctx.paint,
        ),
        '  ',
      )
    : `  ${NONE}\n`;
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
