import { z } from 'zod';
import { LabelSelectorSchema } from '../labels.js';
import { AGE_COLUMN, conditionColumn, defineKind, LABELS_COLUMN } from './define-kind.js';
import { ConditionSchema, NameSchema } from './meta.js';

/** Namespace the receiving clusters keep ClusterProfiles in unless the export says otherwise. */
export const DEFAULT_INVENTORY_NAMESPACE = 'tether-inventory';

export const InventoryExportSpecSchema = z
  .object({
    placementRef: z
      .object({ name: NameSchema }, { error: 'placementRef.name (the Placement choosing the receivers) is required' })
      .strict()
      .optional()
      .describe('A Placement whose decisions are the receiving clusters (those that keep the ClusterProfiles).'),
    clusterSets: z
      .array(NameSchema)
      .max(50)
      .optional()
      .describe('ClusterSets whose members are receiving clusters (added to the placement’s decisions, if both are given).'),
    members: z
      .object({
        clusterSets: z.array(NameSchema).max(50).optional().describe('Publish only the members of these ClusterSets.'),
        labelSelector: LabelSelectorSchema.optional().describe('Publish only clusters whose hub labels match.'),
      })
      .strict()
      .default({})
      .describe('The member clusters to publish (default: every cluster of the hub).'),
    namespace: NameSchema.default(DEFAULT_INVENTORY_NAMESPACE).describe(
      'Namespace on each receiving cluster where the ClusterProfiles go (created when missing).',
    ),
  })
  .strict()
  .superRefine((spec, ctx) => {
    if (!spec.placementRef && !spec.clusterSets?.length) {
      ctx.addIssue({
        code: 'custom',
        path: ['placementRef'],
        message: 'choose the receiving clusters with placementRef, clusterSets or both',
      });
    }
  });
export type InventoryExportSpec = z.infer<typeof InventoryExportSpecSchema>;

/** Most receivers an export tracks in its status (the rest are still served; see docs/cluster-inventory.md). */
export const MAX_TRACKED_RECEIVERS = 1000;

export const InventoryExportStatusSchema = z.object({
  conditions: z.array(ConditionSchema).default([]),
  /** The receiving clusters as last computed, sorted: whose revisions the hub bumps when the inventory changes. */
  receivers: z.array(z.string()).default([]),
  receiverCount: z.number().int().default(0),
  /** When the receivers were last recomputed (RFC 3339). */
  refreshedAt: z.string().optional(),
  observedGeneration: z.number().int().optional(),
});
export type InventoryExportStatus = z.infer<typeof InventoryExportStatusSchema>;

/** The ClusterInventoryExport kind. */
export const inventoryExportKind = defineKind({
  kind: 'ClusterInventoryExport',
  plural: 'clusterinventoryexports',
  singular: 'clusterinventoryexport',
  shortNames: ['cie'],
  namespaced: false,
  spec: InventoryExportSpecSchema,
  status: InventoryExportStatusSchema,
  description:
    'Publishes the hub’s clusters as SIG-Multicluster ClusterProfiles (multicluster.x-k8s.io/v1alpha1) on the receiving clusters, for Argo CD, Kueue and other inventory consumers.',
  printerColumns: [
    { name: 'PLACEMENT', jsonPath: '.spec.placementRef.name', type: 'string' },
    { name: 'SETS', jsonPath: '.spec.clusterSets', type: 'list' },
    { name: 'NAMESPACE', jsonPath: '.spec.namespace', type: 'string' },
    { name: 'RECEIVERS', jsonPath: '.status.receiverCount', type: 'integer', default: '0' },
    conditionColumn('READY', 'Ready'),
    AGE_COLUMN,
    LABELS_COLUMN,
  ],
});
