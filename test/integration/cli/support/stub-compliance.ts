import {
  ComplianceEventQuerySchema,
  ComplianceReportQuerySchema,
  parseTimeBound,
  type ClusterPolicyCompliance,
  type ComplianceEvent,
} from '../../../../shared/compliance.js';

/**
 * The stub hub's compliance routes, answered from memory as the contract in shared/compliance.ts
 * describes them: current compliance per policy (paged, filtered by state) and per cluster, the
 * history (filtered, paged, newest first by default) and reports (a canned body per format with
 * its content type, the query echoed so tests see what was asked). Bad queries get the hub's 422.
 */

/** `[status, body, content type]`; the content type defaults to JSON (or problem+json for errors). */
export type StubAnswer = [number, unknown, string?];

const REPORT_TYPES: Record<string, string> = {
  json: 'application/json',
  csv: 'text/csv; charset=utf-8',
  html: 'text/html; charset=utf-8',
  openreports: 'application/json',
};

function invalid(issues: Array<{ path: PropertyKey[]; message: string }>): StubAnswer {
  const errors = issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  return [
    422,
    {
      type: 'https://tether.dev/problems/unprocessable-entity',
      title: 'Unprocessable Entity',
      status: 422,
      detail: `invalid query: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
      errors,
    },
  ];
}

/** The compliance the stub serves; tests fill `rows` and `events`. */
export class StubCompliance {
  /** Current compliance, one row per cluster and policy. */
  rows: ClusterPolicyCompliance[] = [];
  /** The history, in any order (answers sort it by time). */
  events: ComplianceEvent[] = [];

  /** `GET /v1/policies/{name}/compliance?limit&continue&compliance=`. */
  policy(name: string, query: Record<string, string>): StubAnswer {
    const all = this.rows
      .filter((c) => c.policy === name && (!query.compliance || c.compliance === query.compliance))
      .sort((a, b) => a.cluster.localeCompare(b.cluster));
    const start = query.continue ? Number(query.continue) : 0;
    // Pages of at most 20, so that following continue is exercised; the token in `metadata`, as the hub's list-shaped answer has it.
    const size = Math.min(query.limit ? Number(query.limit) : 100, 20);
    const items = all.slice(start, start + size);
    return [
      200,
      { kind: 'ClusterPolicyComplianceList', items, metadata: start + size < all.length ? { continue: String(start + size) } : {} },
    ];
  }

  /** `GET /v1/clusters/{name}/compliance`. */
  cluster(name: string): StubAnswer {
    return [200, { items: this.rows.filter((c) => c.cluster === name).sort((a, b) => a.policy.localeCompare(b.policy)) }];
  }

  /** `GET /v1/compliance/events`. */
  history(query: Record<string, string>): StubAnswer {
    const parsed = ComplianceEventQuerySchema.safeParse(query);
    if (!parsed.success) return invalid(parsed.error.issues);
    const q = parsed.data;
    const now = Date.parse('2026-11-10T12:00:00Z');
    const since = q.since === undefined ? -Infinity : (parseTimeBound(q.since, now) ?? -Infinity);
    const until = q.until === undefined ? Infinity : (parseTimeBound(q.until, now) ?? Infinity);
    const all = this.events
      .filter(
        (e) =>
          (!q.cluster || e.cluster === q.cluster) &&
          (!q.policy || e.policy === q.policy) &&
          (!q.compliance || e.compliance === q.compliance) &&
          (!q.standard || e.standards.includes(q.standard)) &&
          (!q.category || e.categories.includes(q.category)) &&
          (!q.control || e.controls.includes(q.control)) &&
          Date.parse(e.time) >= since &&
          Date.parse(e.time) <= until,
      )
      .sort((a, b) => (q.direction === 'asc' ? 1 : -1) * (Date.parse(a.time) - Date.parse(b.time) || a.id.localeCompare(b.id)));
    const start = q.continue ? Number(q.continue) : 0;
    const items = all.slice(start, start + q.limit);
    return [200, { items, ...(start + q.limit < all.length ? { continue: String(start + q.limit) } : {}) }];
  }

  /** `GET /v1/compliance/report`: `report <format> <query as JSON>` in the format's content type. */
  report(query: Record<string, string>): StubAnswer {
    const parsed = ComplianceReportQuerySchema.safeParse(query);
    if (!parsed.success) return invalid(parsed.error.issues);
    const body =
      parsed.data.format === 'html'
        ? `<!doctype html><title>Compliance report</title><pre>${JSON.stringify(query)}</pre>\n`
        : parsed.data.format === 'csv'
          ? `cluster,policy,compliance\nstore-0001,"pci, owner",NonCompliant\n`
          : `${JSON.stringify({ report: parsed.data.format, query })}\n`;
    return [200, body, REPORT_TYPES[parsed.data.format]];
  }
}
