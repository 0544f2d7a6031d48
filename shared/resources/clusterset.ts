import { z } from 'zod';
import { LabelSelectorSchema } from '../labels.js';
import { ConditionSchema } from './meta.js';

/** The label that puts a cluster into an ExclusiveClusterSetLabel set: `tether.dev/clusterset=<set>`. */
export const CLUSTERSET_LABEL = 'tether.dev/clusterset';

export const ClusterSetSpecSchema = z
  .object({
    clusterSelector: z
      .object({
        selectorType: z.enum(['ExclusiveClusterSetLabel', 'LabelSelector']).default('ExclusiveClusterSetLabel'),
        labelSelector: LabelSelectorSchema.optional(),
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
      .default({ selectorType: 'ExclusiveClusterSetLabel' }),
  })
  .strict();
export type ClusterSetSpec = z.infer<typeof ClusterSetSpecSchema>;

export const ClusterSetStatusSchema = z.object({
  conditions: z.array(ConditionSchema).default([]),
  memberCount: z.number().int().optional(),
});
export type ClusterSetStatus = z.infer<typeof ClusterSetStatusSchema>;
