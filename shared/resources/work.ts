import { z } from 'zod';
import { AGE_COLUMN, conditionColumn, defineKind, LABELS_COLUMN } from './define-kind.js';
import { ConditionSchema } from './meta.js';

/**
 * Work: a set of Kubernetes manifests for one cluster (OCM ManifestWork), stored at
 * `/v1/clusters/{cluster}/works/{name}` with `metadata.namespace` = the cluster's name.
 */

/** Identifies one manifest of a work, as OCM's ResourceIdentifier. Empty namespace = cluster-scoped. */
export const ResourceIdentifierSchema = z
  .object({
    group: z.string().default(''),
    resource: z.string().min(1, 'resource (the lowercase plural, e.g. deployments) is required'),
    namespace: z.string().default(''),
    name: z.string().min(1),
  })
  .strict();
export type ResourceIdentifier = z.infer<typeof ResourceIdentifierSchema>;

export const UpdateStrategyTypes = ['ServerSideApply', 'CreateOnly', 'ReadOnly'] as const;

export const UpdateStrategySchema = z
  .object({
    type: z
      .enum(UpdateStrategyTypes, { error: `updateStrategy.type must be one of ${UpdateStrategyTypes.join(', ')}` })
      .default('ServerSideApply'),
    /** Short form of `serverSideApply.force` (docs/works.md); the agent reads both. */
    force: z.boolean().optional(),
    serverSideApply: z
      .object({ force: z.boolean().default(false), fieldManager: z.string().optional() })
      .strict()
      .optional(),
  })
  .strict();

export const JsonPathRuleSchema = z.object({ name: z.string().min(1), path: z.string().min(1) }).strict();

export const FeedbackRuleSchema = z
  .object({
    type: z.enum(['WellKnownStatus', 'JSONPaths']),
    jsonPaths: z.array(JsonPathRuleSchema).optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.type === 'JSONPaths' && !r.jsonPaths?.length)
      ctx.addIssue({ code: 'custom', path: ['jsonPaths'], message: 'JSONPaths feedback needs at least one jsonPaths entry' });
  });

export const ManifestConfigSchema = z
  .object({
    resourceIdentifier: ResourceIdentifierSchema,
    updateStrategy: UpdateStrategySchema.optional(),
    feedbackRules: z.array(FeedbackRuleSchema).optional(),
  })
  .strict();
export type ManifestConfig = z.infer<typeof ManifestConfigSchema>;

export const DeleteOptionSchema = z
  .object({
    propagationPolicy: z.enum(['Foreground', 'Orphan', 'SelectivelyOrphan']).default('Foreground'),
    selectivelyOrphans: z
      .object({ orphaningRules: z.array(ResourceIdentifierSchema) })
      .strict()
      .optional(),
  })
  .strict();

/** A manifest: any Kubernetes object with apiVersion, kind and metadata.name. */
export const ManifestSchema = z
  .object({
    apiVersion: z.string().min(1, 'manifest apiVersion is required'),
    kind: z.string().min(1, 'manifest kind is required'),
    metadata: z.object({ name: z.string().min(1, 'manifest metadata.name is required'), namespace: z.string().optional() }).passthrough(),
  })
  .passthrough();

export const WorkSpecSchema = z
  .object({
    workload: z
      .object({
        manifests: z.array(ManifestSchema).max(2000).describe('Kubernetes objects, each with apiVersion, kind and metadata.name.'),
      })
      .strict()
      .describe('The Kubernetes objects the agent applies with server-side apply; objects removed from the list are pruned.'),
    manifestConfigs: z
      .array(ManifestConfigSchema)
      .default([])
      .describe('Per-manifest settings: update strategy (ServerSideApply, CreateOnly, ReadOnly) and status feedback rules.'),
    deleteOption: DeleteOptionSchema.optional().describe(
      'What happens to the applied objects when the Work is deleted: Foreground (deleted), Orphan (kept) or SelectivelyOrphan.',
    ),
  })
  .strict();
export type WorkSpec = z.infer<typeof WorkSpecSchema>;

export const WorkConditions = { Applied: 'Applied', Available: 'Available', Degraded: 'Degraded', Drifted: 'Drifted' } as const;

export const ManifestStatusSchema = z.object({
  resourceMeta: z.object({
    group: z.string(),
    version: z.string(),
    kind: z.string(),
    resource: z.string().optional(),
    namespace: z.string().optional(),
    name: z.string(),
  }),
  conditions: z.array(ConditionSchema),
  statusFeedback: z.object({ values: z.array(z.object({ name: z.string(), value: z.unknown() })) }).optional(),
});

export const DriftRecordSchema = z.object({
  kind: z.string(),
  namespace: z.string().optional(),
  name: z.string(),
  change: z.enum(['Modified', 'Deleted']),
  fields: z.array(z.string()),
  corrected: z.boolean(),
  /** Why the agent did not correct it, as it reported (see the agent protocol's DriftEvent). */
  reason: z.string().optional(),
  time: z.string(),
});

export const WorkStatusSchema = z.object({
  conditions: z.array(ConditionSchema).default([]),
  observedGeneration: z.number().int().optional(),
  resourceStatus: z.object({ manifests: z.array(ManifestStatusSchema) }).optional(),
  /** Most recent drift events, newest last (bounded). */
  driftEvents: z.array(DriftRecordSchema).optional(),
  lastReportTime: z.string().optional(),
});
export type WorkStatus = z.infer<typeof WorkStatusSchema>;

/** How many drift events a work's status keeps (the newest). */
export const MAX_DRIFT_EVENTS = 50;

/** The Work kind. */
export const workKind = defineKind({
  kind: 'Work',
  plural: 'works',
  singular: 'work',
  shortNames: ['mw'],
  namespaced: true,
  spec: WorkSpecSchema,
  status: WorkStatusSchema,
  description: 'A set of Kubernetes manifests for one cluster, applied by its agent with server-side apply.',
  printerColumns: [
    { name: 'CLUSTER', jsonPath: '.metadata.namespace', type: 'string' },
    { name: 'MANIFESTS', jsonPath: '.spec.workload.manifests', type: 'count' },
    conditionColumn('APPLIED'),
    conditionColumn('AVAILABLE'),
    conditionColumn('DEGRADED'),
    conditionColumn('DRIFTED'),
    AGE_COLUMN,
    { name: 'GENERATION', jsonPath: '.metadata.generation', of: '.status.observedGeneration', type: 'generation', priority: 1 },
    LABELS_COLUMN,
  ],
});
