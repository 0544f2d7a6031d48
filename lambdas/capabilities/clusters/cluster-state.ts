import { ClusterConditions, type ClusterState, type ClusterStatus } from '../../../shared/resources/cluster.js';
import { getCondition } from '../../../shared/resources/meta.js';
import { Reasons, type ClusterResource } from './cluster-status.js';

/**
 * `status.state`: one word for where a cluster stands, the STATUS column of `tether get clusters`.
 * Computed at read time from what the record holds (acceptance gate, phase, Available condition),
 * never stored, so no write path (and never the poll path) has to keep it up to date.
 */

/** The state of a Cluster record. Lifecycle first (detaching, denied, pending), then availability. */
export function clusterState(res: ClusterResource): ClusterState {
  const status = (res.status ?? { conditions: [] }) as ClusterStatus;
  if (res.metadata.deletionTimestamp || status.phase === 'Detaching') return 'Detaching';
  if (status.phase === 'Denied') return 'Denied';
  if (!res.spec.hubAcceptsClient) return 'PendingAcceptance';
  const available = getCondition(status.conditions, ClusterConditions.Available);
  if (available?.status === 'True') return 'Available';
  if (available?.status === 'False') return 'Unavailable';
  // Unknown: never reported (accepted, the agent has not polled yet), or its heartbeats stopped.
  if (!available || available.reason === Reasons.noLease) return 'WaitingForAgent';
  return 'Unknown';
}

/** The record with `status.state` filled in. */
export function withState(res: ClusterResource): ClusterResource {
  const status = (res.status ?? { conditions: [] }) as ClusterStatus;
  return { ...res, status: { ...status, state: clusterState(res) } };
}
