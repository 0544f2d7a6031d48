import type { ComplianceReportData } from './report-data.js';

/** Sorts object keys at every level, so the same data always gives the same bytes. */
function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = stable(v);
    }
    return out;
  }
  return value;
}

/** The report data as JSON, keys in a stable (sorted) order, arrays in the data's order. */
export function renderJson(data: ComplianceReportData): string {
  return `${JSON.stringify(stable(data), null, 2)}\n`;
}
