import { rollUpCompliance } from '../../../shared/resources/policy.js';
import type { Resource } from '../../../shared/resources/meta.js';
import type { Authorizer } from '../../core/authz/authorizer.js';
import type { ComplianceReportData } from './reports/report-data.js';

/**
 * Compliance answers cut to the caller's cluster sets (docs/tenancy.md): a record about a cluster
 * is shown only when the caller may read that cluster, a policy only when it may read the policy,
 * and a policy's roll-up is recomputed over the rows that remain, so no state of a cluster outside
 * the caller's sets leaks through an aggregate.
 */

/** Keeps the records whose cluster the caller may read. */
export async function visibleByCluster<T extends { cluster: string }>(authz: Authorizer, items: readonly T[]): Promise<T[]> {
  const keep = await Promise.all(items.map((i) => authz.admitsCluster('get', 'Cluster', i.cluster)));
  return items.filter((_, n) => keep[n]);
}

/** A report's data cut to what the caller may read. */
export async function scopeReport(
  authz: Authorizer,
  data: ComplianceReportData,
  policies: readonly Pick<Resource, 'kind' | 'metadata' | 'spec' | 'status'>[],
): Promise<ComplianceReportData> {
  const readable = new Set<string>();
  for (const p of policies) if (await authz.admitsObject('get', p)) readable.add(p.metadata.name);
  const rows = (await visibleByCluster(authz, data.rows)).filter((r) => readable.has(r.policy));
  const events = await visibleByCluster(authz, data.events);
  return {
    ...data,
    policies: data.policies
      .filter((p) => readable.has(p.name))
      .map((p) => {
        const { compliant: _, ...rest } = p;
        const rolled = rollUpCompliance(rows.filter((r) => r.policy === p.name).map((r) => r.compliance));
        return rolled === undefined ? rest : { ...rest, compliant: rolled };
      }),
    rows,
    events,
  };
}
