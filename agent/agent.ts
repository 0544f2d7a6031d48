import type { DesiredState } from '../shared/protocol/v1.js';
import { Backoff, jitteredInterval, jitteredRetryAfter, startPhaseDelay, type RandomSource } from './backoff.js';
import { systemClock, type AgentClock } from './clock.js';
import { CredentialRejectedError, HubProtocolError, HubUnavailableError, JoinPendingError } from './errors.js';
import { Governor } from './governance/governor.js';
import { ClusterProfileKeeper } from './cluster-profiles.js';
import { HubClient } from './hub-client.js';
import type { ClusterApi } from './kube/cluster-api.js';
import { silentLog, type AgentLog } from './log.js';
import { AgentMetrics } from './metrics.js';
import { Reconciler } from './reconciler.js';
import { removeSelf, upgradeSelf } from './self.js';
import type { HealthSource } from './server.js';
import { StatusReporter } from './status-reporter.js';
import { SyncAgent } from './sync/sync-agent.js';
import { AgentStateStore } from './state-store.js';
import type { FetchLike } from './transport.js';

/**
 * The spoke agent: joins the hub, then polls its desired state, applies it, reports status when it
 * changed, rotates its credential, upgrades and detaches itself when the hub asks. It only ever
 * calls out. The hub being unreachable only makes it back off: it never deletes a workload because
 * of that, and it keeps the last desired state in its namespace, so a restart does not need the hub.
 */

/** Options of {@link Agent}. */
export interface AgentOptions {
  hubUrl: string;
  /** The cluster's name on the hub. */
  cluster: string;
  /** Needed to join; not needed once a credential is stored. */
  bootstrapToken?: string;
  api: ClusterApi;
  /** The agent's namespace (credential, desired state, inventories). */
  namespace: string;
  /** The agent's version, as reported. */
  version: string;
  /** The agent's image repository, for self-upgrade when the hub names none. */
  image?: string;
  clock?: AgentClock;
  random?: RandomSource;
  fetch?: FetchLike;
  log?: AgentLog;
  /** Reconcile (and so detect drift) at least this often, even when the desired state did not change. Default: every poll. */
  resyncIntervalMs?: number;
  /** Poll interval until the hub says otherwise. Default 30 s. */
  initialPollIntervalMs?: number;
  /** How often claims are measured again. Default 10 min. */
  claimsIntervalMs?: number;
  /** How long a work waits for its CRDs. Default 30 s. */
  crdWaitMs?: number;
  /** How often each resource-sync source rule is listed again. Default: every poll. */
  syncSourceResyncMs?: number;
  /** How often every received sync object is checked again (repairs hand edits). Default 10 min. */
  syncDestinationRecheckMs?: number;
  /** Simulation: a self-upgrade cannot restart the process, so the agent switches its version once the apply succeeded. */
  simulate?: boolean;
  /** Proxy settings to keep in the Deployment on self-upgrade. */
  httpsProxy?: string;
  noProxy?: string;
}

/** Why {@link Agent.start} returned. */
export type AgentExit = 'stopped' | 'detached' | 'revoked';

/** Where the agent is in its life. */
export type AgentPhase = 'starting' | 'pending' | 'running' | 'revoked' | 'detached' | 'stopped';

const DEFAULT_POLL_MS = 30_000;

/**
 * @example
 * const agent = new Agent({ hubUrl, cluster: 'store-0042', bootstrapToken, api: new MemoryCluster(), namespace: 'tether-agent', version: '0.1.0' });
 * const exit = await agent.start(); // until stop(), detach or a revoked credential
 */
export class Agent {
  /** Counters for /metrics. */
  readonly metrics = new AgentMetrics();
  private readonly hub: HubClient;
  private readonly store: AgentStateStore;
  private readonly reconciler: Reconciler;
  private readonly governor: Governor;
  private readonly syncAgent: SyncAgent;
  private readonly profiles: ClusterProfileKeeper;
  private readonly clock: AgentClock;
  private readonly random: RandomSource;
  private readonly log: AgentLog;
  private readonly backoff: Backoff;
  private readonly abort = new AbortController();
  private currentVersion: string;
  private currentPhase: AgentPhase = 'starting';
  private prepared = false;
  private credential?: string;
  private credentialUnsaved = false;
  private rejoinTried = false;
  private desired?: DesiredState;
  private pollMs: number;
  /** Whether the first wait after a start (a random phase) is behind us. */
  private phased = false;
  private lastPollOkMs?: number;
  private lastReconcileMs?: number;
  private readonly status: StatusReporter;
  private upgradedTo?: string;
  private exit?: AgentExit;
  private running?: Promise<AgentExit>;

  constructor(private readonly options: AgentOptions) {
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.log = options.log ?? silentLog();
    this.log.addSecret(options.bootstrapToken);
    this.currentVersion = options.version;
    this.pollMs = options.initialPollIntervalMs ?? DEFAULT_POLL_MS;
    this.hub = new HubClient({
      hubUrl: options.hubUrl,
      fetch: options.fetch,
      userAgent: `tether-agent/${options.version}`,
      now: () => this.clock.now(),
    });
    this.store = new AgentStateStore(options.api, options.namespace, this.log);
    this.reconciler = new Reconciler({
      api: options.api,
      namespace: options.namespace,
      log: this.log,
      now: () => this.clock.now(),
      crdWaitMs: options.crdWaitMs,
      observeWrite: (s) => this.metrics.observeApply(s),
    });
    this.backoff = new Backoff({ random: this.random });
    this.governor = new Governor({
      api: options.api,
      namespace: options.namespace,
      log: this.log,
      now: () => this.clock.now(),
      random: this.random,
    });
    this.syncAgent = new SyncAgent({
      api: options.api,
      namespace: options.namespace,
      log: this.log,
      now: () => this.clock.now(),
      sourceResyncMs: options.syncSourceResyncMs,
      destinationRecheckMs: options.syncDestinationRecheckMs,
    });
    this.profiles = new ClusterProfileKeeper({ api: options.api, log: this.log, now: () => this.clock.now() });
    this.status = new StatusReporter({
      hub: this.hub,
      api: options.api,
      namespace: options.namespace,
      log: this.log,
      now: () => this.clock.now(),
      claimsIntervalMs: options.claimsIntervalMs,
      policies: this.governor,
      sync: this.syncAgent,
    });
  }

  /** The version the agent reports (changes after a simulated self-upgrade). */
  get version(): string {
    return this.currentVersion;
  }

  get phase(): AgentPhase {
    return this.currentPhase;
  }

  /** The desired state the agent acts on (from the hub or, after a restart, from its namespace). */
  get desiredState(): DesiredState | undefined {
    return this.desired;
  }

  /**
   * Runs until {@link stop}, a completed detach, or a credential the hub rejects.
   * Calling it twice returns the same run.
   */
  start(): Promise<AgentExit> {
    this.running ??= this.loop();
    return this.running;
  }

  /** Asks the loop to stop and waits for it: the current reconcile finishes first. */
  async stop(): Promise<void> {
    this.abort.abort();
    await this.running;
  }

  /**
   * `tether agent --once`: joins (waiting while acceptance is pending), then polls, reconciles and
   * reports once.
   * @returns true when the poll succeeded, or the reason the agent cannot go on.
   */
  async runOnce(): Promise<true | AgentExit | Error> {
    for (;;) {
      const outcome = await this.cycle(true);
      if (this.exit) return this.exit;
      if (outcome.ok) return true;
      const retrying =
        outcome.error instanceof JoinPendingError ||
        (outcome.error instanceof CredentialRejectedError && this.credential === undefined && this.rejoinTried);
      if (!retrying || this.abort.signal.aborted) return outcome.error ?? new Error('poll failed');
      await this.clock.sleep(outcome.delayMs, this.abort.signal);
    }
  }

  /** What /healthz, /readyz and /metrics read. */
  healthSource(): HealthSource {
    return {
      // A rejected agent is not ready at once, not only after its last poll ages out.
      joined: () => this.credential !== undefined && this.exit !== 'revoked',
      lastSuccessfulPollMs: () => this.lastPollOkMs,
      pollIntervalMs: () => this.pollMs,
      metrics: () => this.metrics.render(),
      now: () => this.clock.now(),
    };
  }

  private async loop(): Promise<AgentExit> {
    this.log.info('agent starting', {
      cluster: this.options.cluster,
      hub: this.hub.hubUrl,
      version: this.currentVersion,
      namespace: this.options.namespace,
    });
    while (!this.abort.signal.aborted && !this.exit) {
      const { delayMs } = await this.cycle(false);
      if (this.exit) break;
      await this.clock.sleep(delayMs, this.abort.signal);
    }
    const exit = this.exit ?? 'stopped';
    this.currentPhase = exit;
    this.log.info('agent stopped', { reason: exit });
    return exit;
  }

  /** One poll: join if needed, poll, act, report. Never throws. */
  private async cycle(once: boolean): Promise<{ delayMs: number; ok: boolean; error?: Error }> {
    try {
      await this.prepare();
      if (!this.credential) await this.join();
      if (this.credentialUnsaved) await this.saveCredential();
      const answer = await this.hub.desired(this.credential!, this.desired?.revision, this.abort.signal);
      const now = this.clock.now();
      this.metrics.recordPoll(answer.changed ? 'changed' : 'not_modified', now);
      this.lastPollOkMs = now;
      this.backoff.reset();
      this.currentPhase = 'running';
      if (answer.changed) await this.accept(answer.state);
      const desired = this.desired!;
      // Only a fresh answer asks for rotation: a 304 repeats the cached state, whose flag is stale once rotated.
      if (answer.changed && desired.rotateCredential) await this.rotate();
      if (desired.detach) {
        await this.detach(desired);
        return { delayMs: this.nextPollDelay(), ok: true };
      }
      if (once || answer.changed || this.resyncDue()) await this.reconcile();
      await this.govern();
      await this.sync(answer.changed);
      await this.keepInventory();
      try {
        await this.report();
      } catch (err) {
        // The poll worked; the report is simply sent again next cycle (its hash was not recorded).
        if (err instanceof CredentialRejectedError) throw err;
        if (!this.abort.signal.aborted) this.log.warn('status report failed; will retry next poll', { error: err });
      }
      await this.upgrade(desired);
      return { delayMs: this.nextPollDelay(), ok: true };
    } catch (err) {
      return { ...(await this.failed(err)), ok: false, error: err as Error };
    }
  }

  /** Loads what a previous run left in the namespace. Retried every cycle until it works. */
  private async prepare(): Promise<void> {
    if (this.prepared) return;
    try {
      await this.store.ensureNamespace();
    } catch (err) {
      this.log.warn('cannot check the agent namespace; assuming it exists', { namespace: this.options.namespace, error: err });
    }
    const credential = await this.store.loadCredential();
    if (credential) {
      this.log.addSecret(credential);
      this.credential = credential;
      this.log.info('using the stored credential', { secret: 'tether-agent-credential' });
    }
    const stored = await this.store.loadDesired();
    if (stored && !this.desired) {
      this.desired = stored;
      this.pollMs = stored.pollIntervalSeconds * 1000;
      this.syncAgent.noteStored(stored.sync);
      this.log.info('loaded the last desired state', { revision: stored.revision, works: stored.works.length });
    }
    this.prepared = true;
  }

  private async join(): Promise<void> {
    if (!this.options.bootstrapToken) {
      throw new CredentialRejectedError(
        'no stored credential and no bootstrap token: apply the import manifest again (tether cluster import)',
        401,
      );
    }
    const claims = await this.status.claimsFor(this.currentVersion, true);
    const joined = await this.hub.join(
      this.options.bootstrapToken,
      { cluster: this.options.cluster, agentVersion: this.currentVersion, claims },
      this.abort.signal,
    );
    this.log.addSecret(joined.credential);
    if (joined.cluster !== this.options.cluster)
      this.log.warn('the hub joined this agent under another cluster name', { asked: this.options.cluster, joined: joined.cluster });
    this.credential = joined.credential;
    this.credentialUnsaved = true;
    this.rejoinTried = false;
    this.pollMs = joined.pollIntervalSeconds * 1000;
    this.status.forgetSent();
    this.log.info('joined the hub', { cluster: joined.cluster, pollIntervalSeconds: joined.pollIntervalSeconds });
    await this.saveCredential();
  }

  private async saveCredential(): Promise<void> {
    try {
      await this.store.saveCredential(this.credential!);
      this.credentialUnsaved = false;
    } catch (err) {
      // Keep going with the credential in memory; saving is retried every cycle.
      this.log.warn('could not store the credential; will retry', { error: err });
    }
  }

  private async accept(state: DesiredState): Promise<void> {
    this.desired = state;
    this.pollMs = state.pollIntervalSeconds * 1000;
    this.metrics.works = state.works.length;
    this.log.info('new desired state', { revision: state.revision, works: state.works.length });
    try {
      await this.store.saveDesired(state);
    } catch (err) {
      this.log.warn('could not store the desired state; a restart will need the hub', { error: err });
    }
  }

  private resyncDue(): boolean {
    const every = this.options.resyncIntervalMs ?? this.pollMs;
    return this.lastReconcileMs === undefined || this.clock.now() - this.lastReconcileMs >= every;
  }

  private async reconcile(): Promise<void> {
    if (!this.desired) return;
    this.lastReconcileMs = this.clock.now();
    try {
      const result = await this.reconciler.reconcile(this.desired.works, this.status.workReports, this.abort.signal);
      this.metrics.works = this.desired.works.length;
      this.metrics.driftEvents += result.driftEvents.length;
      for (const d of result.driftEvents) this.log.info('drift', { ...d });
      this.status.recordPass(result.works, result.driftEvents);
    } catch (err) {
      this.status.setHealth(false, `cannot reconcile: ${(err as Error).message}`);
      this.log.error('reconcile failed; nothing was deleted, will retry', { error: err });
    }
  }

  /**
   * Evaluates the policies that are due (agent/governance): in the agent's own loop, after the
   * works, and without any hub call; a pass with nothing due touches nothing.
   */
  private async govern(): Promise<void> {
    if (!this.desired) return;
    const pass = await this.governor.run(this.desired.policies);
    this.metrics.policyEvaluations += pass.evaluated;
  }

  /**
   * Resource sync (agent/sync): applies what this cluster receives and reports what it is a source
   * of. A desired state without sync rules makes it return at once, with no call at all.
   */
  private async sync(changed: boolean): Promise<void> {
    if (!this.desired || !this.credential) return;
    const credential = this.credential;
    const pass = await this.syncAgent.run(this.desired.sync, (report) => this.hub.sync(credential, report, this.abort.signal), changed);
    if (pass.source) this.metrics.syncReports += pass.source.reports;
  }

  /**
   * Keeps the ClusterProfiles this cluster receives (agent/cluster-profiles.ts). The last successful
   * poll (a 200 or a 304) confirms the hub's view; without one since the start, nothing is confirmed.
   */
  private async keepInventory(): Promise<void> {
    if (!this.desired) return;
    await this.profiles.run(this.desired.inventory, this.lastPollOkMs ?? 0);
  }

  private async report(): Promise<void> {
    if (!this.desired || !this.credential) return;
    if (
      await this.status.send(
        this.credential,
        { observedRevision: this.desired.revision, agentVersion: this.currentVersion },
        this.abort.signal,
      )
    ) {
      this.metrics.statusReports++;
    }
  }

  private async rotate(): Promise<void> {
    const rotated = await this.hub.rotate(this.credential!, this.abort.signal);
    this.log.addSecret(rotated.credential);
    this.credential = rotated.credential;
    this.credentialUnsaved = true;
    this.log.info('credential rotated', { overlapSeconds: rotated.overlapSeconds });
    await this.saveCredential();
  }

  private async detach(desired: DesiredState): Promise<void> {
    this.log.info('the hub asked to detach: removing everything the agent applied', { revision: desired.revision });
    // The cluster leaves every sync rule: copies go per their rule's delete policy (Orphan ones stay).
    await this.syncAgent.leaveAll();
    const left = (await this.reconciler.removeAll()) + ((await this.profiles.removeAll()) ? 0 : 1);
    if (left > 0) {
      this.status.setHealth(false, `detaching: ${left} objects could not be deleted yet`);
      this.log.warn('detach incomplete; will retry', { left });
      return;
    }
    this.status.clearWorks();
    try {
      await this.hub.status(
        this.credential!,
        { observedRevision: desired.revision, agentVersion: this.currentVersion, healthy: true, works: [], detached: true },
        this.abort.signal,
      );
    } catch (err) {
      // The hub may revoke the credential as soon as it sees the detach; anything else is retried.
      if (!(err instanceof CredentialRejectedError)) throw err;
    }
    const failed = await removeSelf(this.options.api, this.options.namespace, this.log);
    this.log.info('detached: everything the agent applied is removed', { notRemoved: failed });
    this.exit = 'detached';
  }

  private async upgrade(desired: DesiredState): Promise<void> {
    const target = desired.agent.version;
    if (!target || target === this.currentVersion || this.upgradedTo === target) return;
    // Tried once per requested version: a Deployment that does not roll out is the hub's UpgradeFailed, not a loop here.
    this.upgradedTo = target;
    const o = this.options;
    const self = {
      cluster: o.cluster,
      hubUrl: o.hubUrl,
      bootstrapToken: o.bootstrapToken,
      namespace: o.namespace,
      httpsProxy: o.httpsProxy,
      noProxy: o.noProxy,
    };
    if (!(await upgradeSelf(o.api, { ...self, image: desired.agent.image || o.image, version: target }, this.currentVersion, this.log)))
      return;
    if (o.simulate) {
      // A real pod is replaced by the Deployment's rollout; a simulated agent just becomes the new version.
      this.currentVersion = target;
      await this.report().catch((err) => this.log.warn('status report after upgrade failed; will retry', { error: err }));
    }
  }

  /** Handles a failed cycle and says how long to wait. */
  private async failed(err: unknown): Promise<{ delayMs: number }> {
    // stop() aborts calls in flight: that is not a hub failure.
    if (this.abort.signal.aborted) return { delayMs: 0 };
    if (err instanceof JoinPendingError) {
      this.currentPhase = 'pending';
      this.log.info('waiting for the hub to accept this cluster', {
        message: err.message,
        retryInSeconds: Math.round(err.retryAfterMs / 1000),
      });
      return { delayMs: jitteredRetryAfter(err.retryAfterMs, this.random) };
    }
    if (err instanceof CredentialRejectedError) return this.rejected(err);
    const retryAfter = err instanceof HubUnavailableError ? err.retryAfterMs : undefined;
    const delayMs = this.backoff.next(retryAfter);
    if (err instanceof HubUnavailableError || err instanceof HubProtocolError) {
      this.metrics.recordPoll('error', this.clock.now());
      this.log.warn('hub call failed; keeping workloads as they are and backing off', {
        error: err,
        retryInSeconds: Math.round(delayMs / 1000),
      });
      // Keep correcting drift from the last desired state while the hub is away.
      if (this.prepared && this.credential && this.resyncDue()) await this.reconcile();
      // And keep evaluating (and enforcing) policies: their reports wait for the hub.
      if (this.prepared && this.credential) await this.govern();
      // ClusterProfiles age while the hub is away: their health turns Unknown when the window passes.
      if (this.prepared && this.credential) await this.keepInventory();
    } else {
      this.log.error('agent cycle failed; backing off', { error: err, retryInSeconds: Math.round(delayMs / 1000) });
    }
    return { delayMs };
  }

  private rejected(err: CredentialRejectedError): { delayMs: number } {
    this.metrics.recordPoll('rejected', this.clock.now());
    const wasJoined = this.credential !== undefined;
    if (wasJoined && this.options.bootstrapToken && !this.rejoinTried) {
      // The hub refused the credential: once, try to join again in case it issued a new bootstrap token.
      this.rejoinTried = true;
      this.credential = undefined;
      this.log.warn('the hub rejected the credential; trying to join again with the bootstrap token', {
        status: err.status,
        detail: err.detail,
      });
      return { delayMs: 0 };
    }
    this.exit = 'revoked';
    this.log.error(
      wasJoined || this.rejoinTried
        ? "the hub rejected this agent's credential: polling stopped. Workloads on this cluster are left as they are. To reconnect, import the cluster again (tether cluster import) and apply the new manifest."
        : 'the hub rejected the bootstrap token (used, expired, or the cluster was denied): polling stopped. Import the cluster again (tether cluster import) and apply the new manifest.',
      { status: err.status, detail: err.detail },
    );
    return { delayMs: 0 };
  }

  /**
   * The wait after a successful poll. The first one after the agent starts is a random phase within
   * the interval, so that agents that started together (a fleet restarted at once, or joined in one
   * import) spread over the whole interval at once; every later wait is the narrowly jittered
   * interval, which keeps them spread.
   */
  private nextPollDelay(): number {
    if (!this.phased) {
      this.phased = true;
      return startPhaseDelay(this.pollMs, this.random);
    }
    return jitteredInterval(this.pollMs, this.random);
  }
}
