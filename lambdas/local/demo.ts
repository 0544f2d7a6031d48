import { AlreadyExistsError } from '../../shared/errors.js';
import { API_VERSION } from '../../shared/resources/meta.js';
import type { HubContext } from '../core/context.js';
import { parseDesired, ResourceService } from '../core/resource-service.js';

/**
 * The demo fleet of `tether dev --demo N`: retail stores spread over three regions, each in its own
 * time zone, labelled the way docs/rollouts.md expects (`fleet=retail`, `region`, `ring`,
 * `tether.dev/timezone`), so the guides run as written against it.
 */

/** The demo's regions, in turn, with the zone of their stores (label values hold `.` for `/`). */
export const DEMO_REGIONS = [
  { region: 'us-east', timeZone: 'America.New_York' },
  { region: 'us-west', timeZone: 'America.Los_Angeles' },
  { region: 'eu', timeZone: 'Europe.Berlin' },
] as const;

/** Names of the demo clusters: store-0001 ... */
export function demoClusterNames(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `store-${String(i + 1).padStart(4, '0')}`);
}

/** How many of `count` demo stores are canaries: the first tenth, at least one. */
export function demoCanaryCount(count: number): number {
  return Math.max(1, Math.ceil(count / 10));
}

/**
 * The documents of the demo fleet: `count` store clusters over three regions (round robin, each
 * store in its region's zone), the first tenth on the canary ring, and two cluster sets.
 */
export function demoDocuments(count: number): unknown[] {
  const docs: unknown[] = [
    {
      apiVersion: API_VERSION,
      kind: 'ClusterSet',
      metadata: { name: 'stores' },
      spec: { clusterSelector: { selectorType: 'ExclusiveClusterSetLabel' } },
    },
    {
      apiVersion: API_VERSION,
      kind: 'ClusterSet',
      metadata: { name: 'canary' },
      spec: { clusterSelector: { selectorType: 'LabelSelector', labelSelector: { matchLabels: { ring: 'canary' } } } },
    },
  ];
  const canaries = demoCanaryCount(count);
  for (const [index, name] of demoClusterNames(count).entries()) {
    const { region, timeZone } = DEMO_REGIONS[index % DEMO_REGIONS.length];
    docs.push({
      apiVersion: API_VERSION,
      kind: 'Cluster',
      metadata: {
        name,
        labels: {
          'tether.dev/clusterset': 'stores',
          fleet: 'retail',
          region,
          'tether.dev/timezone': timeZone,
          tier: 'store',
          ring: index < canaries ? 'canary' : 'main',
        },
      },
      spec: { hubAcceptsClient: true },
    });
  }
  return docs;
}

/**
 * Creates the demo objects that are absent and leaves every existing one exactly as it is: a
 * restart of `tether dev --demo N` on the same data directory never undoes what the user changed
 * (labels, acceptance, sets), so placements and rollouts built on those changes keep their stores.
 * An object the user deleted is absent, so it comes back.
 */
export async function applyDemoFleet(ctx: HubContext, count: number): Promise<{ created: number; existing: number }> {
  const service = new ResourceService(ctx);
  let created = 0;
  let existing = 0;
  for (const doc of demoDocuments(count)) {
    try {
      await service.create(parseDesired(doc), { decorate: false });
      created++;
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
      existing++;
    }
  }
  return { created, existing };
}
