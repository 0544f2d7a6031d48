import { redactSyncRule } from '../../../shared/redaction.js';
import { syncRuleKind } from '../../../shared/resources/sync-rule.js';
import { clusterClaimsChanged } from '../clusters/events.js';
import { placementDecisionsChanged } from '../placements/events.js';
import { defineCapability } from '../capability.js';
import { syncAgentRoutes } from './agent-routes.js';
import {
  clusterClaimsChangedStep,
  clusterReaction,
  clusterSetReaction,
  placementChangedStep,
  removeClusterSync,
  syncRuleBehaviour,
} from './behaviours.js';
import { loadDesiredSync } from './desired-sync.js';
import { syncRuleStep } from './propagation.js';
import { bumpDestinationsStep } from './source-objects.js';
import { ingestSyncDestinations } from './status.js';

/**
 * Resource sync: SyncRule copies Kubernetes objects of one kind from source clusters to
 * destination clusters through the hub (no cluster holds another's credentials). Sources report
 * over POST /agent/v1/sync; the hub stores each object once (Secret data sealed with envelope
 * encryption), and destinations receive them, mutated, in the desired state's `sync` part. See
 * docs/resource-sync.md.
 */
export const syncCapability = defineCapability({
  name: 'sync',
  kinds: [syncRuleKind],
  behaviours: [syncRuleBehaviour, clusterReaction, clusterSetReaction],
  steps: [syncRuleStep, bumpDestinationsStep, placementChangedStep, clusterClaimsChangedStep],
  subscriptions: [
    { event: placementDecisionsChanged, step: placementChangedStep },
    { event: clusterClaimsChanged, step: clusterClaimsChangedStep },
  ],
  desiredState: { sync: loadDesiredSync },
  statusReportHandlers: [ingestSyncDestinations],
  clusterCleanups: [{ name: 'sync', run: removeClusterSync }],
  agentRoutes: syncAgentRoutes,
  // A rule of Secrets may state values (overrides, content matches): lists hide them.
  redactions: [{ kind: syncRuleKind.kind, redact: redactSyncRule }],
});
