/**
 * The agent's Kubernetes layer: the ClusterApi port, its errors and types, the in-memory cluster
 * and apply ordering. The client-node adapter is deliberately not re-exported: import it from
 * `./node-adapter.js` only where a real cluster is used, so simulations never load client-node.
 */
export * from './apply-order.js';
export * from './cluster-api.js';
export * from './errors.js';
export { MemoryCluster, OUT_OF_BAND_MANAGER } from './memory-cluster.js';
export type { CallMatcher, ClusterCall, ClusterVerb, KubeDistribution, MemoryClusterOptions, NodeSpec } from './memory-cluster.js';
export * from './types.js';
