import type { ReportFormat } from '../../../../shared/compliance.js';
import { renderCsv } from './csv.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderOpenReports } from './openreports.js';
import type { ComplianceReportData, RenderedReport } from './report-data.js';

/**
 * Renders a compliance report in one format. Pure: the same data gives the same bytes (the
 * generation time comes from the data), so reports can be compared and tested by structure.
 */

const FORMATS: Record<ReportFormat, { contentType: string; extension: string; render: (data: ComplianceReportData) => string }> = {
  json: { contentType: 'application/json', extension: 'json', render: renderJson },
  csv: { contentType: 'text/csv; charset=utf-8; header=present', extension: 'csv', render: renderCsv },
  html: { contentType: 'text/html; charset=utf-8', extension: 'html', render: renderHtml },
  // JSON, not YAML: see openreports.ts.
  openreports: { contentType: 'application/json', extension: 'openreports.json', render: renderOpenReports },
};

/** `compliance-report-20261205T120000Z.csv`: sortable, and safe in a Content-Disposition header. */
export function reportFileName(format: ReportFormat, generatedAt: string): string {
  const ms = Date.parse(generatedAt);
  const stamp = Number.isNaN(ms)
    ? 'undated'
    : new Date(ms)
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d{3}/, '');
  return `compliance-report-${stamp}.${FORMATS[format].extension}`;
}

export function renderReport(format: ReportFormat, data: ComplianceReportData): RenderedReport {
  const f = FORMATS[format];
  return { contentType: f.contentType, body: f.render(data), fileName: reportFileName(format, data.generatedAt) };
}
