import { formatSelector, type LabelSelector } from '../shared/labels.js';
import { CLUSTERSET_LABEL } from '../shared/resources/clusterset.js';
import { findKind } from '../shared/resources/kinds.js';
import type { Resource } from '../shared/resources/meta.js';
import { governanceSections } from './describe-governance.js';
import type { HubClient } from './hub-client.js';
import { age } from './output/age.js';
import { conditionCell, field, NONE } from './output/columns.js';
import type { DescribeContext } from './output/describe.js';
import { indent } from './output/describe.js';
import { renderTable } from './output/table.js';

/**
 * The "related objects" sections of `tether describe`: a cluster's works and their recent drift
 * events (and its compliance), a cluster set's members, a policy's clusters, a policy set's policies. Each costs one bounded request (one page of at most
 * {@link RELATED_LIMIT} items), so describing a cluster with thousands of works stays quick.
 */

/** Most related objects read and shown per section. */
export const RELATED_LIMIT = 20;
/** Most drift events shown for a cluster, newest first. */
export const DRIFT_LIMIT = 10;

interface DriftEvent {
  kind: string;
  namespace?: string;
  name: string;
  change: string;
  corrected?: boolean;
  time: string;
}

/** The related sections of one object, or '' for kinds without any. Hub errors propagate. */
export async function relatedSections(client: HubClient, object: Resource, ctx: DescribeContext): Promise<string> {
  switch (object.kind) {
    case 'Cluster':
      return (await clusterWorks(client, object, ctx)) + (await governanceSections(client, object, ctx));
    case 'ClusterSet':
      return clusterSetMembers(client, object, ctx);
    default:
      return governanceSections(client, object, ctx);
  }
}

async function clusterWorks(client: HubClient, cluster: Resource, ctx: DescribeContext): Promise<string> {
  const works = findKind('works');
  if (!works) return '';
  const page = await client.list(works, { cluster: cluster.metadata.name, limit: RELATED_LIMIT });
  let out = 'Works:\n';
  if (!page.items.length) {
    out += `  ${NONE}\n`;
  } else {
    const rows = page.items.map((w) => [
      w.metadata.name,
      conditionCell(w, 'Applied'),
      conditionCell(w, 'Available'),
      conditionCell(w, 'Degraded'),
      age(w.metadata.creationTimestamp, ctx.now),
    ]);
    out += indent(renderTable(['NAME', 'APPLIED', 'AVAILABLE', 'DEGRADED', 'AGE'], rows, ctx.paint), '  ');
    if (page.metadata.continue) out += `  ... and more: tether get works --cluster ${cluster.metadata.name}\n`;
  }
  const drift = page.items
    .flatMap((w) => (field<DriftEvent[]>(w.status, 'driftEvents') ?? []).map((d) => ({ work: w.metadata.name, ...d })))
    .sort((a, b) => Date.parse(b.time) - Date.parse(a.time));
  out += 'Drift Events:\n';
  if (!drift.length) return `${out}  ${NONE}\n`;
  const rows = drift
    .slice(0, DRIFT_LIMIT)
    .map((d) => [
      `${age(d.time, ctx.now)} ago`,
      d.work,
      `${d.kind} ${d.namespace ? `${d.namespace}/` : ''}${d.name}`,
      d.change,
      d.corrected ? 'yes' : { text: 'no', tone: 'warn' as const },
    ]);
  out += indent(renderTable(['WHEN', 'WORK', 'RESOURCE', 'CHANGE', 'CORRECTED'], rows, ctx.paint), '  ');
  if (drift.length > DRIFT_LIMIT) out += `  ... and ${drift.length - DRIFT_LIMIT} more\n`;
  return out;
}

/** The selector that picks a set's members, as the hub's list endpoint takes it ('' selects all). */
export function memberSelector(set: Resource): string {
  const type = field<string>(set.spec, 'clusterSelector', 'selectorType') ?? 'ExclusiveClusterSetLabel';
  if (type === 'ExclusiveClusterSetLabel') return `${CLUSTERSET_LABEL}=${set.metadata.name}`;
  return formatSelector(field<LabelSelector>(set.spec, 'clusterSelector', 'labelSelector'));
}

async function clusterSetMembers(client: HubClient, set: Resource, ctx: DescribeContext): Promise<string> {
  const clusters = findKind('clusters');
  if (!clusters) return '';
  const selector = memberSelector(set);
  const page = await client.list(clusters, { labelSelector: selector || undefined, limit: RELATED_LIMIT });
  let out = `Members (${selector || 'all clusters'}):\n`;
  if (!page.items.length) return `${out}  ${NONE}\n`;
  const rows = page.items.map((c) => [
    c.metadata.name,
    conditionCell(c, 'Available'),
    field<string>(c.status, 'version', 'kubernetes') ?? NONE,
  ]);
  out += indent(renderTable(['NAME', 'AVAILABLE', 'K8S'], rows, ctx.paint), '  ');
  if (page.metadata.continue) {
    // The set's status counts its members; without the count, say where to see the rest.
    const count = field<number>(set.status, 'memberCount');
    out +=
      count !== undefined && count > page.items.length
        ? `  ... and ${count - page.items.length} more\n`
        : `  ... and more: tether get clusters -l '${selector}'\n`;
  }
  return out;
}
