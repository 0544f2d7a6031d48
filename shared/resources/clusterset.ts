import { z } from 'zod';
import { LabelSelectorSchema } from '../labels.js';
import { AGE_COLUMN, defineKind, LABELS_COLUMN } from './define-kind.js';
import { ConditionSchema } from './meta.js';

/** The label that puts a cluster into an ExclusiveClusterSetLabel set: `tether.dev/clusterset=<set>`. */
export const CLUSTERSET_LABEL = 'tether.dev/clusterset';

export const ClusterSetSpecSchema = z
  .object({
    clusterSelector: z
      .object({
        selectorType: z
          .enum(['ExclusiveClusterSetLabel', 'LabelSelector'])
          .default('ExclusiveClusterSetLabel')
          .describe(
            'ExclusiveClusterSetLabel: members are the clusters labelled tether.dev/clusterset=<this set> (a cluster is in at most one such set); LabelSelector: members are the clusters labelSelector matches.',
          ),
        labelSelector: LabelSelectorSchema.optional().describe(
          'With selectorType LabelSelector: the clusters that are members (matchLabels, matchExpressions).',
        ),
      })
      .strict()
      .superRefine((sel, ctx) => {
        if (sel.selectorType === 'LabelSelector' && !sel.labelSelector) {
          ctx.addIssue({ code: 'custom', path: ['labelSelector'], message: 'selectorType LabelSelector needs a labelSelector' });
        }
        if (sel.selectorType === 'ExclusiveClusterSetLabel' && sel.labelSelector) {
          ctx.addIssue({
            code: 'custom',
            path: ['labelSelector'],
            message: `selectorType ExclusiveClusterSetLabel selects by the ${CLUSTERSET_LABEL} label; remove labelSelector or use selectorType LabelSelector`,
          });
        }
      })
      .default({ selectorType: 'ExclusiveClusterSetLabel' })
      .describe('How the members of the set are chosen.'),
  })
  .strict();
export type ClusterSetSpec = z.infer<typeof ClusterSetSpecSchema>;

export const ClusterSetStatusSchema = z.object({
  conditions: z.array(ConditionSchema).default([]),
  memberCount: z.number().int().optional(),
});
export type ClusterSetStatus = z.infer<typeof ClusterSetStatusSchema>;

/** The ClusterSet kind. */
export const clusterSetKind = defineKind({
  kind: 'ClusterSet',
  plural: 'clustersets',
  singular: 'clusterset',
  shortNames: ['cs'],
  namespaced: false,
  spec: ClusterSetSpecSchema,
  status: ClusterSetStatusSchema,
  description: 'A named group of clusters, selected by the exclusive set label or by a label selector.',
  printerColumns: [
    { name: 'SELECTOR', jsonPath: '.spec.clusterSelector', type: 'clusterSelector' },
    { name: 'MEMBERS', jsonPath: '.status.memberCount', type: 'integer' },
    AGE_COLUMN,
    LABELS_COLUMN,
  ],
});
