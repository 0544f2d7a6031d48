import { z } from 'zod';
import { ClaimSchema } from '../resources/cluster.js';
import { ConditionSchema } from '../resources/meta.js';
import {
  ComplianceStates,
  ComplianceTypes,
  NamespaceSelectorSchema,
  PruneObjectBehaviors,
  RemediationActions,
} from '../resources/policy.js';
import { DesiredInventorySchema } from './inventory.js';
import { DesiredSyncSchema, SyncDestinationReportSchema } from './sync.js';

/**
 * The agent <-> hub wire protocol, version 1 (`/agent/v1/*`). The hub validates every agent body
 * with these schemas; the agent validates every hub answer. Unknown fields are rejected in agent
 * bodies (strict), so a typo or an incompatible agent fails loudly with a clear problem.
 */
export const PROTOCOL_VERSION = 'v1';

/** Well-known claim names the agent reports. User claims use their own names (ConfigMap data keys). */
export const WellKnownClaims = {
  id: 'id.k8s.io',
  kubeVersion: 'kubeversion.tether.dev',
  platform: 'platform.tether.dev',
  nodeCount: 'nodes.tether.dev',
  cpu: 'cpu.allocatable.tether.dev',
  memory: 'memory.allocatable.tether.dev',
  agentVersion: 'agentversion.tether.dev',
  /** Infrastructure provider from the nodes' providerID scheme: `aws`, `gce`, `azure`, `openstack`, `vsphere`, `kind`, ... */
  provider: 'provider.tether.dev',
  /** Kubernetes distribution: EKS, GKE, AKS, OpenShift, RKE2, k3s, k0s, MicroK8s, minikube, kind or generic. */
  distribution: 'distribution.tether.dev',
  /** The nodes' `topology.kubernetes.io/region`. */
  region: 'region.tether.dev',
  /** The nodes' distinct `topology.kubernetes.io/zone` values, sorted, comma-separated. */
  zones: 'zones.tether.dev',
  /** The nodes' distinct kubelet versions, sorted, comma-separated. */
  kubeletVersions: 'kubeletversions.tether.dev',
} as const;

/**
 * Heartbeat thinning on the poll. The agent sends {@link HEARTBEAT_AGE_HEADER}: whole seconds since
 * a poll of its was last recorded as a heartbeat (absent when it knows of none, after a start). The
 * hub records this poll as a heartbeat only when none was recorded for half a lease, and says so
 * with {@link HEARTBEAT_RECORDED_HEADER}. At 30 s polls and a 60 s lease that is every other poll,
 * and a heartbeat still lands at least once per lease. An agent that does not send the header gets
 * every poll recorded.
 */
export const HEARTBEAT_AGE_HEADER = 'tether-heartbeat-age';
/** Response header of a poll the hub recorded as a heartbeat (value `recorded`). */
export const HEARTBEAT_RECORDED_HEADER = 'tether-heartbeat';

/** Label that marks ConfigMaps whose data become user-defined claims. */
export const USER_CLAIM_LABEL = 'tether.dev/claim';

const claims = z.array(ClaimSchema.strict()).max(200);

/** POST /agent/v1/join — Authorization: Bearer <bootstrap token>. */
export const JoinRequestSchema = z
  .object({
    cluster: z.string().min(1).max(63),
    agentVersion: z.string().min(1).max(64),
    claims,
  })
  .strict();
export type JoinRequest = z.infer<typeof JoinRequestSchema>;

/** 202 while acceptance is pending; 200 with the credential once accepted (shown once). */
export const JoinResponseSchema = z.discriminatedUnion('status', [
  z.object({ status: z.literal('Pending'), message: z.string(), retryAfterSeconds: z.number() }),
  z.object({ status: z.literal('Joined'), cluster: z.string(), credential: z.string(), pollIntervalSeconds: z.number() }),
]);
export type JoinResponse = z.infer<typeof JoinResponseSchema>;

/** One manifest's configuration in a work (OCM ManifestConfigOption). */
export const ResourceIdentifierSchema = z
  .object({ group: z.string().default(''), resource: z.string(), namespace: z.string().default(''), name: z.string() })
  .strict();

/** A work as delivered to the agent: what to apply on the spoke. */
export const DesiredWorkSchema = z.object({
  name: z.string(),
  uid: z.string(),
  generation: z.number().int(),
  manifests: z.array(z.record(z.string(), z.unknown())),
  manifestConfigs: z.array(z.record(z.string(), z.unknown())).default([]),
  deleteOption: z.record(z.string(), z.unknown()).optional(),
});
export type DesiredWork = z.infer<typeof DesiredWorkSchema>;

/** One object template of a policy as the agent receives it: rendered for this cluster. */
export const DesiredObjectTemplateSchema = z.object({
  complianceType: z.enum(ComplianceTypes),
  objectDefinition: z.record(z.string(), z.unknown()),
  recordDiff: z.enum(['InStatus', 'None']),
});
export type DesiredObjectTemplate = z.infer<typeof DesiredObjectTemplateSchema>;

/** One policy template (configuration policy) as the agent receives it. */
export const DesiredPolicyTemplateSchema = z.object({
  /** Unique in its policy (defaulted by the hub). */
  name: z.string(),
  objectTemplates: z.array(DesiredObjectTemplateSchema),
  namespaceSelector: NamespaceSelectorSchema.optional(),
  /** Seconds between evaluations; null: never again until the policy changes. */
  evaluationInterval: z.object({ compliant: z.number().int().positive().nullable(), noncompliant: z.number().int().positive().nullable() }),
  pruneObjectBehavior: z.enum(PruneObjectBehaviors),
});
export type DesiredPolicyTemplate = z.infer<typeof DesiredPolicyTemplateSchema>;

/**
 * A policy as the agent of one cluster receives it: templates rendered for that cluster on the hub.
 * `renderError` is set (and `templates` empty) when the templates cannot be rendered for this
 * cluster: the agent then reports NonCompliant with reason `TemplateError` and touches nothing.
 * `disabled` policies are sent so that the agent keeps (and does not prune) what they created; it
 * does not evaluate them.
 */
export const DesiredPolicySchema = z.object({
  name: z.string(),
  uid: z.string(),
  generation: z.number().int(),
  /** Content hash of what the agent gets for this policy (rendered templates, action, dependencies). */
  hash: z.string(),
  remediationAction: z.enum(RemediationActions),
  disabled: z.boolean(),
  dependencies: z.array(z.object({ name: z.string(), compliance: z.enum(['Compliant', 'NonCompliant', 'Pending']) })),
  templates: z.array(DesiredPolicyTemplateSchema),
  renderError: z.string().optional(),
});
export type DesiredPolicy = z.infer<typeof DesiredPolicySchema>;

/** GET /agent/v1/desired — 304 when If-None-Match equals the revision. */
export const DesiredStateSchema = z.object({
  cluster: z.string(),
  /** Opaque revision; also the ETag. */
  revision: z.string(),
  works: z.array(DesiredWorkSchema),
  policies: z.array(DesiredPolicySchema).default([]),
  /** Resource sync: rules this cluster is a source of, and objects it receives (shared/protocol/sync.ts). */
  sync: DesiredSyncSchema.default({ sources: [], destinationRules: [], objects: [] }),
  /** Cluster inventory: the ClusterProfiles this cluster keeps (shared/protocol/inventory.ts). */
  inventory: DesiredInventorySchema.default({ profiles: [] }),
  agent: z.object({ version: z.string(), image: z.string() }),
  /** The hub asks the agent to remove everything it applied and then itself. */
  detach: z.boolean(),
  /** The hub asks the agent to exchange its credential (POST /agent/v1/rotate). */
  rotateCredential: z.boolean(),
  pollIntervalSeconds: z.number().int().positive(),
  leaseDurationSeconds: z.number().int().positive(),
});
export type DesiredState = z.infer<typeof DesiredStateSchema>;

/** Per-resource status inside a work status. */
export const ManifestStatusSchema = z
  .object({
    group: z.string(),
    version: z.string(),
    kind: z.string(),
    resource: z.string().optional(),
    namespace: z.string().optional(),
    name: z.string(),
    conditions: z.array(ConditionSchema).max(20),
    feedback: z
      .array(z.object({ name: z.string(), value: z.union([z.string(), z.number(), z.boolean(), z.null()]) }).strict())
      .max(50)
      .optional(),
  })
  .strict();

export const WorkStatusReportSchema = z
  .object({
    name: z.string(),
    /** Generation of the work the agent last acted on. */
    observedGeneration: z.number().int(),
    conditions: z.array(ConditionSchema).max(20),
    manifests: z.array(ManifestStatusSchema).max(1000),
  })
  .strict();
export type WorkStatusReport = z.infer<typeof WorkStatusReportSchema>;

/** A change someone made to an applied object on the spoke, which the agent noticed. */
export const DriftEventSchema = z
  .object({
    work: z.string(),
    kind: z.string(),
    namespace: z.string().optional(),
    name: z.string(),
    /** Modified or Deleted. */
    change: z.enum(['Modified', 'Deleted']),
    /** Dotted field paths that differed, at most a few dozen. */
    fields: z.array(z.string()).max(50),
    /** Whether the agent re-applied the desired state. */
    corrected: z.boolean(),
    /**
     * Why it was not corrected (with `corrected: false`), in words a person can act on: the
     * manifest's CreateOnly strategy, or the re-apply's failure, such as a server-side apply
     * conflict naming the other field manager and how to take the fields over. Optional, so
     * reports of older agents stay valid.
     */
    reason: z.string().max(2048).optional(),
    time: z.string(),
  })
  .strict();
export type DriftEvent = z.infer<typeof DriftEventSchema>;

/** Longest diff a violation carries (characters); a longer one is cut and marked so. */
export const MAX_VIOLATION_DIFF = 4096;
/** Most objects reported per template (violations first); the count of the rest is in `omittedObjects`. */
export const MAX_REPORTED_OBJECTS = 100;

/** One object a template evaluated, with whether it complies and why (OCM relatedObjects). */
export const ComplianceObjectSchema = z
  .object({
    apiVersion: z.string(),
    kind: z.string(),
    namespace: z.string().optional(),
    /** Empty for an object that a musthave template needs and that has no name match (absent object). */
    name: z.string(),
    compliant: z.boolean(),
    /**
     * Short machine-readable reason: `Matches`, `Missing`, `Mismatch`, `Present` (mustnothave),
     * `KindNotFound`, `Created`, `Updated`, `Deleted`, `EnforceFailed`, `Forbidden`.
     */
    reason: z.string().max(64),
    message: z.string().max(1024).optional(),
    /** A unified-style diff of the fields that differ, with Secret values redacted. */
    diff: z
      .string()
      .max(MAX_VIOLATION_DIFF + 64)
      .optional(),
    /** The agent created this object to enforce the policy (what DeleteIfCreated prunes). */
    createdByPolicy: z.boolean().optional(),
  })
  .strict();
export type ComplianceObject = z.infer<typeof ComplianceObjectSchema>;

export const TemplateComplianceSchema = z
  .object({
    name: z.string(),
    compliance: z.enum(ComplianceStates),
    /** `Pending`: `DependencyNotMet`; NonCompliant: `Violation`, `KindNotFound`, `TemplateError`, `EvaluationFailed`. */
    reason: z.string().max(64).optional(),
    message: z.string().max(2048).optional(),
    objects: z.array(ComplianceObjectSchema).max(MAX_REPORTED_OBJECTS),
    omittedObjects: z.number().int().min(0).optional(),
  })
  .strict();
export type TemplateCompliance = z.infer<typeof TemplateComplianceSchema>;

/** The agent's compliance with one policy. */
export const PolicyComplianceReportSchema = z
  .object({
    name: z.string(),
    /** The policy's uid and generation the agent evaluated. */
    uid: z.string(),
    generation: z.number().int(),
    compliance: z.enum(ComplianceStates),
    /** When the state last changed on the agent (RFC 3339). */
    since: z.string(),
    /** The evaluation this report comes from (RFC 3339); not part of the report hash. */
    evaluatedAt: z.string(),
    templates: z.array(TemplateComplianceSchema).max(50),
  })
  .strict();
export type PolicyComplianceReport = z.infer<typeof PolicyComplianceReportSchema>;

/** POST /agent/v1/status — sent only when something changed (the agent hashes its report). */
export const StatusReportSchema = z
  .object({
    /** Revision of the desired state this report reflects. */
    observedRevision: z.string(),
    agentVersion: z.string().min(1).max(64),
    /** The agent's own health: false makes the cluster Available=False. */
    healthy: z.boolean(),
    message: z.string().max(1024).optional(),
    claims: claims.optional(),
    works: z.array(WorkStatusReportSchema).max(1000).optional(),
    driftEvents: z.array(DriftEventSchema).max(100).optional(),
    /**
     * Compliance of every policy the agent holds whose report changed (the agent debounces flapping
     * ones). Policies not listed keep their last report; `removedPolicies` lists policies the agent
     * dropped (deleted on the hub or no longer placed here).
     */
    policies: z.array(PolicyComplianceReportSchema).max(500).optional(),
    removedPolicies: z.array(z.string()).max(500).optional(),
    /** Resource sync: this cluster's state as a destination, per rule it receives from (all of them, when any changed). */
    syncDestinations: z.array(SyncDestinationReportSchema).max(500).optional(),
    /** Set once the agent has removed everything it applied after a detach request. */
    detached: z.boolean().optional(),
  })
  .strict();
export type StatusReport = z.infer<typeof StatusReportSchema>;

/** POST /agent/v1/rotate — answers a new credential; the old one stays valid for a short overlap. */
export const RotateResponseSchema = z.object({ credential: z.string(), overlapSeconds: z.number() });
export type RotateResponse = z.infer<typeof RotateResponseSchema>;
