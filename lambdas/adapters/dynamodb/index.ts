import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AdminTokenStore } from '../../ports/admin-token-store.js';
import type { AuditStore } from '../../ports/audit-store.js';
import { DynamoAuditStore } from './audit-store.js';
import { DynamoComplianceHistory } from './compliance-history.js';
import type { ComplianceHistory } from '../../ports/compliance-history.js';
import type { ClusterHeadStore } from '../../ports/cluster-head-store.js';
import type { HeartbeatLog } from '../../ports/heartbeat-log.js';
import type { RelationStore } from '../../ports/relation-store.js';
import type { ResourceStore } from '../../ports/resource-store.js';
import { DynamoAdminTokenStore } from './admin-token-store.js';
import { DynamoClusterHeadStore } from './cluster-head-store.js';
import { DynamoHeartbeatLog, type HeartbeatLogOptions } from './heartbeat-log.js';
import { DynamoRelationStore } from './relation-store.js';
import { DynamoResourceStore } from './resource-store.js';
import type { SecretStore } from '../../ports/secret-store.js';
import { DynamoSecretStore } from './secret-store.js';
import type { PendingChangeStore } from '../../ports/pending-changes.js';
import { DynamoPendingChanges } from './pending-changes.js';

export { DynamoAdminTokenStore } from './admin-token-store.js';
export { DynamoAuditStore } from './audit-store.js';
export { DynamoComplianceHistory } from './compliance-history.js';
export { DynamoClusterHeadStore, MAX_HEAD_BYTES } from './cluster-head-store.js';
export { createTableIfMissing } from './create-table.js';
export { DynamoHeartbeatLog, HEARTBEAT_FLUSH_INTERVAL_MS, MAX_HEARTBEAT_FLUSH_SECONDS, type HeartbeatLogOptions } from './heartbeat-log.js';
export { countOperations, type OperationCounter, type OperationSnapshot } from './op-counter.js';
export { DynamoRelationStore } from './relation-store.js';
export { COMPRESS_THRESHOLD_BYTES, MAX_ITEM_BYTES } from './resource-item.js';
export { DynamoResourceStore, type DynamoResourceStoreOptions } from './resource-store.js';
export { DynamoSecretStore } from './secret-store.js';
export { DynamoPendingChanges } from './pending-changes.js';
export { TABLE } from './table.js';

/** The storage ports that live in the single table. */
export interface DynamoPorts {
  resources: ResourceStore;
  heads: ClusterHeadStore;
  heartbeats: HeartbeatLog;
  relations: RelationStore;
  adminTokens: AdminTokenStore;
  audits: AuditStore;
  complianceHistory: ComplianceHistory;
  secrets: SecretStore;
  pendingChanges: PendingChangeStore;
}

/**
 * Builds every table-backed port on one client and table. Handlers call this once per Lambda
 * container (module scope), the local hub once per process: the heartbeat log's buffer lives as
 * long as the ports do.
 */
export function createDynamoPorts(
  client: DynamoDBClient,
  tableName: string,
  opts: { heartbeats?: HeartbeatLogOptions; auditRetentionDays?: number } = {},
): DynamoPorts {
  return {
    resources: new DynamoResourceStore(client, tableName),
    heads: new DynamoClusterHeadStore(client, tableName),
    heartbeats: new DynamoHeartbeatLog(client, tableName, opts.heartbeats),
    relations: new DynamoRelationStore(client, tableName),
    adminTokens: new DynamoAdminTokenStore(client, tableName),
    audits: new DynamoAuditStore(client, tableName, opts.auditRetentionDays),
    complianceHistory: new DynamoComplianceHistory(client, tableName),
    secrets: new DynamoSecretStore(client, tableName),
    pendingChanges: new DynamoPendingChanges(client, tableName),
  };
}
