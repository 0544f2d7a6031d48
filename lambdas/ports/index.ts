import type { AdminTokenStore } from './admin-token-store.js';
import type { AuditStore } from './audit-store.js';
import type { Clock } from './clock.js';
import type { Envelope } from './envelope.js';
import type { ComplianceHistory } from './compliance-history.js';
import type { ClusterHeadStore } from './cluster-head-store.js';
import type { HeartbeatLog } from './heartbeat-log.js';
import type { Ids } from './ids.js';
import type { AuditLog, Log } from './log.js';
import type { Queue } from './queue.js';
import type { RelationStore } from './relation-store.js';
import type { ResourceStore } from './resource-store.js';
import type { SecretStore } from './secret-store.js';
import type { PendingChangeStore } from './pending-changes.js';

export type { AdminTokenStore, AdminTokenRecord } from './admin-token-store.js';
export type { AuditStore, LegacyAuditRecord, AuditQuery } from './audit-store.js';
export type { Clock } from './clock.js';
export type { Envelope, Sealed, SealContext } from './envelope.js';
export type { ComplianceHistory, ComplianceHistoryQuery } from './compliance-history.js';
export type { ClusterHead, ClusterHeadStore, ClusterHeadState, CredentialHash } from './cluster-head-store.js';
export type { HeartbeatLog } from './heartbeat-log.js';
export type { Ids } from './ids.js';
export type { Log, AuditLog, AuditEvent, SecurityEvent, ResourceChange } from './log.js';
export type { Queue, StepMessage } from './queue.js';
export type { RelationStore } from './relation-store.js';
export type { ResourceStore, ResourceKey, ListOptions, ListPage } from './resource-store.js';
export type { SecretStore } from './secret-store.js';
export type { PendingChange, PendingChangeStore } from './pending-changes.js';

/** Everything the domain services need from the outside world. */
export interface Ports {
  resources: ResourceStore;
  heads: ClusterHeadStore;
  heartbeats: HeartbeatLog;
  relations: RelationStore;
  adminTokens: AdminTokenStore;
  /** The queryable audit trail (what `ports.audit` writes). */
  audits: AuditStore;
  /** The append-only compliance history (governance). */
  complianceHistory: ComplianceHistory;
  /** Secrets the hub makes for itself (the cursor-signing key). */
  secrets: SecretStore;
  /** Admin writes whose follow-up work is not known to be done (replayed by the scheduler). */
  pendingChanges: PendingChangeStore;
  /** Envelope encryption of values the hub stores for others (synced Secret data). */
  envelope: Envelope;
  queue: Queue;
  clock: Clock;
  ids: Ids;
  log: Log;
  audit: AuditLog;
}
