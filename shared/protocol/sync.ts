import { z } from 'zod';
import { canonicalHash, sha256Hex } from '../hash.js';
import {
  GroupVersionKindSchema,
  SyncDestinationStates,
  SyncMatchSchema,
  ConflictPolicies,
  DeletePolicies,
} from '../resources/sync-rule.js';

/**
 * Resource sync over the agent protocol (v1). Everything goes out over the agents' HTTPS calls; no
 * cluster ever holds another cluster's credentials.
 *
 * Source side (level-triggered, changes only):
 * 1. A source cluster's desired state lists the rules it is a source of ({@link DesiredSyncSource}),
 *    each with `digest`: the hub's digest ({@link syncDigest}) of what it holds from this cluster
 *    for the rule ('' when nothing).
 * 2. On each resync the agent lists the matching objects, hashes each ({@link syncObjectHash}) and
 *    computes the digest of its own set. Equal digests: nothing to send. An idle source sends nothing.
 * 3. Otherwise it POSTs `/agent/v1/sync` ({@link SyncReport}) with its full `inventory` (keys and
 *    hashes) and the objects it knows changed since its last accepted report. The hub deletes what
 *    is not in the inventory, stores the objects given, and answers ({@link SyncReportResponse}) the
 *    keys whose object it still needs (after an agent restart, for example); the agent sends those
 *    in further reports, in batches within the body limit. The hub bumps the source's revision when
 *    its digest changes, so the next poll carries the new digest.
 *
 * Destination side: a destination cluster's desired state carries the rules it receives
 * ({@link DesiredSyncDestinationRule}) and the objects, mutated, ready to apply
 * ({@link DesiredSyncObject}). The agent applies with server-side apply (field manager
 * {@link SYNC_FIELD_MANAGER}) and stamps the origin annotations; it reports per-rule destination
 * status in its status report ({@link SyncDestinationReport}), hashed like the rest of the report
 * so that nothing is sent while nothing changes.
 */

/** Field manager of the destination agent's server-side apply. */
export const SYNC_FIELD_MANAGER = 'tether-sync';
/** Annotation on a copy: the source cluster's kube-system UID. */
export const ORIGIN_CLUSTER_ANNOTATION = 'sync.tether.dev/origin-cluster';
/** Annotation on a copy: the SyncRule that wrote it. */
export const ORIGIN_RULE_ANNOTATION = 'sync.tether.dev/rule';
/** Annotation on a copy: the source object's resourceVersion. */
export const ORIGIN_RESOURCE_VERSION_ANNOTATION = 'sync.tether.dev/source-resource-version';
/** Annotation on a destination object (`"true"`): never written by sync. */
export const SYNC_DISABLED_ANNOTATION = 'sync.tether.dev/disabled';
/** Hub label on a cluster: `<rule name>` or `all`: the cluster receives nothing from that rule (from any rule). */
export const SYNC_DISABLED_LABEL = 'sync.tether.dev/disabled';

/** Claim name prefix of a ClusterFeature the agent found: `feature.tether.dev/<featureName>`, value = JSON of its labels. */
export const FEATURE_CLAIM_PREFIX = 'feature.tether.dev/';
/** Hub label prefix that declares a feature without a ClusterFeature object: `feature.tether.dev/<featureName>=true`. */
export const FEATURE_LABEL_PREFIX = 'feature.tether.dev/';

/** Largest object (serialized JSON) one rule may sync. */
export const MAX_SYNC_OBJECT_BYTES = 256 * 1024;
/** Most objects one source may report for one rule. */
export const MAX_SYNC_OBJECTS_PER_SOURCE = 5000;
/** Most objects in one POST /agent/v1/sync (the agent batches by this and by MAX_SYNC_REPORT_BYTES). */
export const MAX_SYNC_REPORT_OBJECTS = 100;
/** Target upper bound of one POST /agent/v1/sync body. */
export const MAX_SYNC_REPORT_BYTES = 4 * 1024 * 1024;

/** Identifies an object within one rule on one source. `namespace` is '' for cluster-scoped kinds. */
export const SyncKeySchema = z.object({ namespace: z.string().max(63), name: z.string().min(1).max(253) }).strict();
export type SyncKey = z.infer<typeof SyncKeySchema>;

/** `namespace/name` (or `name` for a cluster-scoped object). */
export function syncKeyString(key: SyncKey): string {
  return key.namespace ? `${key.namespace}/${key.name}` : key.name;
}

/**
 * The hash of a source object as the agent reports it: its content without server-set metadata
 * (resourceVersion, uid, generation, managedFields, creationTimestamp, ownerReferences), without
 * `.status` unless `withStatus`. The agent computes it; the hub stores it.
 */
export function syncObjectHash(object: Record<string, unknown>, withStatus: boolean): string {
  const { status, metadata, ...rest } = object as { status?: unknown; metadata?: Record<string, unknown> };
  const m = { ...(metadata ?? {}) };
  for (const k of ['resourceVersion', 'uid', 'generation', 'managedFields', 'creationTimestamp', 'ownerReferences', 'selfLink'])
    delete m[k];
  return canonicalHash({ ...rest, metadata: m, ...(withStatus && status !== undefined ? { status } : {}) });
}

/** Digest of a set of (key, hash) entries: order-independent; '' for the empty set. */
export function syncDigest(entries: readonly { namespace: string; name: string; hash: string }[]): string {
  if (entries.length === 0) return '';
  const lines = entries.map((e) => `${e.namespace}/${e.name}=${e.hash}`).sort();
  return sha256Hex(lines.join('\n'));
}

/** One rule this cluster is a source of, as its desired state carries it. */
export const DesiredSyncSourceSchema = z.object({
  rule: z.string(),
  uid: z.string(),
  generation: z.number().int(),
  resource: GroupVersionKindSchema,
  /** The rule's entries' match lists (mutations stay on the hub). */
  match: z.array(z.array(SyncMatchSchema)),
  /** Whether `.status` is part of what is reported (any entry with syncStatus). */
  withStatus: z.boolean(),
  /** The hub's digest of what it holds from this cluster for this rule ('' when nothing). */
  digest: z.string(),
});
export type DesiredSyncSource = z.infer<typeof DesiredSyncSourceSchema>;

/** One rule this cluster receives objects from. */
export const DesiredSyncDestinationRuleSchema = z.object({
  rule: z.string(),
  uid: z.string(),
  conflictPolicy: z.enum(ConflictPolicies),
  deletePolicy: z.enum(DeletePolicies),
});
export type DesiredSyncDestinationRule = z.infer<typeof DesiredSyncDestinationRuleSchema>;

/** One object to apply on this destination: mutated on the hub, Secret data decrypted for this agent only. */
export const DesiredSyncObjectSchema = z.object({
  rule: z.string(),
  /** The source cluster's name on the hub. */
  sourceCluster: z.string(),
  /** The source cluster's kube-system UID (goes into the origin annotation). */
  originClusterId: z.string(),
  sourceResourceVersion: z.string(),
  /** Content hash of `object` (to skip unchanged applies). */
  hash: z.string(),
  /** The object to apply (apiVersion, kind, metadata.name/namespace, ...), origin annotations not yet set. */
  object: z.record(z.string(), z.unknown()),
});
export type DesiredSyncObject = z.infer<typeof DesiredSyncObjectSchema>;

/** The `sync` part of the desired state. */
export const DesiredSyncSchema = z.object({
  sources: z.array(DesiredSyncSourceSchema).default([]),
  destinationRules: z.array(DesiredSyncDestinationRuleSchema).default([]),
  objects: z.array(DesiredSyncObjectSchema).default([]),
});
export type DesiredSync = z.infer<typeof DesiredSyncSchema>;

const SyncInventoryEntrySchema = SyncKeySchema.extend({ hash: z.string().min(1).max(128) }).strict();

/** POST /agent/v1/sync: a source's report for one rule. */
export const SyncReportSchema = z
  .object({
    rule: z.string().min(1).max(63),
    uid: z.string().min(1).max(64),
    generation: z.number().int(),
    /** `Blocked`: the cluster does not serve the kind (reason says so); inventory then empty. */
    state: z.enum(['Ok', 'Blocked']),
    reason: z.string().max(1024).optional(),
    /** Every matching object's key and hash (the whole set, always). */
    inventory: z.array(SyncInventoryEntrySchema).max(MAX_SYNC_OBJECTS_PER_SOURCE),
    /** Objects (with their key's hash in `inventory`) the hub should store now. */
    objects: z
      .array(
        z.object({ resourceVersion: z.string().max(64), hash: z.string().max(128), object: z.record(z.string(), z.unknown()) }).strict(),
      )
      .max(MAX_SYNC_REPORT_OBJECTS)
      .default([]),
  })
  .strict();
export type SyncReport = z.infer<typeof SyncReportSchema>;

/** The hub's answer to a sync report. */
export const SyncReportResponseSchema = z.object({
  /** The hub's digest after this report. */
  digest: z.string(),
  /** Keys whose objects the hub does not hold at the inventory's hash: send them next. */
  need: z.array(SyncKeySchema),
  /** Objects the hub refused (too large, ...), with the reason; the agent does not resend them until they change. */
  rejected: z.array(SyncKeySchema.extend({ reason: z.string() })).default([]),
  /**
   * Set when the hub ignored the report as a whole, and why (the rule was deleted or recreated,
   * or is suspended): the agent's desired state is behind; it reports again once it is not.
   */
  ignored: z.string().optional(),
});
export type SyncReportResponse = z.infer<typeof SyncReportResponseSchema>;

/** Per-rule destination status in the status report (`syncDestinations`). */
export const SyncDestinationReportSchema = z
  .object({
    rule: z.string().min(1).max(63),
    uid: z.string().min(1).max(64),
    state: z.enum(SyncDestinationStates),
    objects: z.number().int().min(0),
    synced: z.number().int().min(0),
    conflicts: z.number().int().min(0),
    blocked: z.number().int().min(0),
    optedOut: z.number().int().min(0),
    /** At most 5, each at most 512 characters: `<namespace/name>: <why>`. */
    reasons: z.array(z.string().max(512)).max(5),
  })
  .strict();
export type SyncDestinationReport = z.infer<typeof SyncDestinationReportSchema>;
