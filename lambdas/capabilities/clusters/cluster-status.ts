import { canonicalJson } from '../../../shared/hash.js';
import {
  ClusterConditions,
  TAINT_UNAVAILABLE,
  TAINT_UNREACHABLE,
  type ClusterPhase,
  type ClusterSpec,
  type ClusterStatus,
  type Taint,
} from '../../../shared/resources/cluster.js';
import { getCondition, setCondition, type Condition, type Resource } from '../../../shared/resources/meta.js';
import type { ClusterHead } from '../../ports/cluster-head-store.js';

/**
 * Pure transformations of the Cluster record's status (and of the hub-owned taints in its spec).
 * Each returns a new object; callers write it only when it differs from what they read.
 */

/** A Cluster record. */
export type ClusterResource = Resource<ClusterSpec, ClusterStatus>;

/** Condition input without the transition time (setCondition keeps it when the status holds). */
export type ConditionInput = Omit<Condition, 'lastTransitionTime'>;

/** Reasons the hub writes, collected so docs and tests use the same words. */
export const Reasons = {
  accepted: 'HubClusterAdminAccepted',
  awaiting: 'AwaitingAcceptance',
  denied: 'HubClusterAdminDenied',
  joined: 'AgentJoined',
  notJoined: 'AgentNotJoined',
  revoked: 'CredentialsRevoked',
  available: 'AgentAvailable',
  unhealthy: 'AgentUnhealthy',
  leaseExpired: 'LeaseExpired',
  noLease: 'NoLease',
  upgrading: 'Upgrading',
  upgraded: 'Upgraded',
  upgradeFailed: 'UpgradeFailed',
  idConflict: 'ClusterIdChanged',
  idMatches: 'ClusterIdMatches',
} as const;

/** Hub-owned taint keys: the hub adds and removes these; every other taint belongs to users. */
export const HUB_TAINTS = [TAINT_UNREACHABLE, TAINT_UNAVAILABLE] as const;

function statusOf(res: ClusterResource): ClusterStatus {
  return res.status ?? { conditions: [] };
}

/** Sets one condition. */
export function withCondition(res: ClusterResource, condition: ConditionInput, now: string): ClusterResource {
  const status = statusOf(res);
  return { ...res, status: { ...status, conditions: setCondition(status.conditions, condition, now) } };
}

/** Sets `status.phase`. */
export function withPhase(res: ClusterResource, phase: ClusterPhase): ClusterResource {
  return { ...res, status: { ...statusOf(res), phase } };
}

/**
 * The hub taint an Available condition calls for: Unknown -> unreachable, False -> unavailable.
 * As in Open Cluster Management, a cluster whose agent never reported (Unknown, NoLease: imported
 * but not accepted, or accepted with no agent yet) is unreachable too: placements do not choose it,
 * so a rollout neither waits for nor fails on a store whose hardware has not arrived. Its first
 * lease makes it Available and lifts the taint, and placements then choose it.
 */
export function hubTaintFor(available: Condition | undefined): string | undefined {
  if (!available) return undefined;
  if (available.status === 'Unknown') return TAINT_UNREACHABLE;
  if (available.status === 'False') return TAINT_UNAVAILABLE;
  return undefined;
}

/**
 * Makes the hub-owned taints agree with the Available condition, keeping every user taint and the
 * `timeAdded` of a hub taint that stays. Users' writes cannot remove a hub taint (see withTaintsOf).
 */
export function withHubTaints(res: ClusterResource, now: string): ClusterResource {
  const want = hubTaintFor(getCondition(statusOf(res).conditions, ClusterConditions.Available));
  const taints = res.spec.taints ?? [];
  const kept = taints.filter((t) => !(HUB_TAINTS as readonly string[]).includes(t.key) || t.key === want);
  const next: Taint[] = want && !kept.some((t) => t.key === want) ? [...kept, { key: want, effect: 'NoSelect', timeAdded: now }] : kept;
  if (next.length === taints.length && next.every((t, i) => t === taints[i])) return res;
  return { ...res, spec: { ...res.spec, taints: next } };
}

/**
 * The user's taints of `next` with the hub taints of `stored`: what a user's write leaves, so an
 * apply can neither drop a hub taint (nor restart its `timeAdded`, which tolerationSeconds counts
 * from) nor add one.
 */
export function withTaintsOf(next: ClusterResource, stored: ClusterResource): ClusterResource {
  const isHub = (t: Taint) => (HUB_TAINTS as readonly string[]).includes(t.key);
  const taints = [...(next.spec.taints ?? []).filter((t) => !isHub(t)), ...(stored.spec.taints ?? []).filter(isHub)];
  return { ...next, spec: { ...next.spec, taints } };
}

/** Sets the Available condition and the taints that go with it. */
export function withAvailable(res: ClusterResource, condition: Omit<ConditionInput, 'type'>, now: string): ClusterResource {
  return withHubTaints(withCondition(res, { type: ClusterConditions.Available, ...condition }, now), now);
}

/**
 * The Available condition a lease transition calls for, or undefined to leave it alone.
 * - live lease: True, unless the agent's last report said it is unhealthy (then False);
 * - lost lease: Unknown, but only for a cluster that was seen (True or False) — one that never
 *   reported keeps "NoLease", and one already Unknown keeps its first transition time and message.
 */
export function availabilityFor(res: ClusterResource, live: boolean, silentFor?: number): Omit<ConditionInput, 'type'> | undefined {
  const status = statusOf(res);
  const current = getCondition(status.conditions, ClusterConditions.Available);
  if (live) {
    if (status.agentHealth?.healthy === false) {
      return { status: 'False', reason: Reasons.unhealthy, message: status.agentHealth.message ?? 'The agent reports itself unhealthy' };
    }
    return { status: 'True', reason: Reasons.available, message: 'The agent renews its lease' };
  }
  if (!current || current.status === 'Unknown') return undefined;
  const message = silentFor === undefined ? 'no heartbeat within three lease durations' : `no heartbeat for ${silentFor} s`;
  return { status: 'Unknown', reason: Reasons.leaseExpired, message };
}

/**
 * Phase and acceptance conditions for the head's lifecycle state, after an admin action or a
 * join. Available is left to the lease, except on deny, where the hub itself cut the agent off.
 */
export function withHeadState(res: ClusterResource, head: Pick<ClusterHead, 'state'>, now: string): ClusterResource {
  const accepted: ConditionInput = {
    type: ClusterConditions.HubAccepted,
    status: 'True',
    reason: Reasons.accepted,
    message: 'Accepted by the hub administrator',
  };
  switch (head.state) {
    case 'Pending':
      return withPhase(
        withCondition(
          res,
          {
            type: ClusterConditions.HubAccepted,
            status: 'False',
            reason: Reasons.awaiting,
            message: 'Waiting for `tether cluster accept`',
          },
          now,
        ),
        'Pending',
      );
    case 'Accepted':
      return withPhase(withCondition(res, accepted, now), 'Accepted');
    case 'Joined':
      return withPhase(withCondition(res, accepted, now), 'Joined');
    case 'Denied': {
      let next = withCondition(
        res,
        {
          type: ClusterConditions.HubAccepted,
          status: 'False',
          reason: Reasons.denied,
          message: 'Denied by the hub administrator; the bootstrap token and credentials are revoked',
        },
        now,
      );
      next = withCondition(
        next,
        {
          type: ClusterConditions.Joined,
          status: 'False',
          reason: Reasons.revoked,
          message: 'The agent was cut off when the cluster was denied',
        },
        now,
      );
      const available = getCondition(statusOf(next).conditions, ClusterConditions.Available);
      if (available && available.status !== 'Unknown') {
        next = withAvailable(
          next,
          { status: 'Unknown', reason: Reasons.revoked, message: 'The cluster was denied; the hub no longer hears from its agent' },
          now,
        );
      }
      return withPhase(next, 'Denied');
    }
    case 'Detaching':
    case 'Detached':
      return withPhase(res, 'Detaching');
  }
}

/** True when two records differ in what the hub writes (spec taints or status). */
export function recordChanged(a: ClusterResource, b: ClusterResource): boolean {
  return canonicalJson([a.spec, a.status]) !== canonicalJson([b.spec, b.status]);
}
