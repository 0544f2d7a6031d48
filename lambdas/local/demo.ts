import { API_VERSION } from '../../shared/resources/meta.js';
import type { HubContext } from '../core/context.js';
import { parseDesired, ResourceService } from '../core/resource-service.js';

const REGIONS = ['us-east', 'us-west', 'eu-central'];

/** Names of the demo clusters: store-0001 ... */
export function demoClusterNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `store-${String(i + 1).padStart(4, '0')}`);
}

/** The documents of the demo fleet: `count` store clusters over three regions and a few sets. */
export function demoDocuments(count: number): unknown[] {
  const docs: unknown[] = [
    { apiVersion: API_VERSION, kind: 'ClusterSet', metadata: { name: 'stores' }, spec: { clusterSelector: { selectorType: 'ExclusiveClusterSetLabel' } } },
    {
      apiVersion: API_VERSION,
      kind: 'ClusterSet',
      metadata: { name: 'canary' },
      spec: { clusterSelector: { selectorType: 'LabelSelector', labelSelector: { matchLabels: { ring: 'canary' } } } },
    },
  ];
  for (const [index, name] of demoClusterNames(count).entries()) {
    const i = index + 1;
    docs.push({
      apiVersion: API_VERSION,
      kind: 'Cluster',
      metadata: {
        name,
        labels: {
          'tether.dev/clusterset': 'stores',
          region: REGIONS[(i - 1) % REGIONS.length],
          tier: 'store',
          ring: i <= Math.max(1, Math.ceil(count / 10)) ? 'canary' : 'main',
        },
      },
      spec: { hubAcceptsClient: true },
    });
  }
  return docs;
}

/** Applies the demo fleet (idempotent: existing objects are left unchanged). */
export async function applyDemoFleet(ctx: HubContext, count: number): Promise<{ created: number }> {
  const service = new ResourceService(ctx);
  let created = 0;
  for (const doc of demoDocuments(count)) {
    const out = await service.apply(parseDesired(doc), false);
    if (out.action === 'created') created++;
  }
  return { created };
}
