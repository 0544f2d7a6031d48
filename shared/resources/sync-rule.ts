import { z } from 'zod';
import { LabelSelectorSchema, LabelsSchema } from '../labels.js';
import { AGE_COLUMN, defineKind, LABELS_COLUMN } from './define-kind.js';
import { NameSchema } from './meta.js';

/**
 * SyncRule: keeps Kubernetes objects of one kind in sync between clusters, through the hub (after
 * the cluster-registry-controller's ResourceSyncRule, without its full mesh of kubeconfigs). Source
 * agents report the matching objects, the hub stores each once (Secret data encrypted), applies the
 * mutations and hands the result to the destinations in their desired state. Cluster-scoped, at
 * `/v1/syncrules/{name}`. The hub side lives in lambdas/capabilities/sync/, the agent side in
 * agent/sync/; the wire shapes in shared/protocol/sync.ts; docs/resource-sync.md describes it.
 */

export const ConflictPolicies = ['Abort', 'Overwrite'] as const;
export type ConflictPolicy = (typeof ConflictPolicies)[number];

export const DeletePolicies = ['Propagate', 'Orphan'] as const;
export type DeletePolicy = (typeof DeletePolicies)[number];

/** Per-destination sync state, as shown in the rule's status. */
export const SyncDestinationStates = ['Synced', 'Conflict', 'Blocked', 'Pending', 'OptedOut'] as const;
export type SyncDestinationState = (typeof SyncDestinationStates)[number];

/** Per-source state: `Unknown` while the source's agent is silent (its copies stay). */
export const SyncSourceStates = ['Ok', 'Blocked', 'Unknown', 'Conflict'] as const;
export type SyncSourceState = (typeof SyncSourceStates)[number];

/** A Kubernetes group/version/kind (`group` empty for the core group). */
export const GroupVersionKindSchema = z
  .object({
    group: z.string().max(253).default(''),
    version: z.string().min(1).max(63),
    kind: z.string().min(1).max(63),
  })
  .strict();
export type GroupVersionKind = z.infer<typeof GroupVersionKindSchema>;

/** One match entry: every field given must match (AND); the entries of a rule are ORed. */
export const SyncMatchSchema = z
  .object({
    objectKey: z
      .object({ name: z.string().max(253).optional(), namespace: z.string().max(63).optional() })
      .strict()
      .optional(),
    namespaces: z.array(z.string().min(1).max(63)).max(100).optional(),
    /** Label selectors, ORed with one another. */
    labels: z.array(LabelSelectorSchema).max(20).optional(),
    /** Selectors over annotations (same shape as label selectors), ORed with one another. */
    annotations: z.array(LabelSelectorSchema).max(20).optional(),
    /** JSONPath queries whose result must equal `value` (all of them). */
    content: z
      .array(z.object({ path: z.string().min(1).max(1024), value: z.unknown() }).strict())
      .max(20)
      .optional(),
  })
  .strict();
export type SyncMatch = z.infer<typeof SyncMatchSchema>;

const MetaMutationSchema = z
  .object({ add: LabelsSchema.optional(), remove: z.array(z.string().min(1).max(317)).max(100).optional() })
  .strict();

/** What the hub changes on the way from a source to the destinations. */
export const SyncMutationsSchema = z
  .object({
    labels: MetaMutationSchema.optional(),
    annotations: MetaMutationSchema.optional(),
    /** JSONPath (a single, definite path) and the value to set there. */
    overrides: z
      .array(z.object({ path: z.string().min(1).max(1024), value: z.unknown() }).strict())
      .max(50)
      .optional(),
    /** Write the copies as another group/version/kind. */
    groupVersionKind: GroupVersionKindSchema.optional(),
    /** Whether `.status` travels too (default false: destinations get spec and data only). */
    syncStatus: z.boolean().default(false),
  })
  .strict();
export type SyncMutations = z.infer<typeof SyncMutationsSchema>;

export const SyncRuleEntrySchema = z
  .object({
    /** Entries ORed; an empty or absent list matches every object of the kind. */
    match: z.array(SyncMatchSchema).max(50).default([]),
    mutations: SyncMutationsSchema.optional(),
  })
  .strict();
export type SyncRuleEntry = z.infer<typeof SyncRuleEntrySchema>;

export const ClusterFeatureMatchSchema = z
  .object({ featureName: z.string().min(1).max(253), matchLabels: LabelsSchema.optional() })
  .strict();
export type ClusterFeatureMatch = z.infer<typeof ClusterFeatureMatchSchema>;

/** Which clusters are sources. Fields given are ANDed; at least one must be given. */
export const SyncSourcesSchema = z
  .object({
    clusterSelector: LabelSelectorSchema.optional(),
    clusterSets: z.array(NameSchema).max(100).optional(),
    /** A source must declare one of these features (ORed). */
    clusterFeatureMatch: z.array(ClusterFeatureMatchSchema).max(20).optional(),
  })
  .strict();
export type SyncSources = z.infer<typeof SyncSourcesSchema>;

export const SyncRuleSpecSchema = z
  .object({
    resource: GroupVersionKindSchema,
    /** Entries ORed; the first entry that matches an object decides its mutations. */
    rules: z.array(SyncRuleEntrySchema).min(1, 'a sync rule needs at least one entry in rules').max(50),
    sources: SyncSourcesSchema,
    /** Destinations; default: every cluster of the sources' cluster sets (every cluster without sets), minus the source itself. */
    placementRef: z.object({ name: NameSchema }).strict().optional(),
    /** What to do with a destination object of the same name that sync did not create. */
    conflictPolicy: z.enum(ConflictPolicies, { error: 'conflictPolicy must be Abort or Overwrite' }).default('Abort'),
    /** What happens to the copies when the source object goes (or the rule is deleted). */
    deletePolicy: z.enum(DeletePolicies, { error: 'deletePolicy must be Propagate or Orphan' }).default('Propagate'),
    /** Stop syncing (copies stay where they are). */
    suspend: z.boolean().default(false),
  })
  .strict();
export type SyncRuleSpec = z.infer<typeof SyncRuleSpecSchema>;

/** Counts of objects by state on one destination, and the first reasons. */
export const SyncDestinationStatusSchema = z.object({
  cluster: z.string(),
  state: z.enum(SyncDestinationStates),
  objects: z.number().int().optional(),
  synced: z.number().int().optional(),
  conflicts: z.number().int().optional(),
  blocked: z.number().int().optional(),
  /** The first few reasons (object and message), at most 5. */
  reasons: z.array(z.string()).optional(),
  lastReported: z.string().optional(),
});
export type SyncDestinationStatus = z.infer<typeof SyncDestinationStatusSchema>;

export const SyncSourceStatusSchema = z.object({
  cluster: z.string(),
  state: z.enum(SyncSourceStates),
  /** Objects this source currently reports. */
  objects: z.number().int().optional(),
  reason: z.string().optional(),
  lastReported: z.string().optional(),
});
export type SyncSourceStatus = z.infer<typeof SyncSourceStatusSchema>;

export const SyncRuleStatusSchema = z
  .object({
    summary: z
      .object({
        sources: z.number().int(),
        objects: z.number().int(),
        destinations: z.number().int(),
        synced: z.number().int(),
        conflict: z.number().int(),
        blocked: z.number().int(),
        pending: z.number().int(),
        optedOut: z.number().int(),
      })
      .partial()
      .optional(),
    sources: z.array(SyncSourceStatusSchema).optional(),
    /** Destinations, not Synced first, at most 100. */
    destinations: z.array(SyncDestinationStatusSchema).optional(),
    /** Objects reported by two sources: the first source (earliest, then by name) is kept. */
    conflicts: z.array(z.object({ object: z.string(), kept: z.string(), ignored: z.array(z.string()) })).optional(),
  })
  .passthrough();
export type SyncRuleStatus = z.infer<typeof SyncRuleStatusSchema>;

export const syncRuleKind = defineKind({
  kind: 'SyncRule',
  plural: 'syncrules',
  singular: 'syncrule',
  shortNames: ['sr', 'rsr'],
  namespaced: false,
  spec: SyncRuleSpecSchema,
  status: SyncRuleStatusSchema,
  description:
    'SyncRule: copies Kubernetes objects of one kind from source clusters to destination clusters through the hub, with mutations on the way.',
  printerColumns: [
    { name: 'KIND', jsonPath: '.spec.resource.kind', type: 'string' },
    { name: 'SOURCES', jsonPath: '.status.summary.sources', type: 'integer', default: '0' },
    { name: 'OBJECTS', jsonPath: '.status.summary.objects', type: 'integer', default: '0' },
    { name: 'SYNCED', jsonPath: '.status.summary.synced', type: 'ratio', of: '.status.summary.destinations', ofDefault: '0' },
    { name: 'CONFLICT', jsonPath: '.status.summary.conflict', type: 'integer', default: '0', tones: { nonZero: 'bad' } },
    { name: 'BLOCKED', jsonPath: '.status.summary.blocked', type: 'integer', default: '0', tones: { nonZero: 'bad' } },
    { name: 'DELETE', jsonPath: '.spec.deletePolicy', type: 'string', priority: 1 },
    AGE_COLUMN,
    LABELS_COLUMN,
  ],
});
