import type { ClusterPolicyCompliance } from '../shared/compliance.js';
import type { Resource } from '../shared/resources/meta.js';
import { findKind } from '../shared/resources/kinds.js';
import type { ComplianceState } from '../shared/resources/policy.js';
import { clusterCompliance, policyCompliancePage } from './compliance-api.js';
import type { HubClient } from './hub-client.js';
import { age } from './output/age.js';
import { field, NONE } from './output/columns.js';
import { complianceCell, complianceTable, sortCompliance, STATE_ORDER, stateRank, stateText, violationLines } from './output/compliance.js';
import type { DescribeContext } from './output/describe.js';
import { indent } from './output/describe-text.js';
import { renderTable } from './output/table.js';

/**
 * The governance sections of `tether describe`: a policy's clusters with their violations
 * (non-compliant first, paging through `/v1/policies/{name}/compliance` one state at a time), a
 * policy set's policies, and a cluster's compliance with every policy that chooses it.
 */

/** Most clusters a policy's description lists (with their violations). */
export const POLICY_CLUSTERS_LIMIT = 50;
/** Most policies a cluster's description lists. */
export const CLUSTER_POLICIES_LIMIT = 20;
/** Largest page asked for at once. */
const PAGE = 100;

/**
 * Up to `limit` of a policy's clusters, non-compliant first: each state is read in its own pages
 * (the hub filters by `compliance=`), so the clusters that need attention come first however big
 * the fleet is. `more` says whether clusters were left out.
 */
export async function policyClusters(
  client: HubClient,
  policy: string,
  limit = POLICY_CLUSTERS_LIMIT,
): Promise<{ rows: ClusterPolicyCompliance[]; more: boolean }> {
  const rows: ClusterPolicyCompliance[] = [];
  let more = false;
  for (const state of STATE_ORDER) {
    let cursor: string | undefined;
    do {
      if (rows.length >= limit) {
        more = true;
        break;
      }
      const page = await policyCompliancePage(client, policy, {
        compliance: state,
        limit: Math.min(PAGE, limit - rows.length),
        continue: cursor,
      });
      rows.push(...page.items);
      cursor = page.continue;
    } while (cursor);
    if (more) break;
  }
  return { rows: sortCompliance(rows, 'cluster'), more };
}

/** Violations of each listed row that is not Compliant, one block per cluster (or policy). */
function violationBlocks(rows: readonly ClusterPolicyCompliance[], by: 'cluster' | 'policy', ctx: DescribeContext): string {
  let out = '';
  for (const c of rows) {
    const lines = violationLines(c, '    ', ctx.paint);
    if (!lines) continue;
    const state = stateText(c);
    const evaluated = c.evaluatedAt ? `, evaluated ${age(c.evaluatedAt, ctx.now)} ago` : '';
    out += `  ${by === 'cluster' ? c.cluster : c.policy} (${ctx.paint(state.text, state.tone)}${evaluated}):\n${lines}`;
  }
  return out;
}

/** The "Clusters" and "Violations" sections of a policy. */
async function policySections(client: HubClient, policy: Resource, ctx: DescribeContext): Promise<string> {
  const { rows, more } = await policyClusters(client, policy.metadata.name);
  let out = 'Clusters (non-compliant first):\n';
  if (!rows.length) return `${out}  ${NONE}\n`;
  out += indent(complianceTable(rows, 'cluster', ctx.now, ctx.paint), '  ');
  if (more) {
    const total = field<number>(policy.status, 'summary', 'clusters');
    // The roll-up counts the clusters; without it, say that there are more than shown.
    if (total === undefined) out += `  ... and more (the first ${rows.length} are shown)\n`;
    else if (total > rows.length) out += `  ... and ${total - rows.length} more\n`;
  }
  const blocks = violationBlocks(rows, 'cluster', ctx);
  out += `Violations:\n${blocks || `  ${NONE}\n`}`;
  return out;
}

/** The "Policies" section of a policy set: each listed policy with its roll-up, non-compliant first. */
async function policySetSection(client: HubClient, set: Resource, ctx: DescribeContext): Promise<string> {
  const info = findKind('policies');
  if (!info) return '';
  const names = new Set(field<string[]>(set.spec, 'policies') ?? []);
  // One listing rather than a request per member: a set may list hundreds of policies.
  const policies = (await client.listAll(info, { limit: 500 })).filter((p) => names.has(p.metadata.name));
  let out = 'Policies (non-compliant first):\n';
  if (!policies.length) return `${out}  ${NONE}\n`;
  const state = (p: Resource) => field<ComplianceState>(p.status, 'compliant');
  const count = (p: Resource, key: string) => String(field<number>(p.status, 'summary', key) ?? 0);
  const rows = policies
    .sort((a, b) => stateRank(state(a)) - stateRank(state(b)) || a.metadata.name.localeCompare(b.metadata.name))
    .map((p) => [
      p.metadata.name,
      complianceCell(state(p)),
      field<string>(p.spec, 'remediationAction') ?? 'inform',
      count(p, 'compliant'),
      Number(count(p, 'nonCompliant')) > 0 ? { text: count(p, 'nonCompliant'), tone: 'bad' as const } : '0',
      count(p, 'pending'),
      count(p, 'unknown'),
    ]);
  out += indent(
    renderTable(['NAME', 'COMPLIANCE', 'REMEDIATION', 'COMPLIANT', 'NONCOMPLIANT', 'PENDING', 'UNKNOWN'], rows, ctx.paint),
    '  ',
  );
  return out;
}

/** The "Compliance" section of a cluster: its policies, non-compliant first, with their violations. */
export async function clusterComplianceSection(client: HubClient, cluster: Resource, ctx: DescribeContext): Promise<string> {
  const items = await clusterCompliance(client, cluster.metadata.name);
  if (items === undefined) return `Compliance:\n  ${NONE} (this hub does not serve compliance)\n`;
  let out = 'Compliance (non-compliant first):\n';
  if (!items.length) return `${out}  ${NONE}\n`;
  const sorted = sortCompliance(items, 'policy');
  const shown = sorted.slice(0, CLUSTER_POLICIES_LIMIT);
  out += indent(complianceTable(shown, 'policy', ctx.now, ctx.paint), '  ');
  if (sorted.length > shown.length) {
    const hidden = sorted.slice(shown.length);
    const bad = hidden.filter((c) => c.compliance !== 'Compliant').length;
    out += `  ... and ${hidden.length} more${bad ? ` (${bad} not compliant)` : ''}\n`;
  }
  const blocks = violationBlocks(shown, 'policy', ctx);
  out += `Policy Violations:\n${blocks || `  ${NONE}\n`}`;
  return out;
}

/** Governance sections of an object, or '' for kinds without any. Hub errors propagate. */
export async function governanceSections(client: HubClient, object: Resource, ctx: DescribeContext): Promise<string> {
  switch (object.kind) {
    case 'Policy':
      return policySections(client, object, ctx);
    case 'PolicySet':
      return policySetSection(client, object, ctx);
    case 'Cluster':
      return clusterComplianceSection(client, object, ctx);
    default:
      return '';
  }
}
