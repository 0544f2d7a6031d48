import { MARK_ANNOTATION } from '../sim/sim-agent.js';
import type { WriteClass } from './b8-writes.js';
import { API } from './rollout.js';

/**
 * B12's pure parts: the objects it puts on the source cluster, the two SyncRules, and the sorting
 * of the hub's write items (booked by port call, bench/write-ledger.ts) into what a source change
 * costs once, the fan-out to the destinations, the destinations' status, and the background.
 */

/** The rule that syncs one Secret from the source to every other cluster. */
export const SECRET_RULE = 'b12-secret';
/** The rule of the idle check: 100 ConfigMaps from the source to a few clusters. */
export const BULK_RULE = 'b12-bulk';
/** The synced Secret (namespace `default`, which every cluster has). */
export const SECRET_NAME = 'b12-secret';
/** Hub label of the source cluster. */
export const SOURCE_LABEL = 'b12-role';
/** Hub label of the clusters that receive the bulk rule (through a Placement of that name). */
export const BULK_LABEL = 'b12-bulk';

/** A window's write items by class. */
export interface SyncWriteClasses {
  /** Landing the source's report: the stored object, the source's state item, the inventory entry. */
  report: WriteClass;
  /**
   * Revision bumps: one per destination whose objects changed (the `sync.bump-destinations`
   * fan-out), plus the source's own when its digest changed (the ledger cannot tell them apart:
   * both are `heads.bumpRevision`).
   */
  bumps: WriteClass;
  /** Destination status items (`SyncDestinationState`), written only when a destination's state changed. */
  destinationStatus: WriteClass;
  /** What a polling fleet writes anyway: heartbeat batches and lease renewals. */
  background: WriteClass;
  /** Anything else (shown so that nothing is hidden). */
  other: WriteClass;
}

/** The class of one port call label. */
export function syncWriteClassOf(label: string): keyof SyncWriteClasses {
  if (/ (SyncObject|SyncSourceState)$/.test(label) || label.startsWith('relations.')) return 'report';
  if (label === 'heads.bumpRevision') return 'bumps';
  if (/ SyncDestinationState$/.test(label)) return 'destinationStatus';
  if (label.startsWith('heartbeats.') || label === 'heads.renewLease') return 'background';
  return 'other';
}

/** Sorts write items by port call into classes. */
export function classifySyncWrites(items: Record<string, number>): SyncWriteClasses {
  const empty = (): WriteClass => ({ total: 0, byCall: {} });
  const out: SyncWriteClasses = { report: empty(), bumps: empty(), destinationStatus: empty(), background: empty(), other: empty() };
  for (const [label, n] of Object.entries(items).sort(([a], [b]) => a.localeCompare(b))) {
    const c = out[syncWriteClassOf(label)];
    c.total += n;
    c.byCall[label] = n;
  }
  return out;
}

/** The synced Secret as `kubectl apply` would write it on the source, carrying `mark`. */
export function sourceSecret(mark: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: SECRET_NAME, namespace: 'default', annotations: { [MARK_ANNOTATION]: mark } },
    type: 'Opaque',
    data: { token: Buffer.from(`registry token ${mark}`).toString('base64') },
  };
}

/** The i-th (0-based) ConfigMap of the bulk rule, labelled so that the rule narrows its list on the server. */
export function bulkConfigMap(i: number, mark: string): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: `b12-bulk-${String(i).padStart(3, '0')}`,
      namespace: 'default',
      labels: { [BULK_LABEL]: 'true' },
      annotations: { [MARK_ANNOTATION]: mark },
    },
    data: { index: String(i), owner: 'platform' },
  };
}

/** The rule syncing {@link SECRET_NAME} from the source to every other cluster (no placement: all of them). */
export function secretRule(): Record<string, unknown> {
  return {
    apiVersion: API,
    kind: 'SyncRule',
    metadata: { name: SECRET_RULE },
    spec: {
      resource: { version: 'v1', kind: 'Secret' },
      rules: [
        {
          match: [{ objectKey: { namespace: 'default', name: SECRET_NAME } }],
          mutations: { labels: { add: { 'tether.dev/synced': 'true' } } },
        },
      ],
      sources: { clusterSelector: { matchLabels: { [SOURCE_LABEL]: 'source' } } },
    },
  };
}

/** The rule of the idle check: every ConfigMap labelled {@link BULK_LABEL} to the Placement's clusters. */
export function bulkRule(): Record<string, unknown> {
  return {
    apiVersion: API,
    kind: 'SyncRule',
    metadata: { name: BULK_RULE },
    spec: {
      resource: { version: 'v1', kind: 'ConfigMap' },
      rules: [{ match: [{ namespaces: ['default'], labels: [{ matchLabels: { [BULK_LABEL]: 'true' } }] }] }],
      sources: { clusterSelector: { matchLabels: { [SOURCE_LABEL]: 'source' } } },
      placementRef: { name: BULK_RULE },
    },
  };
}
