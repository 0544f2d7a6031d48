import { redactPolicy } from '../../../shared/redaction.js';
import { policyKind, policySetKind } from '../../../shared/resources/policy.js';
import { clusterClaimsChanged } from '../clusters/events.js';
import { placementDecisionsChanged } from '../placements/events.js';
import { defineCapability } from '../capability.js';
import { governanceAdminRoutes } from './admin-routes.js';
import { clusterReaction, policyBehaviour, policySetBehaviour } from './behaviours.js';
import { loadDesiredPolicies } from './desired-policies.js';
import { ingestPolicyReports } from './ingest.js';
import { clusterClaimsChangedStep, placementChangedStep, removeClusterPolicies, syncPolicyStep } from './propagation.js';

/**
 * Governance: Policy and PolicySet, rendered per cluster into the desired state's `policies` part,
 * evaluated (and with `enforce`, remediated) by each agent, reported back as compliance, kept as
 * current compliance per (policy, cluster) and as an append-only history. See docs/governance.md.
 */
export const governanceCapability = defineCapability({
  name: 'governance',
  kinds: [policyKind, policySetKind],
  behaviours: [policyBehaviour, policySetBehaviour, clusterReaction],
  steps: [syncPolicyStep],
  subscriptions: [
    { event: placementDecisionsChanged, step: placementChangedStep },
    { event: clusterClaimsChanged, step: clusterClaimsChangedStep },
  ],
  desiredState: { policies: loadDesiredPolicies },
  statusReportHandlers: [ingestPolicyReports],
  clusterCleanups: [{ name: 'governance', run: removeClusterPolicies }],
  adminRoutes: governanceAdminRoutes,
  // Object definitions may state Secrets: lists hide their values (shared/redaction.ts).
  redactions: [{ kind: policyKind.kind, redact: redactPolicy }],
});
