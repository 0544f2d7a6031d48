import { canonicalHash } from '../shared/hash.js';
import type { DriftEvent, StatusReport, WorkStatusReport } from '../shared/protocol/v1.js';
import { collectClaims, type Claim } from './claims.js';
import type { PolicyReportSource } from './governance/governor.js';
import type { HubClient } from './hub-client.js';
import type { ClusterApi } from './kube/cluster-api.js';
import type { AgentLog } from './log.js';
import type { SyncStatusSource } from './sync/sync-agent.js';

/**
 * What the agent tells the hub: claims, work status, health and drift events, sent only when the
 * report differs from the last one the hub accepted (by canonical hash). Drift events are not part
 * of the hash: each is sent once, and kept until a report carrying it was accepted. Policy
 * compliance is not part of the hash either: the governor hands over only the policy reports that
 * changed (debounced) and the policies removed, and they ride on the next report, which is sent
 * for them alone when nothing else changed. Resource sync's destination status (`syncDestinations`,
 * every rule this cluster receives from) is part of the hash: it goes out whenever it changed.
 */

/** The protocol carries at most this many drift events per report; the newest are kept. */
export const MAX_DRIFT_EVENTS = 100;

/** Options of {@link StatusReporter}. */
export interface StatusReporterOptions {
  hub: HubClient;
  api: ClusterApi;
  namespace: string;
  log: AgentLog;
  now: () => number;
  /** How often claims are measured again. Default 10 min. */
  claimsIntervalMs?: number;
  /** Compliance reports of policies (the governor). */
  policies?: PolicyReportSource;
  /** Resource sync's destination status (hashed with the rest: sent only when it changed). */
  sync?: SyncStatusSource;
}

/** Collects what the agent reports and sends it when it changed. */
export class StatusReporter {
  private claims?: Claim[];
  private claimsAtMs = 0;
  private claimsVersion?: string;
  private works = new Map<string, WorkStatusReport>();
  private drift: DriftEvent[] = [];
  private lastSentHash?: string;
  private health: { ok: boolean; message?: string } = { ok: true };

  constructor(private readonly options: StatusReporterOptions) {}

  /** The work reports of the last pass, by work name (the reconciler keeps condition times from them). */
  get workReports(): ReadonlyMap<string, WorkStatusReport> {
    return this.works;
  }

  /** Drift events waiting to be sent. */
  get pendingDrift(): readonly DriftEvent[] {
    return this.drift;
  }

  /** Records a reconcile pass: its work reports replace the previous ones; its drift events queue up. */
  recordPass(works: WorkStatusReport[], drift: DriftEvent[]): void {
    this.works = new Map(works.map((w) => [w.name, w]));
    if (drift.length) this.drift = [...this.drift, ...drift].slice(-MAX_DRIFT_EVENTS);
    this.health = { ok: true };
  }

  /** The agent's own health, reported as `healthy` and `message`. */
  setHealth(ok: boolean, message?: string): void {
    this.health = { ok, message: message?.slice(0, 1024) };
  }

  /** Forgets work reports (after a detach removed everything). */
  clearWorks(): void {
    this.works.clear();
  }

  /** Forgets what was sent, so the next report goes out whatever it holds (a new join: the hub knows nothing yet). */
  forgetSent(): void {
    this.lastSentHash = undefined;
    this.options.policies?.forgetSent();
  }

  /** The claims, measured again when older than the interval, when `force`, or when the agent version changed. */
  async claimsFor(agentVersion: string, force = false): Promise<Claim[]> {
    const every = this.options.claimsIntervalMs ?? 10 * 60_000;
    if (force || !this.claims || this.claimsVersion !== agentVersion || this.options.now() - this.claimsAtMs >= every) {
      this.claims = await collectClaims({ api: this.options.api, namespace: this.options.namespace, agentVersion, log: this.options.log });
      this.claimsAtMs = this.options.now();
      this.claimsVersion = agentVersion;
    }
    return this.claims;
  }

  /**
   * Sends the report when it changed or drift events wait.
   * @returns whether a report was sent.
   * @throws the hub client's errors; nothing is marked sent then, so the next call tries again.
   */
  async send(credential: string, base: { observedRevision: string; agentVersion: string }, signal?: AbortSignal): Promise<boolean> {
    const report: StatusReport = {
      ...base,
      healthy: this.health.ok,
      ...(this.health.message ? { message: this.health.message } : {}),
      claims: await this.claimsFor(base.agentVersion),
      works: [...this.works.values()],
    };
    const syncDestinations = this.options.sync?.destinations();
    if (syncDestinations) report.syncDestinations = syncDestinations;
    const hash = canonicalHash(report);
    const now = this.options.now();
    const policy = this.options.policies?.pending(now) ?? { policies: [], removed: [] };
    const policyNews = policy.policies.length > 0 || policy.removed.length > 0;
    if (hash === this.lastSentHash && this.drift.length === 0 && !policyNews) return false;
    const drift = this.drift;
    const body: StatusReport = {
      ...report,
      ...(drift.length ? { driftEvents: drift } : {}),
      ...(policy.policies.length ? { policies: policy.policies } : {}),
      ...(policy.removed.length ? { removedPolicies: policy.removed } : {}),
    };
    await this.options.hub.status(credential, body, signal);
    this.lastSentHash = hash;
    this.drift = this.drift.slice(drift.length);
    if (policyNews) this.options.policies?.sent(policy.policies, policy.removed, now);
    return true;
  }
}
