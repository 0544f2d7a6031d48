import type { DesiredSync, SyncDestinationReport, SyncReport, SyncReportResponse } from '../../shared/protocol/sync.js';
import { CredentialRejectedError } from '../errors.js';
import type { ClusterApi } from '../kube/cluster-api.js';
import type { AgentLog } from '../log.js';
import { destinationReports } from './destination-report.js';
import { SyncDestination, type DestinationPass } from './destination.js';
import { SyncSource, type SourcePass } from './source.js';
import { SyncStore, type SyncState } from './sync-store.js';

/**
 * Resource sync on the spoke (agent/sync): runs beside works and policies in the agent's loop, on
 * its own schedule, and costs nothing on a cluster without sync rules (no Kubernetes call, no hub
 * call). Schedule:
 *
 * - sources: every source rule when the desired state changed (a new rule, or a new digest from
 *   the hub), and each rule again every `sourceResyncMs` (default: every poll): one discovery and
 *   one to a few LISTs per rule, hashing in memory; a report only when the digest differs;
 * - destinations: objects whose content, origin or conflict policy changed, on every pass (no
 *   Kubernetes call while nothing changed); every object again every `destinationRecheckMs`
 *   (default 10 min), which repairs copies deleted or edited by hand and retries conflicts.
 *
 * Its memory (copies written, delete policies, Blocked sources) lives in a ConfigMap of the agent's
 * namespace (./sync-store.ts), read once the first time sync has anything to do.
 */

/** Options of {@link SyncAgent}. */
export interface SyncAgentOptions {
  api: ClusterApi;
  namespace: string;
  log: AgentLog;
  now: () => number;
  /** How often each source rule is listed again. Default: on every pass (every poll). */
  sourceResyncMs?: number;
  /** How often every destination object is checked again. Default 10 min. */
  destinationRecheckMs?: number;
  /** First retry of a Blocked source rule. Default 15 s. */
  blockedRetryMs?: number;
}

/** The outcome of a pass. */
export interface SyncPass {
  source?: SourcePass;
  destination?: DestinationPass;
}

/** What the status reporter reads: undefined until this cluster received from any rule. */
export interface SyncStatusSource {
  destinations(): SyncDestinationReport[] | undefined;
}

const DEFAULT_RECHECK_MS = 10 * 60_000;
/** Most rules in one status report's `syncDestinations` (the protocol's limit). */
const MAX_DESTINATION_REPORTS = 500;

/** Runs resource sync. One per agent. */
export class SyncAgent implements SyncStatusSource {
  private readonly store: SyncStore;
  private readonly source: SyncSource;
  private readonly destination: SyncDestination;
  private state?: SyncState;
  private clusterId?: string;
  /** Whether sync may have left something on this cluster (then an empty desired part still needs a pass). */
  private active = false;
  private receiving = false;
  private nextRecheckAt = 0;
  private last?: DesiredSync;

  constructor(private readonly options: SyncAgentOptions) {
    this.store = new SyncStore(options.api, options.namespace, options.log);
    this.source = new SyncSource({
      api: options.api,
      log: options.log,
      now: options.now,
      resyncMs: options.sourceResyncMs ?? 0,
      blockedRetryMs: options.blockedRetryMs,
    });
    this.destination = new SyncDestination({ api: options.api, log: options.log });
  }

  /** The desired state a restarted agent found in its namespace: sync may have written copies before. */
  noteStored(sync: DesiredSync | undefined): void {
    if (sync && !isEmpty(sync)) this.active = true;
  }

  /**
   * One pass. Never throws but for a rejected credential (the agent's loop handles that).
   * @param send POST /agent/v1/sync with the agent's credential.
   * @param changed whether this poll brought a new desired state.
   */
  async run(sync: DesiredSync, send: (r: SyncReport) => Promise<SyncReportResponse>, changed: boolean): Promise<SyncPass> {
    if (isEmpty(sync) && !this.active) return {};
    this.active = true;
    this.last = sync;
    if (sync.destinationRules.length > 0 || sync.objects.length > 0) this.receiving = true;
    const { log, now } = this.options;
    const pass: SyncPass = {};
    try {
      this.state ??= await this.store.load();
    } catch (err) {
      log.warn('resource sync: cannot read the sync state; will retry next pass', { error: err });
      return pass;
    }
    const state = this.state;
    const full = now() >= this.nextRecheckAt;
    if (full) this.nextRecheckAt = now() + (this.options.destinationRecheckMs ?? DEFAULT_RECHECK_MS);
    pass.destination = await this.destination.run(sync, state, full);
    if (sync.sources.length > 0 || Object.keys(state.blockedSources).length > 0) {
      const clusterId = await this.ownClusterId();
      if (clusterId !== undefined) {
        try {
          pass.source = await this.source.run(sync.sources, { clusterId, state, send, force: changed });
        } catch (err) {
          if (err instanceof CredentialRejectedError) throw err;
          log.warn('resource sync: source pass failed; will retry', { error: err });
        }
      }
    }
    try {
      await this.store.save(state);
    } catch (err) {
      log.warn('resource sync: could not write the sync state; will retry', { error: err });
    }
    if (
      isEmpty(sync) &&
      state.copies.length === 0 &&
      Object.keys(state.rules).length === 0 &&
      Object.keys(state.blockedSources).length === 0
    )
      this.active = false;
    return pass;
  }

  destinations(): SyncDestinationReport[] | undefined {
    if (!this.receiving || !this.last) return undefined;
    return destinationReports(this.last, (o) => this.destination.outcome(o)).slice(0, MAX_DESTINATION_REPORTS);
  }

  /**
   * Detach: the cluster leaves every rule. Copies whose rule says Propagate are deleted, Orphan
   * ones stay; no hub call. A no-op (no call at all) when sync never ran here.
   */
  async leaveAll(): Promise<void> {
    const none: DesiredSync = { sources: [], destinationRules: [], objects: [] };
    await this.run(none, async () => Promise.reject(new Error('no sync report during detach')), false);
  }

  /** This cluster's ID (the kube-system namespace's UID), which origin annotations name. */
  private async ownClusterId(): Promise<string | undefined> {
    if (this.clusterId) return this.clusterId;
    try {
      const ns = await this.options.api.get({ apiVersion: 'v1', kind: 'Namespace', name: 'kube-system' });
      this.clusterId = ns?.metadata.uid;
      if (!this.clusterId) this.options.log.warn('resource sync: the kube-system namespace has no UID; sources wait');
    } catch (err) {
      this.options.log.warn('resource sync: cannot read the kube-system namespace; sources wait', { error: err });
    }
    return this.clusterId;
  }
}

function isEmpty(sync: DesiredSync): boolean {
  return sync.sources.length === 0 && sync.destinationRules.length === 0 && sync.objects.length === 0;
}
