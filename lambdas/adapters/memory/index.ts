/**
 * The hub's ports in process memory: the same contracts as the DynamoDB and SQS adapters (the
 * DynamoDB contract suites in test/integration/dynamodb run against both), for fast tests of the
 * domain and for tools that need no emulator. Not for production: nothing is persisted, and one
 * process is the whole "table".
 */
import type { Clock } from '../../ports/clock.js';
import { systemClock } from '../../ports/clock.js';
import { MemoryAdminTokenStore } from './admin-token-store.js';
import { MemoryClusterHeadStore } from './cluster-head-store.js';
import { MemoryHeartbeatBatches, MemoryHeartbeatLog, type MemoryHeartbeatLogOptions } from './heartbeat-log.js';
import { MemoryQueue } from './queue.js';
import { MemoryRelationStore } from './relation-store.js';
import { MemoryAuditStore } from './audit-store.js';
import { MemoryComplianceHistory } from './compliance-history.js';
import { MemoryResourceStore, type MemoryResourceStoreOptions } from './resource-store.js';
import { MemorySecretStore } from './secret-store.js';
import { MemoryPendingChanges } from './pending-changes.js';
import { memoryEnvelope, type EnvelopeCipher } from '../envelope/cipher.js';

export { MemoryAdminTokenStore } from './admin-token-store.js';
export { MemoryClusterHeadStore } from './cluster-head-store.js';
export { MemoryComplianceHistory } from './compliance-history.js';
export { MemoryHeartbeatBatches, MemoryHeartbeatLog, type MemoryHeartbeatLogOptions } from './heartbeat-log.js';
export { MemoryQueue, type QueuedMessage } from './queue.js';
export { MemoryRelationStore } from './relation-store.js';
export { MemoryResourceStore, type MemoryResourceStoreOptions } from './resource-store.js';
export { MemorySecretStore } from './secret-store.js';
export { MemoryPendingChanges } from './pending-changes.js';

/** The storage ports (as createDynamoPorts builds them) plus the queue, all in memory. */
export interface MemoryPorts {
  resources: MemoryResourceStore;
  heads: MemoryClusterHeadStore;
  heartbeats: MemoryHeartbeatLog;
  /** What every heartbeat log of these ports has written (another process's log reads it too). */
  heartbeatBatches: MemoryHeartbeatBatches;
  relations: MemoryRelationStore;
  adminTokens: MemoryAdminTokenStore;
  audits: MemoryAuditStore;
  complianceHistory: MemoryComplianceHistory;
  secrets: MemorySecretStore;
  pendingChanges: MemoryPendingChanges;
  /** Envelope encryption with a master key of this process (what it seals opens only here). */
  envelope: EnvelopeCipher;
  queue: MemoryQueue;
}

/** Options of {@link createMemoryPorts}. */
export interface MemoryPortsOptions {
  /** The queue's clock, which decides when delayed messages become visible. Default: the system clock. */
  clock?: Clock;
  heartbeats?: MemoryHeartbeatLogOptions;
  resources?: MemoryResourceStoreOptions;
}

/**
 * Builds every storage port and the queue in memory, empty, mirroring createDynamoPorts (one call
 * is one fresh table). The clock, ids and logs are not storage: the caller adds them to make the
 * hub's `Ports`.
 */
export function createMemoryPorts(opts: MemoryPortsOptions = {}): MemoryPorts {
  const heartbeatBatches = new MemoryHeartbeatBatches();
  return {
    resources: new MemoryResourceStore(opts.resources),
    heads: new MemoryClusterHeadStore(),
    heartbeats: new MemoryHeartbeatLog(heartbeatBatches, opts.heartbeats),
    heartbeatBatches,
    relations: new MemoryRelationStore(),
    adminTokens: new MemoryAdminTokenStore(),
    audits: new MemoryAuditStore(),
    complianceHistory: new MemoryComplianceHistory(),
    secrets: new MemorySecretStore(),
    pendingChanges: new MemoryPendingChanges(),
    envelope: memoryEnvelope(),
    queue: new MemoryQueue(opts.clock ?? systemClock),
  };
}
