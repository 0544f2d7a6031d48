import { z } from 'zod';

/**
 * Teams on one hub: who is calling (a {@link Principal}), what a role allows, and the audit event
 * every change and every denial leaves. Shared by the hub (authentication, authorization, audit),
 * the CLI (`tether auth`, `tether token`, `tether audit`) and the console (which hides what a role
 * cannot do). Agent credentials are not principals: they never reach admin routes.
 */

/** Built-in roles; custom roles are hub resources listing verbs × kinds. */
export const BuiltInRoles = ['admin', 'operator', 'viewer', 'auditor'] as const;
export type BuiltInRole = (typeof BuiltInRoles)[number];

/**
 * Verbs of the authorization model, after Kubernetes RBAC plus two of Tether's own:
 * `control` (rollout pause/resume/promote/abort, cluster accept/deny/detach: actions on a resource),
 * `export` (compliance and audit reports).
 */
export const Verbs = ['get', 'list', 'create', 'update', 'patch', 'delete', 'control', 'export'] as const;
export type Verb = (typeof Verbs)[number];

/** How the caller proved who it is. */
export const PrincipalSources = ['token', 'oidc'] as const;
export type PrincipalSource = (typeof PrincipalSources)[number];

/** An authenticated admin-API caller. */
export interface Principal {
  source: PrincipalSource;
  /** User name: a token's `token:<name>`, or the OIDC username claim (e.g. an e-mail). */
  username: string;
  /** Stable id: the token's name, or the OIDC `sub`. */
  uid: string;
  /** Groups: the OIDC groups claim; empty for tokens. */
  groups: readonly string[];
  /** Epoch ms after which the credential is no longer valid, when known. */
  expiresAt?: number;
}

/** An authorization answer: what `GET /v1/auth/can-i` returns and what each audit event records. */
export const AuthzDecisionSchema = z.object({
  allowed: z.boolean(),
  /** The binding and rule that decided (`binding/<name>: deny delete policies`), or why nothing matched. */
  reason: z.string(),
  /** Cluster sets the allowance is scoped to; absent when unscoped (every cluster). */
  clusterSets: z.array(z.string()).optional(),
});
export type AuthzDecision = z.infer<typeof AuthzDecisionSchema>;

/** Stages of an audit event (a subset of Kubernetes' audit stages: the hub records the outcome only). */
export const AuditStages = ['ResponseComplete'] as const;

/**
 * One audit record in the shape of Kubernetes' `audit.k8s.io/v1` Event, plus Tether's `decision`
 * and, for writes, a redacted `diff`. Never carries a token or a Secret value.
 */
export const AuditEventSchema = z.object({
  apiVersion: z.literal('audit.k8s.io/v1'),
  kind: z.literal('Event'),
  level: z.enum(['Metadata', 'Request', 'RequestResponse']),
  auditID: z.string(),
  stage: z.enum(AuditStages),
  /** The hub's route, e.g. `/v1/policies/pci-owner`. */
  requestURI: z.string(),
  /** `get`, `list`, `create`, ... or a Tether verb (`control`, `export`, `login`, `authenticate`). */
  verb: z.string(),
  user: z.object({ username: z.string(), uid: z.string().optional(), groups: z.array(z.string()).optional() }),
  sourceIPs: z.array(z.string()).optional(),
  userAgent: z.string().optional(),
  objectRef: z
    .object({
      resource: z.string().optional(),
      name: z.string().optional(),
      namespace: z.string().optional(),
      apiGroup: z.string().optional(),
      apiVersion: z.string().optional(),
      subresource: z.string().optional(),
    })
    .optional(),
  responseStatus: z.object({
    code: z.number().int(),
    status: z.string().optional(),
    reason: z.string().optional(),
    message: z.string().optional(),
  }),
  requestReceivedTimestamp: z.string(),
  stageTimestamp: z.string(),
  /** Tether: allowed or not, and the rule that matched. */
  decision: AuthzDecisionSchema.optional(),
  /** Tether: the cluster sets the object belongs to (for scoped queries). */
  clusterSets: z.array(z.string()).optional(),
  /** Tether: for writes, an RFC 7396 merge patch from the old object to the new one, Secret values redacted. */
  diff: z.unknown().optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});
export type AuditEvent = z.infer<typeof AuditEventSchema>;

/** Effects of a rule: deny rules win over allow rules. */
export const RuleEffects = ['allow', 'deny'] as const;
export type RuleEffect = (typeof RuleEffects)[number];

/**
 * One rule of a role: `verbs` × `kinds` (a kind name such as `Placement`, a pseudo-kind such as
 * `AuditRecord` or `ApiToken`, or `*` for every kind), allowed or denied.
 */
export const RoleRuleSchema = z
  .object({
    effect: z.enum(RuleEffects).default('allow'),
    verbs: z
      .array(z.union([z.enum(Verbs), z.literal('*')]))
      .min(1)
      .max(20),
    kinds: z
      .array(z.string().regex(/^(\*|[A-Z][A-Za-z0-9]{0,62})$/, 'a kind name (e.g. Placement) or *'))
      .min(1)
      .max(50),
  })
  .strict();
export type RoleRule = z.infer<typeof RoleRuleSchema>;

/** What `GET /v1/auth/whoami` answers: who the caller is and everything it is granted. */
export const WhoAmISchema = z.object({
  username: z.string(),
  uid: z.string(),
  groups: z.array(z.string()),
  source: z.enum(PrincipalSources),
  expiresAt: z.number().optional(),
  bindings: z.array(z.object({ name: z.string(), role: z.string(), clusterSets: z.array(z.string()).optional() })),
  rules: z.array(
    z.object({
      effect: z.enum(RuleEffects),
      verbs: z.array(z.string()),
      kinds: z.array(z.string()),
      clusterSets: z.array(z.string()).optional(),
    }),
  ),
});
export type WhoAmI = z.infer<typeof WhoAmISchema>;

/** Pseudo-kinds: what routes act on that is not a stored resource kind. */
export const PseudoKinds = {
  /** API tokens (`/v1/tokens`). */
  ApiToken: 'ApiToken',
  /** The audit trail (`/v1/audit`). */
  AuditRecord: 'AuditRecord',
  /** The compliance history (`/v1/compliance/events`). */
  ComplianceEvent: 'ComplianceEvent',
  /** Compliance reports (`/v1/compliance/report`, verb `export`). */
  ComplianceReport: 'ComplianceReport',
  /** Fleet events (`/v1/events`). */
  Event: 'Event',
} as const;

/** The annotation where the hub records the cluster sets a scoped writer may place into. */
export const SCOPE_ANNOTATION = 'tether.dev/scope-clustersets';
