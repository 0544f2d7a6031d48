/**
 * The agent's Prometheus metrics, kept as plain counters and rendered in the text exposition format
 * (version 0.0.4) by hand: six series do not justify a client library in the bundle.
 */

/** Outcomes of a desired-state poll, the `result` label of `tether_agent_polls_total`. */
export type PollResult = 'changed' | 'not_modified' | 'error' | 'rejected';

/** Upper bounds (seconds) of the apply-duration histogram buckets. */
export const APPLY_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Counters and gauges the agent updates, and their rendering. */
export class AgentMetrics {
  readonly polls: Record<PollResult, number> = { changed: 0, not_modified: 0, error: 0, rejected: 0 };
  pollErrors = 0;
  /** Epoch seconds of the last successful poll (200 or 304); 0 before the first. */
  lastSuccessfulPollSeconds = 0;
  works = 0;
  driftEvents = 0;
  statusReports = 0;
  /** Policy templates evaluated (agent/governance). */
  policyEvaluations = 0;
  /** POST /agent/v1/sync calls (resource sync sources, agent/sync). */
  syncReports = 0;
  private readonly bucketCounts = APPLY_BUCKETS.map(() => 0);
  private applyCount = 0;
  private applySum = 0;

  /** Records one poll. */
  recordPoll(result: PollResult, nowMs: number): void {
    this.polls[result]++;
    if (result === 'error' || result === 'rejected') this.pollErrors++;
    else this.lastSuccessfulPollSeconds = nowMs / 1000;
  }

  /** Records the duration of one apply or create. */
  observeApply(seconds: number): void {
    this.applyCount++;
    this.applySum += seconds;
    APPLY_BUCKETS.forEach((le, i) => {
      if (seconds <= le) this.bucketCounts[i]++;
    });
  }

  /** The Prometheus text format. */
  render(): string {
    const lines: string[] = [];
    const family = (name: string, type: string, help: string) => lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    family('tether_agent_polls_total', 'counter', 'Desired-state polls by result (changed, not_modified, error, rejected).');
    for (const [result, n] of Object.entries(this.polls)) lines.push(`tether_agent_polls_total{result="${result}"} ${n}`);
    family('tether_agent_poll_errors_total', 'counter', 'Polls that failed (hub unreachable, throttled, rejected or invalid answer).');
    lines.push(`tether_agent_poll_errors_total ${this.pollErrors}`);
    family('tether_agent_apply_duration_seconds', 'histogram', 'Duration of each server-side apply or create.');
    APPLY_BUCKETS.forEach((le, i) => lines.push(`tether_agent_apply_duration_seconds_bucket{le="${le}"} ${this.bucketCounts[i]}`));
    lines.push(`tether_agent_apply_duration_seconds_bucket{le="+Inf"} ${this.applyCount}`);
    lines.push(`tether_agent_apply_duration_seconds_sum ${round(this.applySum)}`);
    lines.push(`tether_agent_apply_duration_seconds_count ${this.applyCount}`);
    family('tether_agent_last_successful_poll_timestamp_seconds', 'gauge', 'Unix time of the last successful poll.');
    lines.push(`tether_agent_last_successful_poll_timestamp_seconds ${round(this.lastSuccessfulPollSeconds)}`);
    family('tether_agent_works', 'gauge', 'Works in the desired state.');
    lines.push(`tether_agent_works ${this.works}`);
    family('tether_agent_drift_events_total', 'counter', 'Changes made on the cluster to applied objects that the agent noticed.');
    lines.push(`tether_agent_drift_events_total ${this.driftEvents}`);
    family('tether_agent_status_reports_total', 'counter', 'Status reports sent to the hub.');
    lines.push(`tether_agent_status_reports_total ${this.statusReports}`);
    family('tether_agent_policy_evaluations_total', 'counter', 'Policy templates evaluated (and enforced, for enforce policies).');
    lines.push(`tether_agent_policy_evaluations_total ${this.policyEvaluations}`);
    family('tether_agent_sync_reports_total', 'counter', 'Resource sync reports sent to the hub by this source cluster.');
    lines.push(`tether_agent_sync_reports_total ${this.syncReports}`);
    return lines.join('\n') + '\n';
  }
}

function round(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}
