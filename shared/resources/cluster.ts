import { z } from 'zod';
import { AGE_COLUMN, conditionColumn, defineKind, LABELS_COLUMN, type PrinterColumn } from './define-kind.js';
import { ConditionSchema } from './meta.js';

/** Taint effects, as in Open Cluster Management. */
export const TaintEffects = ['NoSelect', 'PreferNoSelect', 'NoSelectIfNew'] as const;

export const TaintSchema = z
  .object({
    key: z.string().min(1, 'taint key is required').describe('The taint key, e.g. tether.dev/unreachable.'),
    value: z.string().optional().describe('The taint value, matched by tolerations with operator Equal.'),
    effect: z
      .enum(TaintEffects, { error: `effect must be one of ${TaintEffects.join(', ')}` })
      .describe(
        'NoSelect: placements do not choose the cluster unless they tolerate the taint; PreferNoSelect: avoided when others fit; NoSelectIfNew: kept where already chosen, never newly chosen.',
      ),
    timeAdded: z.string().optional().describe('When the taint was added (RFC 3339); set by the hub for its own taints.'),
  })
  .strict();
export type Taint = z.infer<typeof TaintSchema>;

/** Taint the hub sets while a cluster's lease is stale (Available=Unknown). */
export const TAINT_UNREACHABLE = 'tether.dev/unreachable';
/** Taint the hub sets while a cluster reports itself unhealthy (Available=False). */
export const TAINT_UNAVAILABLE = 'tether.dev/unavailable';

/** Cluster condition types. */
export const ClusterConditions = {
  HubAccepted: 'HubAccepted',
  Joined: 'Joined',
  Available: 'Available',
  /** The agent runs the version in spec.agent.version (False while upgrading or after a failed upgrade). */
  AgentUpgraded: 'AgentUpgraded',
  /** An agent claimed a cluster ID (id.k8s.io) other than the one recorded for this cluster name. */
  ClusterIdConflict: 'ClusterIdConflict',
} as const;

/** Lifecycle phases in `status.phase`. */
export const ClusterPhases = ['Pending', 'Accepted', 'Joined', 'Denied', 'Detaching'] as const;
export type ClusterPhase = (typeof ClusterPhases)[number];

/**
 * Where a cluster stands, in `status.state` (the STATUS column), computed by the hub at read time:
 * - `PendingAcceptance`: registered; `tether cluster accept` lets its agent join;
 * - `Denied`: the hub refuses its agent;
 * - `WaitingForAgent`: accepted; its agent has not reported yet;
 * - `Available`: its agent renews its lease and reports itself healthy;
 * - `Unavailable`: its agent reports itself unhealthy;
 * - `Unknown`: its agent reported before but its heartbeats stopped (three lease durations);
 * - `Detaching`: being detached or deleted.
 */
export const ClusterStates = [
  'PendingAcceptance',
  'Denied',
  'WaitingForAgent',
  'Available',
  'Unavailable',
  'Unknown',
  'Detaching',
] as const;
export type ClusterState = (typeof ClusterStates)[number];

export const ClusterSpecSchema = z
  .object({
    /** The acceptance gate: an agent may join only while this is true. */
    hubAcceptsClient: z
      .boolean()
      .default(false)
      .describe("The acceptance gate: the cluster's agent may join only while this is true (tether cluster accept|deny)."),
    /** How often the agent must renew its lease; Available turns Unknown after 3x this. */
    leaseDurationSeconds: z
      .number()
      .int()
      .min(10)
      .max(3600)
      .default(60)
      .describe('How often the agent must renew its lease, in seconds; Available turns Unknown after 3 missed renewals.'),
    taints: z
      .array(TaintSchema)
      .default([])
      .describe(
        'Taints keep placements away from the cluster unless they tolerate them; the hub adds tether.dev/unreachable and tether.dev/unavailable itself.',
      ),
    agent: z
      .object({
        /** Desired agent version; the agent upgrades itself to it. */
        version: z.string().min(1).optional().describe('Desired agent version; the agent upgrades itself to it (tether cluster upgrade).'),
      })
      .strict()
      .optional()
      .describe('The agent the cluster should run.'),
  })
  .strict();
export type ClusterSpec = z.infer<typeof ClusterSpecSchema>;

export const ClaimSchema = z.object({ name: z.string(), value: z.string() });

export const ClusterStatusSchema = z.object({
  conditions: z.array(ConditionSchema).default([]),
  claims: z.array(ClaimSchema).optional(),
  /** Names of the ClusterSets this cluster belongs to, kept by the membership step. */
  clusterSets: z.array(z.string()).optional(),
  version: z.object({ kubernetes: z.string().optional() }).optional(),
  lastSeen: z.string().optional(),
  agentVersion: z.string().optional(),
  /** Lifecycle phase: Pending, Accepted, Joined, Denied, Detaching. */
  phase: z.string().optional(),
  /** One of {@link ClusterStates}: computed when the hub answers a read, never stored. */
  state: z.string().optional(),
  /**
   * The agent's own health from its last status report. Kept apart from the Available condition,
   * which a lost lease overrides, so that health survives an outage the agent does not re-report.
   */
  agentHealth: z.object({ healthy: z.boolean(), message: z.string().optional() }).optional(),
});
export type ClusterStatus = z.infer<typeof ClusterStatusSchema>;

/**
 * A wide-only column showing one claim's value (registry metadata the agent measures; the names
 * are `WellKnownClaims` of shared/protocol/v1.ts). A JSONPath filter finds the claim by name.
 */
function claimColumn(name: string, claim: string): PrinterColumn {
  return { name, jsonPath: `.status.claims[?(@.name=='${claim}')].value`, type: 'list', priority: 1 };
}

/** The Cluster kind. */
export const clusterKind = defineKind({
  kind: 'Cluster',
  plural: 'clusters',
  singular: 'cluster',
  shortNames: ['cl'],
  namespaced: false,
  spec: ClusterSpecSchema,
  status: ClusterStatusSchema,
  description: 'A managed Kubernetes cluster (a spoke) registered with the hub.',
  printerColumns: [
    {
      name: 'STATUS',
      jsonPath: '.status.state',
      type: 'string',
      tones: {
        Available: 'good',
        Unknown: 'bad',
        Denied: 'bad',
        Unavailable: 'bad',
        PendingAcceptance: 'warn',
        WaitingForAgent: 'warn',
        Detaching: 'warn',
      },
    },
    { name: 'ACCEPTED', jsonPath: '.spec.hubAcceptsClient', type: 'boolean', default: 'false' },
    conditionColumn('JOINED'),
    conditionColumn('AVAILABLE'),
    { name: 'K8S', jsonPath: '.status.version.kubernetes', type: 'string' },
    { name: 'AGENT', jsonPath: '.status.agentVersion', type: 'string' },
    { name: 'SETS', jsonPath: '.status.clusterSets', type: 'list' },
    claimColumn('PROVIDER', 'provider.tether.dev'),
    claimColumn('DISTRIBUTION', 'distribution.tether.dev'),
    claimColumn('REGION', 'region.tether.dev'),
    AGE_COLUMN,
    LABELS_COLUMN,
    { name: 'LAST-SEEN', jsonPath: '.status.lastSeen', type: 'ago', default: 'never', priority: 1 },
  ],
});
