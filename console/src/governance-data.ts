import { apiPath, getJson, type Fetched } from './api.js';
import type { ClusterPolicyCompliance } from './model/governance.js';

/**
 * Reads of the hub's compliance routes. A page's continue token may sit at the top level or in
 * `metadata` (list-shaped answers), so both are followed.
 */

interface CompliancePage {
  items: ClusterPolicyCompliance[];
  continue?: string;
  metadata?: { continue?: string };
}

/** Most pages read per refresh (500 rows each): 20,000 clusters. */
const MAX_PAGES = 40;

/** Every cluster's current compliance with a policy (`GET /v1/policies/{name}/compliance`, all pages). */
export async function loadPolicyCompliance(policy: string): Promise<Fetched<ClusterPolicyCompliance[]>> {
  const items: ClusterPolicyCompliance[] = [];
  let changed = false;
  let cont: string | undefined;
  let pages = 0;
  do {
    const params = new URLSearchParams({ limit: '500', ...(cont ? { continue: cont } : {}) });
    const page = await getJson<CompliancePage>(`${apiPath('policies', policy, 'compliance')}?${params}`);
    changed ||= page.changed;
    items.push(...page.value.items);
    cont = page.value.continue || page.value.metadata?.continue || undefined;
    pages++;
  } while (cont && pages < MAX_PAGES);
  return { value: items, changed };
}

/** A cluster's compliance with each of its policies (`GET /v1/clusters/{name}/compliance`). */
export async function loadClusterCompliance(cluster: string): Promise<Fetched<ClusterPolicyCompliance[]>> {
  const page = await getJson<CompliancePage>(apiPath('clusters', cluster, 'compliance'));
  return { value: page.value.items, changed: page.changed };
}
