import { z } from 'zod';
import { LabelSelectorSchema } from '../labels.js';
import { TaintEffects } from './cluster.js';
import { AGE_COLUMN, conditionColumn, defineKind, LABELS_COLUMN } from './define-kind.js';
import { ConditionSchema, NameSchema } from './meta.js';

/**
 * Placement: which clusters a workload goes to (OCM Placement). Cluster-scoped, at
 * `/v1/placements/{name}`. The hub keeps its decisions as relation items and their counts in
 * status; lambdas/capabilities/placements/ computes them.
 */

const CLAIM_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** One requirement on a cluster claim (`status.claims[].name`), with label-selector operators. */
export const ClaimRequirementSchema = z
  .object({
    key: z
      .string()
      .min(1, 'claim key is required')
      .max(253, 'claim key must be at most 253 characters')
      .regex(CLAIM_NAME, "claim key must be letters, digits, '-', '_' or '.', starting and ending with a letter or digit"),
    operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist'], { error: 'operator must be one of In, NotIn, Exists, DoesNotExist' }),
    values: z.array(z.string()).optional(),
  })
  .strict()
  .superRefine((req, ctx) => {
    const needsValues = req.operator === 'In' || req.operator === 'NotIn';
    if (needsValues && !req.values?.length)
      ctx.addIssue({ code: 'custom', path: ['values'], message: `operator ${req.operator} needs at least one value` });
    if (!needsValues && req.values?.length)
      ctx.addIssue({ code: 'custom', path: ['values'], message: `operator ${req.operator} takes no values` });
  });
export type ClaimRequirement = z.infer<typeof ClaimRequirementSchema>;

/** Selects clusters by their claims (OCM ClusterClaimSelector). */
export const ClaimSelectorSchema = z.object({ matchExpressions: z.array(ClaimRequirementSchema).optional() }).strict();
export type ClaimSelector = z.infer<typeof ClaimSelectorSchema>;

/** A label selector and a claim selector; a cluster must match both. Empty selects every cluster. */
export const ClusterSelectorSchema = z
  .object({
    labelSelector: LabelSelectorSchema.optional(),
    claimSelector: ClaimSelectorSchema.optional(),
  })
  .strict();
export type ClusterSelector = z.infer<typeof ClusterSelectorSchema>;

export const PredicateSchema = z.object({ requiredClusterSelector: ClusterSelectorSchema }).strict();

/** Tolerates cluster taints, as Kubernetes tolerations tolerate node taints. */
export const TolerationSchema = z
  .object({
    /** Taint key to match; empty with operator Exists matches every taint. */
    key: z.string().optional(),
    operator: z.enum(['Equal', 'Exists'], { error: 'operator must be Equal or Exists' }).default('Equal'),
    value: z.string().optional(),
    /** Effect to match; empty matches every effect. */
    effect: z.enum(TaintEffects, { error: `effect must be one of ${TaintEffects.join(', ')}` }).optional(),
    /** How long after the taint was added the toleration holds; unset holds forever. */
    tolerationSeconds: z
      .number({ error: 'tolerationSeconds must be a number' })
      .int('tolerationSeconds must be a whole number')
      .min(0, 'tolerationSeconds must not be negative')
      .optional(),
  })
  .strict()
  .superRefine((t, ctx) => {
    if (t.operator === 'Exists' && t.value) ctx.addIssue({ code: 'custom', path: ['value'], message: 'operator Exists takes no value' });
    if (t.operator === 'Equal' && !t.key)
      ctx.addIssue({ code: 'custom', path: ['key'], message: 'operator Equal needs a key (use operator Exists to tolerate every taint)' });
  });
export type Toleration = z.infer<typeof TolerationSchema>;

const PERCENT = /^(\d{1,3})%$/;

/**
 * Why a clustersPerDecisionGroup value is invalid, or undefined: a whole number of at least 1, or
 * a percentage from 1% to 100%.
 */
export function groupSizeProblem(value: unknown): string | undefined {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 1) return `must be a whole number of at least 1 or a percentage such as "25%", got ${value}`;
    return undefined;
  }
  if (typeof value === 'string') {
    const m = PERCENT.exec(value.trim());
    if (!m) return `must be a whole number or a percentage such as "25%", got "${value}"`;
    const pct = Number(m[1]);
    if (pct < 1 || pct > 100) return `percentage must be between 1% and 100%, got "${value}"`;
    return undefined;
  }
  return 'must be a whole number or a percentage string such as "25%"';
}

/**
 * The size of one chunk group: a number as is, a percentage of `total` rounded up (at least 1),
 * or undefined (all remaining clusters in one group).
 */
export function resolveGroupSize(value: number | string | undefined, total: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number') return value;
  const pct = Number(PERCENT.exec(value.trim())?.[1] ?? '100');
  return Math.max(1, Math.ceil((total * pct) / 100));
}

export const DecisionGroupSchema = z
  .object({
    groupName: NameSchema,
    groupClusterSelector: ClusterSelectorSchema,
  })
  .strict();

export const DecisionStrategySchema = z
  .object({
    groupStrategy: z
      .object({
        decisionGroups: z.array(DecisionGroupSchema).max(100).optional(),
        clustersPerDecisionGroup: z
          .union([z.number(), z.string()], { error: 'clustersPerDecisionGroup must be a whole number or a percentage such as "25%"' })
          .superRefine((v, ctx) => {
            const p = groupSizeProblem(v);
            if (p) ctx.addIssue({ code: 'custom', message: `clustersPerDecisionGroup ${p}` });
          })
          .optional(),
      })
      .strict()
      .superRefine((g, ctx) => {
        const seen = new Set<string>();
        (g.decisionGroups ?? []).forEach((d, i) => {
          if (seen.has(d.groupName))
            ctx.addIssue({ code: 'custom', path: ['decisionGroups', i, 'groupName'], message: `duplicate group name "${d.groupName}"` });
          seen.add(d.groupName);
        });
      })
      .optional(),
  })
  .strict();
export type DecisionStrategy = z.infer<typeof DecisionStrategySchema>;

export const PlacementSpecSchema = z
  .object({
    /** Sets to choose from; empty chooses from every cluster. */
    clusterSets: z.array(NameSchema).max(100).default([]).describe('Cluster sets to choose from; empty chooses from every cluster.'),
    /** At most this many clusters; unset selects every matching cluster. */
    numberOfClusters: z
      .number({ error: 'numberOfClusters must be a number' })
      .int('numberOfClusters must be a whole number')
      .min(0, 'numberOfClusters must not be negative')
      .optional()
      .describe('At most this many clusters; unset selects every matching cluster.'),
    /** A cluster is selected when it matches any one predicate (each predicate: all of its selectors). */
    predicates: z
      .array(PredicateSchema)
      .max(50)
      .default([])
      .describe('A cluster is selected when it matches any one predicate (each predicate: all of its label and claim selectors).'),
    tolerations: z
      .array(TolerationSchema)
      .max(50)
      .default([])
      .describe('Taints of clusters this placement tolerates, as Kubernetes tolerations.'),
    decisionStrategy: DecisionStrategySchema.optional().describe(
      'How the chosen clusters are split into decision groups (named groups first, then chunks), which rollouts go through in order.',
    ),
  })
  .strict();
export type PlacementSpec = z.infer<typeof PlacementSpecSchema>;

/** Condition types of a Placement, as OCM. */
export const PlacementConditions = { Satisfied: 'PlacementSatisfied', Misconfigured: 'PlacementMisconfigured' } as const;

export const DecisionGroupStatusSchema = z.object({
  decisionGroupIndex: z.number().int(),
  /** The named group's name; empty for a chunk of the remaining clusters. */
  decisionGroupName: z.string(),
  clusterCount: z.number().int(),
});
export type DecisionGroupStatus = z.infer<typeof DecisionGroupStatusSchema>;

/**
 * The hub's own notes for keeping counts exact without transactions (see docs/placement.md).
 * Never shown in API answers.
 */
export const PlacementBookkeepingSchema = z.object({
  /** Sequence number of the last incremental count change. */
  changeSeq: z.number().int(),
  /** The latest incremental count changes (cluster, group or -1 for none, seq), oldest first, bounded. */
  recent: z.array(z.object({ cluster: z.string(), group: z.number().int(), seq: z.number().int() })),
  /** Hash of the decision strategy the groups were last computed with. */
  strategyHash: z.string().optional(),
  /** Resolved size of a chunk group when the groups were last computed (a percentage becomes a number). */
  chunkSize: z.number().int().optional(),
  /** Referenced cluster sets that did not exist at the last full computation. */
  missingSets: z.array(z.string()).optional(),
});
export type PlacementBookkeeping = z.infer<typeof PlacementBookkeepingSchema>;

export const PlacementStatusSchema = z.object({
  conditions: z.array(ConditionSchema).default([]),
  numberOfSelectedClusters: z.number().int().default(0),
  decisionGroups: z.array(DecisionGroupStatusSchema).default([]),
  /** Spec generation the decisions were last fully computed for. */
  observedGeneration: z.number().int().optional(),
  lastRecomputeTime: z.string().optional(),
  bookkeeping: PlacementBookkeepingSchema.optional(),
});
export type PlacementStatus = z.infer<typeof PlacementStatusSchema>;

/** The Placement kind. */
export const placementKind = defineKind({
  kind: 'Placement',
  plural: 'placements',
  singular: 'placement',
  shortNames: ['pl'],
  namespaced: false,
  spec: PlacementSpecSchema,
  status: PlacementStatusSchema,
  description: 'Chooses clusters by sets, label and claim predicates, taints and tolerations, and splits them into decision groups.',
  printerColumns: [
    { name: 'SELECTED', jsonPath: '.status.numberOfSelectedClusters', of: '.spec.numberOfClusters', type: 'ratio', default: '0' },
    { name: 'GROUPS', jsonPath: '.status.decisionGroups', type: 'count' },
    conditionColumn('SATISFIED', 'PlacementSatisfied'),
    AGE_COLUMN,
    { name: 'SETS', jsonPath: '.spec.clusterSets', type: 'list', default: '<all clusters>', priority: 1 },
    LABELS_COLUMN,
  ],
});
