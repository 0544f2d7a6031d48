import { createContext, type ComponentChildren } from 'preact';
import { useContext } from 'preact/hooks';
import { HubProblemError, listAll } from './api.js';
import type { ClusterObject } from './model/clusters.js';
import type { DeploymentObject } from './model/deployments.js';
import { scaledInterval, usePoll, type Polled } from './poll.js';

/**
 * The two fleet-wide lists every view needs (for the summary at the top, and the Clusters and
 * Deployments views themselves), polled once by the shell and shared, so the summary costs no
 * request of its own on those views.
 */
export interface FleetData {
  clusters: Polled<ClusterObject[]>;
  deployments: Polled<DeploymentObject[]>;
  /** The hub answers 404 for FleetDeployments: it does not serve them. */
  deploymentsUnsupported: boolean;
}

const FleetContext = createContext<FleetData | undefined>(undefined);

/** Loads every cluster (all pages). */
export function loadClusters() {
  return listAll<ClusterObject>('/v1/clusters');
}

/** Polls the fleet's clusters and deployments for everything below it. */
export function FleetDataProvider({ children }: { children: ComponentChildren }) {
  // One page of 500 clusters per 5 s on average, however big the fleet.
  const clusters = usePoll('clusters', loadClusters, (list) => scaledInterval((list?.length ?? 0) / 500));
  const deployments = usePoll(
    'fleetdeployments',
    () => listAll<DeploymentObject>('/v1/fleetdeployments'),
    (list) => scaledInterval((list?.length ?? 0) / 500),
  );
  const deploymentsUnsupported = deployments.cause instanceof HubProblemError && deployments.cause.problem.status === 404;
  return <FleetContext.Provider value={{ clusters, deployments, deploymentsUnsupported }}>{children}</FleetContext.Provider>;
}

/** The shared fleet lists. */
export function useFleet(): FleetData {
  const fleet = useContext(FleetContext);
  if (!fleet) throw new Error('useFleet outside FleetDataProvider');
  return fleet;
}
