import { z } from 'zod';

/**
 * A work's per-manifest options (OCM's ManifestConfigOption) and delete option, as the agent reads
 * them from the desired state. The protocol carries them as free-form records, so the agent checks
 * them here and reports a problem on the work instead of failing the whole poll.
 */

/** Names one resource: API group, plural resource name, namespace (`''` for cluster-scoped) and name. `*` matches anything. */
export const ResourceRuleSchema = z.object({
  group: z.string().default(''),
  resource: z.string(),
  namespace: z.string().default(''),
  name: z.string(),
});
export type ResourceRule = z.infer<typeof ResourceRuleSchema>;

export const UpdateStrategyTypes = ['ServerSideApply', 'CreateOnly', 'ReadOnly'] as const;
export type UpdateStrategyType = (typeof UpdateStrategyTypes)[number];

const JsonPathSchema = z.object({ name: z.string().min(1), path: z.string().min(1) });

export const FeedbackRuleSchema = z.object({
  type: z.enum(['WellKnownStatus', 'JSONPaths']),
  jsonPaths: z.array(JsonPathSchema).default([]),
});
export type FeedbackRule = z.infer<typeof FeedbackRuleSchema>;

export const ManifestConfigSchema = z.object({
  resourceIdentifier: ResourceRuleSchema,
  updateStrategy: z
    .object({
      type: z.enum(UpdateStrategyTypes).default('ServerSideApply'),
      // Tether's short form is `updateStrategy.force`; OCM writes `updateStrategy.serverSideApply.force`. Both work (docs/works.md).
      force: z.boolean().optional(),
      serverSideApply: z.object({ force: z.boolean().optional(), fieldManager: z.string().min(1).optional() }).optional(),
    })
    .optional(),
  feedbackRules: z.array(FeedbackRuleSchema).default([]),
});
export type ManifestConfig = z.infer<typeof ManifestConfigSchema>;

export const DeleteOptionSchema = z.object({
  propagationPolicy: z.enum(['Foreground', 'Orphan', 'SelectivelyOrphan']).default('Foreground'),
  selectivelyOrphans: z.object({ orphaningRules: z.array(ResourceRuleSchema).default([]) }).optional(),
});
export type DeleteOption = z.infer<typeof DeleteOptionSchema>;

/** How one manifest is to be handled, after its manifestConfig was found. */
export interface ManifestPolicy {
  strategy: UpdateStrategyType;
  force: boolean;
  fieldManager: string;
  feedbackRules: FeedbackRule[];
}

/** The parsed configs of a work, and the problems of the ones that did not parse. */
export interface WorkConfig {
  configs: ManifestConfig[];
  deleteOption: DeleteOption;
  problems: string[];
}

/** Parses a work's manifestConfigs and deleteOption; invalid entries are dropped and described in `problems`. */
export function parseWorkConfig(manifestConfigs: readonly unknown[], deleteOption: unknown): WorkConfig {
  const problems: string[] = [];
  const configs: ManifestConfig[] = [];
  manifestConfigs.forEach((raw, i) => {
    const parsed = ManifestConfigSchema.safeParse(raw);
    if (parsed.success) configs.push(parsed.data);
    else problems.push(`manifestConfigs[${i}] is invalid: ${describeIssues(parsed.error)}`);
  });
  let option: DeleteOption = { propagationPolicy: 'Foreground' };
  if (deleteOption !== undefined) {
    const parsed = DeleteOptionSchema.safeParse(deleteOption);
    if (parsed.success) option = parsed.data;
    // An unreadable delete option must never widen what gets deleted: orphan everything instead.
    else {
      option = { propagationPolicy: 'Orphan' };
      problems.push(`deleteOption is invalid (${describeIssues(parsed.error)}); resources of this work will be orphaned, not deleted`);
    }
  }
  return { configs, deleteOption: option, problems };
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}

/** What a resource rule is matched against. */
export interface ResourceCoordinates {
  group: string;
  resource: string;
  namespace: string;
  name: string;
}

/** Does a rule name this resource? Empty group and namespace mean the core group and cluster scope; `*` matches anything. */
export function ruleMatches(rule: ResourceRule, target: ResourceCoordinates): boolean {
  const eq = (pattern: string, value: string) => pattern === '*' || pattern === value;
  return (
    eq(rule.group, target.group) && eq(rule.resource, target.resource) && eq(rule.namespace, target.namespace) && eq(rule.name, target.name)
  );
}

/** The policy of one manifest: its first matching config, else server-side apply without force. */
export function policyFor(
  configs: readonly ManifestConfig[],
  target: ResourceCoordinates | undefined,
  defaultManager: string,
): ManifestPolicy {
  const config = target ? configs.find((c) => ruleMatches(c.resourceIdentifier, target)) : undefined;
  const strategy = config?.updateStrategy;
  return {
    strategy: strategy?.type ?? 'ServerSideApply',
    force: strategy?.serverSideApply?.force ?? strategy?.force ?? false,
    fieldManager: strategy?.serverSideApply?.fieldManager ?? defaultManager,
    feedbackRules: config?.feedbackRules ?? [],
  };
}

/** Whether deleting a work (or pruning from it) must leave this resource in place. */
export function isOrphaned(option: DeleteOption, target: ResourceCoordinates): boolean {
  if (option.propagationPolicy === 'Orphan') return true;
  if (option.propagationPolicy !== 'SelectivelyOrphan') return false;
  return (option.selectivelyOrphans?.orphaningRules ?? []).some((r) => ruleMatches(r, target));
}
