import { performance } from 'node:perf_hooks';
import type { ComplianceHistoryQuery } from '../lambdas/ports/compliance-history.js';
import type { ComplianceEvent } from '../shared/compliance.js';
import { DEFAULT_COMPLIANCE_RETENTION_DAYS } from '../shared/compliance.js';
import type { ComplianceState } from '../shared/resources/policy.js';
import { SampleSet, type LatencySummary } from '../sim/stats.js';
import { MeasurementError } from './b1-poll-cost.js';
import type { BenchHub } from './hub.js';

/**
 * B7, compliance history query: one cluster's events over a simulated year (one change a day per
 * policy, 30 policies: 10,950 events) read back through the hub's own ComplianceHistory adapter on
 * the hub's own DynamoDB client (dynalite on disk, on its worker thread, as `tether dev` runs it),
 * so the figure is what `GET /v1/compliance/events?cluster=...` costs below the HTTP layer. Other
 * clusters get the same year of history, so the table is not one cluster's alone.
 */

/** Options of {@link measureHistoryQuery}. */
export interface HistoryQueryOptions {
  /** Clusters with a year of history (the first is the one measured). Default 3. */
  clusters?: number;
  policies?: number;
  days?: number;
  /** Timed runs of each query (after 2 untimed ones). Default 20. */
  repeats?: number;
  log?: (line: string) => void;
}

/** One timed query. */
export interface TimedQuery {
  what: string;
  /** Events answered (per run; for the whole-year read, all pages). */
  items: number;
  /** DynamoDB commands per run. */
  ops: Record<string, number>;
  latency: LatencySummary;
}

/** What B7 found. */
export interface HistoryQueryResult {
  clusters: number;
  policies: number;
  days: number;
  /** Events of the measured cluster (policies x days). */
  clusterEvents: number;
  totalEvents: number;
  /** Wall time to append the whole history (BatchWriteItem through the adapter). */
  appendSeconds: number;
  queries: TimedQuery[];
}

const DAY = 86_400_000;
const STANDARDS = ['PCI DSS', 'NIST SP 800-53', 'CIS Kubernetes Benchmark'];
const CHUNK = 500;

function history(cluster: string, policies: number, days: number, now: number): ComplianceEvent[] {
  const events: ComplianceEvent[] = [];
  for (let d = days; d >= 1; d--) {
    for (let p = 0; p < policies; p++) {
      const time = new Date(now - d * DAY + p * 1000).toISOString();
      const policy = `policy-${String(p).padStart(2, '0')}`;
      const compliance: ComplianceState = (d + p) % 2 === 0 ? 'NonCompliant' : 'Compliant';
      events.push({
        id: `${time}#${cluster}#${policy}`,
        time,
        cluster,
        policy,
        compliance,
        previous: compliance === 'Compliant' ? 'NonCompliant' : 'Compliant',
        message: compliance === 'NonCompliant' ? `Namespace pos-${d % 7}: missing label owner` : '',
        violations: compliance === 'NonCompliant' ? 1 : 0,
        severity: 'high',
        standards: [STANDARDS[p % STANDARDS.length] as string],
        categories: ['CM Configuration Management'],
        controls: [`ctl-${p % 10}`],
        policyGeneration: 1,
        reportedBy: 'agent',
      });
    }
  }
  return events;
}

/** Runs B7 on `bench` (a hub of its own: it fills the table). */
export async function measureHistoryQuery(bench: BenchHub, opts: HistoryQueryOptions = {}): Promise<HistoryQueryResult> {
  const clusters = opts.clusters ?? 3;
  const policies = opts.policies ?? 30;
  const days = opts.days ?? 365;
  const repeats = opts.repeats ?? 20;
  const log = opts.log ?? (() => undefined);
  const store = bench.hub.ctx.ports.complianceHistory;
  const now = Date.now();
  const expiresAt = Math.floor(now / 1000) + DEFAULT_COMPLIANCE_RETENTION_DAYS * 86_400;
  const names = Array.from({ length: clusters }, (_, i) => `store-${String(i + 1).padStart(4, '0')}`);

  log(`  B7: appending ${policies} policies x ${days} days for ${clusters} clusters`);
  const started = performance.now();
  let total = 0;
  for (const cluster of names) {
    const events = history(cluster, policies, days, now);
    total += events.length;
    for (let at = 0; at < events.length; at += CHUNK) await store.append(events.slice(at, at + CHUNK), expiresAt);
  }
  const appendSeconds = (performance.now() - started) / 1000;

  const measured = names[0] as string;
  const year = { since: now - DEFAULT_COMPLIANCE_RETENTION_DAYS * DAY, until: now, direction: 'desc' as const };
  const timed = async (what: string, run: () => Promise<number>): Promise<TimedQuery> => {
    for (let i = 0; i < 2; i++) await run();
    const samples = new SampleSet();
    let items = 0;
    bench.ops.reset();
    for (let i = 0; i < repeats; i++) {
      const t = performance.now();
      items = await run();
      samples.add(performance.now() - t);
    }
    const ops = Object.fromEntries(Object.entries(bench.ops.snapshot().counts).map(([k, v]) => [k, v / repeats]));
    log(`  B7: ${what}: ${items} events, p50 ${samples.summary().p50.toFixed(1)} ms`);
    return { what, items, ops, latency: samples.summary() };
  };
  const page = (q: Partial<ComplianceHistoryQuery> & { limit: number }) => async () => (await store.query({ ...year, ...q })).items.length;

  const queries = [
    await timed('one cluster, newest page of 100 (the API default)', page({ cluster: measured, limit: 100 })),
    await timed('one cluster, newest page of 1,000 (the API maximum)', page({ cluster: measured, limit: 1000 })),
    await timed('one cluster, the whole year in pages of 1,000', async () => {
      let n = 0;
      let cursor: string | undefined;
      do {
        const out = await store.query({ ...year, cluster: measured, limit: 1000, cursor });
        n += out.items.length;
        cursor = out.cursor;
      } while (cursor);
      return n;
    }),
    await timed('one cluster, NonCompliant only, page of 100', page({ cluster: measured, compliance: 'NonCompliant', limit: 100 })),
    await timed('one policy (every cluster), page of 100', page({ policy: 'policy-07', limit: 100 })),
    await timed('fleet-wide by standard (merge of 10 policies), page of 100', page({ standard: 'PCI DSS', limit: 100 })),
  ];
  const whole = queries[2] as TimedQuery;
  if (whole.items !== policies * days) {
    throw new MeasurementError(`B7: the whole-year read answered ${whole.items} events, expected ${policies * days}`);
  }
  return { clusters, policies, days, clusterEvents: policies * days, totalEvents: total, appendSeconds, queries };
}
