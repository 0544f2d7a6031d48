import { z } from 'zod';
import { parseDuration } from '../duration.js';
import { LabelSelectorRequirementSchema, LabelsSchema } from '../labels.js';
import { AGE_COLUMN, defineKind, LABELS_COLUMN } from './define-kind.js';
import { NameSchema } from './meta.js';

/**
 * Policy and PolicySet: governance across the fleet (OCM's Policy with an embedded
 * ConfigurationPolicy). Cluster-scoped, at `/v1/policies/{name}` and `/v1/policysets/{name}`.
 * Templates are rendered per cluster on the hub and evaluated (and, with `enforce`, remediated) by
 * each cluster's agent; the hub side lives in lambdas/capabilities/governance/, the agent side in
 * agent/governance/. docs/governance.md describes the semantics.
 */

export const ComplianceTypes = ['musthave', 'mustonlyhave', 'mustnothave'] as const;
export type ComplianceType = (typeof ComplianceTypes)[number];

export const RemediationActions = ['inform', 'enforce'] as const;
export type RemediationAction = (typeof RemediationActions)[number];

export const Severities = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof Severities)[number];

export const PruneObjectBehaviors = ['None', 'DeleteIfCreated', 'DeleteAll'] as const;
export type PruneObjectBehavior = (typeof PruneObjectBehaviors)[number];

/** Per-cluster compliance of a policy or a template, after OCM (plus Unknown for a silent cluster). */
export const ComplianceStates = ['Compliant', 'NonCompliant', 'Pending', 'Unknown'] as const;
export type ComplianceState = (typeof ComplianceStates)[number];

export { CATEGORIES_ANNOTATION, complianceMapping, CONTROLS_ANNOTATION, STANDARDS_ANNOTATION } from '../compliance-mapping.js';

/** Default evaluation intervals: a compliant template is checked every 10 minutes, a non-compliant one every 2. */
export const DEFAULT_EVALUATION_INTERVAL = Object.freeze({ compliant: '10m', noncompliant: '2m' });
/** Shortest interval allowed, so a policy cannot make the agent spin. */
export const MIN_EVALUATION_INTERVAL_MS = 10_000;
/** Most object templates in one policy (the stored body also stays within the size limit: 413 above it). */
export const MAX_OBJECT_TEMPLATES = 500;

/** An enum value given in any case (`MustHave`, `musthave`), as OCM accepts them; stored in its canonical spelling. */
function caseInsensitiveEnum<const T extends readonly [string, ...string[]]>(values: T, what: string) {
  return z.string({ error: `${what} must be one of ${values.join(', ')}` }).transform((v, ctx) => {
    const found = values.find((c) => c.toLowerCase() === v.toLowerCase());
    if (!found) {
      ctx.addIssue({ code: 'custom', message: `${what} must be one of ${values.join(', ')}, got "${v}"` });
      return z.NEVER;
    }
    return found as T[number];
  });
}

/** An interval: a duration (at least 10 s), or `never` (evaluate once, then only when the policy changes). */
const IntervalSchema = z.string({ error: 'must be a duration such as "30s", "5m" or "1h", or "never"' }).superRefine((v, ctx) => {
  if (v === 'never') return;
  const ms = parseDuration(v);
  if (ms === undefined) ctx.addIssue({ code: 'custom', message: `must be a duration such as "30s", "5m" or "1h", or "never", got "${v}"` });
  else if (ms < MIN_EVALUATION_INTERVAL_MS) ctx.addIssue({ code: 'custom', message: `must be at least 10s, got "${v}"` });
});

export const EvaluationIntervalSchema = z
  .object({
    /** How often a compliant template is evaluated again (default 10m; `never`: only when the policy changes). */
    compliant: IntervalSchema.default(DEFAULT_EVALUATION_INTERVAL.compliant),
    /** How often a non-compliant or pending template is evaluated again (default 2m). */
    noncompliant: IntervalSchema.default(DEFAULT_EVALUATION_INTERVAL.noncompliant),
  })
  .strict();
export type EvaluationInterval = z.infer<typeof EvaluationIntervalSchema>;

/** A namespace glob: letters, digits, `-`, `.` and the wildcards `*` and `?` (filepath.Match style, as OCM). */
const NamespaceGlobSchema = z
  .string()
  .min(1, 'a namespace pattern must not be empty')
  .max(253)
  .regex(/^[a-z0-9*?.[\]-]+$/, 'a namespace pattern may hold lowercase letters, digits, "-", "." and the wildcards "*", "?" and "[...]"');

/** Which namespaces a namespaced object without `metadata.namespace` is checked in. */
export const NamespaceSelectorSchema = z
  .object({
    include: z.array(NamespaceGlobSchema).max(100).optional(),
    exclude: z.array(NamespaceGlobSchema).max(100).optional(),
    matchLabels: LabelsSchema.optional(),
    matchExpressions: z.array(LabelSelectorRequirementSchema).max(20).optional(),
  })
  .strict();
export type NamespaceSelector = z.infer<typeof NamespaceSelectorSchema>;

/** A Kubernetes object as a policy states it: apiVersion and kind are required, the name is optional (see docs). */
export const ObjectDefinitionSchema = z
  .object({
    apiVersion: z.string({ error: 'objectDefinition.apiVersion is required' }).min(1, 'objectDefinition.apiVersion is required'),
    kind: z.string({ error: 'objectDefinition.kind is required' }).min(1, 'objectDefinition.kind is required'),
    metadata: z
      .object({ name: z.string().min(1).optional(), namespace: z.string().min(1).optional() })
      .passthrough()
      .optional(),
  })
  .passthrough();

export const ObjectTemplateSchema = z
  .object({
    complianceType: caseInsensitiveEnum(ComplianceTypes, 'complianceType'),
    objectDefinition: ObjectDefinitionSchema,
    /** Whether a violation carries a (redacted) diff in the status. Secrets never show values either way. */
    recordDiff: z.enum(['InStatus', 'None'], { error: 'recordDiff must be InStatus or None' }).default('InStatus'),
  })
  .strict();
export type ObjectTemplate = z.infer<typeof ObjectTemplateSchema>;

/** A configuration policy: what objects must (or must not) look like on a cluster. */
export const PolicyTemplateSchema = z
  .object({
    /** Name of the template, unique in its policy (default `<policy>-<index>`, counting from 1). */
    name: NameSchema.optional(),
    objectTemplates: z.array(ObjectTemplateSchema).min(1, 'a policy template needs at least one object template').max(MAX_OBJECT_TEMPLATES),
    namespaceSelector: NamespaceSelectorSchema.optional(),
    evaluationInterval: EvaluationIntervalSchema.optional(),
    /** What happens to objects on the cluster when the policy is deleted or stops matching the cluster (enforce only). */
    pruneObjectBehavior: z
      .enum(PruneObjectBehaviors, { error: `pruneObjectBehavior must be one of ${PruneObjectBehaviors.join(', ')}` })
      .default('None'),
  })
  .strict();
export type PolicyTemplate = z.infer<typeof PolicyTemplateSchema>;

export const PolicyDependencySchema = z
  .object({
    kind: z.literal('Policy', { error: 'a dependency kind must be Policy' }).default('Policy'),
    name: NameSchema,
    compliance: z
      .enum(['Compliant', 'NonCompliant', 'Pending'], { error: 'compliance must be Compliant, NonCompliant or Pending' })
      .default('Compliant'),
  })
  .strict();
export type PolicyDependency = z.infer<typeof PolicyDependencySchema>;

const MappingListSchema = z.array(z.string().min(1).max(256)).max(50);

export const PolicySpecSchema = z
  .object({
    remediationAction: caseInsensitiveEnum(RemediationActions, 'remediationAction').default('inform'),
    disabled: z.boolean().default(false),
    severity: caseInsensitiveEnum(Severities, 'severity').optional(),
    /** Compliance mapping, first-class (the OCM annotations are read too). */
    standards: MappingListSchema.default([]),
    categories: MappingListSchema.default([]),
    controls: MappingListSchema.default([]),
    description: z.string().max(2048).optional(),
    /** The Placement that chooses the clusters (a PolicySet that lists this policy may add more). */
    placementRef: z.object({ name: NameSchema }).strict().optional(),
    /** Policies whose compliance on the same cluster must be as given before this one is evaluated. */
    dependencies: z.array(PolicyDependencySchema).max(20).default([]),
    policyTemplates: z.array(PolicyTemplateSchema).min(1, 'a policy needs at least one policy template').max(50),
  })
  .strict()
  .superRefine((spec, ctx) => {
    const names = new Set<string>();
    spec.policyTemplates.forEach((t, i) => {
      if (t.name) {
        if (names.has(t.name))
          ctx.addIssue({ code: 'custom', path: ['policyTemplates', i, 'name'], message: `template name "${t.name}" is used twice` });
        names.add(t.name);
      }
      if (spec.remediationAction !== 'enforce') return;
      t.objectTemplates.forEach((o, j) => {
        if (o.complianceType !== 'mustnothave' && !o.objectDefinition.metadata?.name) {
          ctx.addIssue({
            code: 'custom',
            path: ['policyTemplates', i, 'objectTemplates', j, 'objectDefinition', 'metadata', 'name'],
            message: `an enforced ${o.complianceType} object needs metadata.name (the agent cannot create an object without one); use remediationAction inform to check unnamed objects`,
          });
        }
      });
    });
  });
export type PolicySpec = z.infer<typeof PolicySpecSchema>;

/** One cluster's compliance with a policy, as summarised in the policy's status. */
export const PolicyStatusSchema = z
  .object({
    /** Roll-up: NonCompliant > Pending > Unknown > Compliant; absent while no cluster is chosen. */
    compliant: z.enum(ComplianceStates).optional(),
    summary: z
      .object({
        clusters: z.number().int(),
        compliant: z.number().int(),
        nonCompliant: z.number().int(),
        pending: z.number().int(),
        unknown: z.number().int(),
      })
      .partial()
      .optional(),
    /** True while the policy is disabled: it is evaluated nowhere and has no compliance. */
    disabled: z.boolean().optional(),
    /** Names of non-compliant clusters, the first 100 in name order. */
    nonCompliantClusters: z.array(z.string()).optional(),
  })
  .passthrough();
export type PolicyStatus = z.infer<typeof PolicyStatusSchema>;

const SUMMARY_TONES = { nonZero: 'bad' } as const;

export const policyKind = defineKind({
  kind: 'Policy',
  plural: 'policies',
  singular: 'policy',
  shortNames: ['plc', 'pol'],
  namespaced: false,
  spec: PolicySpecSchema,
  status: PolicyStatusSchema,
  description:
    'Policy: configuration the clusters of a placement must (or must not) have, evaluated by each agent, reported as compliance, and enforced with remediationAction enforce.',
  printerColumns: [
    { name: 'REMEDIATION', jsonPath: '.spec.remediationAction', type: 'string' },
    { name: 'SEVERITY', jsonPath: '.spec.severity', type: 'string', default: '-' },
    {
      name: 'COMPLIANCE',
      jsonPath: '.status.compliant',
      type: 'string',
      default: '-',
      tones: { Compliant: 'good', NonCompliant: 'bad', Pending: 'warn', Unknown: 'warn' },
    },
    { name: 'COMPLIANT', jsonPath: '.status.summary.compliant', type: 'integer', default: '0' },
    { name: 'NONCOMPLIANT', jsonPath: '.status.summary.nonCompliant', type: 'integer', default: '0', tones: SUMMARY_TONES },
    { name: 'PENDING', jsonPath: '.status.summary.pending', type: 'integer', default: '0' },
    { name: 'UNKNOWN', jsonPath: '.status.summary.unknown', type: 'integer', default: '0', priority: 1 },
    { name: 'STANDARDS', jsonPath: '.spec.standards', type: 'list', priority: 1 },
    AGE_COLUMN,
    LABELS_COLUMN,
  ],
});

export const PolicySetSpecSchema = z
  .object({
    description: z.string().max(2048).optional(),
    /** Names of the policies in the set; a policy may be in several sets. */
    policies: z.array(NameSchema).min(1, 'a policy set needs at least one policy').max(500),
    /** A Placement whose clusters get every policy of the set (in addition to each policy's own placement). */
    placementRef: z.object({ name: NameSchema }).strict().optional(),
  })
  .strict()
  .superRefine((spec, ctx) => {
    const seen = new Set<string>();
    spec.policies.forEach((p, i) => {
      if (seen.has(p)) ctx.addIssue({ code: 'custom', path: ['policies', i], message: `policy "${p}" is listed twice` });
      seen.add(p);
    });
  });
export type PolicySetSpec = z.infer<typeof PolicySetSpecSchema>;

export const PolicySetStatusSchema = PolicyStatusSchema.extend({
  /** Policies the set lists that do not exist (yet). */
  missingPolicies: z.array(z.string()).optional(),
});
export type PolicySetStatus = z.infer<typeof PolicySetStatusSchema>;

export const policySetKind = defineKind({
  kind: 'PolicySet',
  plural: 'policysets',
  singular: 'policyset',
  shortNames: ['plcset', 'pset'],
  namespaced: false,
  spec: PolicySetSpecSchema,
  status: PolicySetStatusSchema,
  description: 'PolicySet: a named group of policies, with its own placement and a compliance roll-up over its policies.',
  printerColumns: [
    { name: 'POLICIES', jsonPath: '.spec.policies', type: 'count' },
    {
      name: 'COMPLIANCE',
      jsonPath: '.status.compliant',
      type: 'string',
      default: '-',
      tones: { Compliant: 'good', NonCompliant: 'bad', Pending: 'warn', Unknown: 'warn' },
    },
    { name: 'NONCOMPLIANT', jsonPath: '.status.summary.nonCompliant', type: 'integer', default: '0', tones: SUMMARY_TONES },
    { name: 'DESCRIPTION', jsonPath: '.spec.description', type: 'string', default: '', priority: 1 },
    AGE_COLUMN,
    LABELS_COLUMN,
  ],
});

/** The name of a policy's template at `index` (0-based): its own name, or `<policy>-<index+1>`. */
export function templateName(policy: string, template: Pick<PolicyTemplate, 'name'>, index: number): string {
  return template.name ?? `${policy}-${index + 1}`;
}

/**
 * Roll-up of compliance states, after OCM: NonCompliant > Pending > Unknown > Compliant. Undefined
 * for no states (a policy that chooses no cluster has no compliance).
 */
export function rollUpCompliance(states: Iterable<ComplianceState>): ComplianceState | undefined {
  let out: ComplianceState | undefined;
  const rank: Record<ComplianceState, number> = { Compliant: 0, Unknown: 1, Pending: 2, NonCompliant: 3 };
  for (const s of states) if (out === undefined || rank[s] > rank[out]) out = s;
  return out;
}
