import { HubClient } from '../../agent/hub-client.js';
import { parseImportManifest } from '../../shared/agent-manifest.js';
import type { DesiredPolicy, DesiredState, PolicyComplianceReport } from '../../shared/protocol/v1.js';
import type { TestHub } from './local-hub.js';

/**
 * A spoke that speaks the agent protocol by hand, for tests of what people see of compliance (CLI,
 * console): it is imported and joins like a real agent, polls the desired state (which is also its
 * heartbeat, so its cluster stays online) and posts exactly the compliance reports the test
 * scripts, for the policies the hub sent it. The real agent evaluates policies itself; here the test
 * decides the outcome, so every state and violation shape is reachable on a real hub.
 */
export class ReportingSpoke {
  private timer: ReturnType<typeof setInterval> | undefined;
  private revision: string | undefined;
  private state: DesiredState | undefined;

  private constructor(
    readonly name: string,
    private readonly client: HubClient,
    private readonly credential: string,
  ) {}

  /** Imports `name` (auto-accepted, with `labels`) and joins. */
  static async join(hub: TestHub, name: string, labels: Record<string, string>): Promise<ReportingSpoke> {
    const res = await hub.api(`/v1/clusters/${name}/import`, { body: { labels, autoAccept: true } });
    if (res.status !== 200) throw new Error(`import of ${name} answered ${res.status}: ${res.text}`);
    const info = parseImportManifest(res.body.manifest);
    const client = new HubClient({ hubUrl: hub.url, userAgent: 'tether-agent/0.1.0 (reporting spoke)' });
    const joined = await client.join(info.bootstrapToken, { cluster: name, agentVersion: '0.1.0', claims: [] });
    const spoke = new ReportingSpoke(name, client, joined.credential);
    await spoke.poll();
    return spoke;
  }

  /** Polls the desired state once (a heartbeat too); answers the latest one. */
  async poll(): Promise<DesiredState> {
    const answer = await this.client.desired(this.credential, this.revision);
    if (answer.changed) {
      this.state = answer.state;
      this.revision = answer.state.revision;
    }
    return this.state!;
  }

  /** Keeps polling every `ms` (the heartbeat that keeps the cluster online) until {@link stop}. */
  keepAlive(ms = 500): this {
    this.timer ??= setInterval(() => void this.poll().catch(() => undefined), ms);
    return this;
  }

  /** Stops the heartbeat: after its lease the cluster is silent, and its compliance Unknown. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Polls until the hub sends `policy`, and answers it as sent (uid, generation, rendered templates). */
  async waitForPolicy(policy: string, timeoutMs = 20_000): Promise<DesiredPolicy> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = (await this.poll()).policies.find((p) => p.name === policy);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`${this.name} was not sent policy ${policy} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /**
   * Reports compliance with `policy` as the agent would after evaluating it: `templates` in the
   * report's shape, the state rolled up by the caller.
   */
  async report(
    policy: DesiredPolicy,
    compliance: PolicyComplianceReport['compliance'],
    templates: PolicyComplianceReport['templates'],
    at = new Date().toISOString(),
  ): Promise<void> {
    await this.client.status(this.credential, {
      observedRevision: this.revision ?? '',
      agentVersion: '0.1.0',
      healthy: true,
      policies: [{ name: policy.name, uid: policy.uid, generation: policy.generation, compliance, since: at, evaluatedAt: at, templates }],
    });
  }
}
