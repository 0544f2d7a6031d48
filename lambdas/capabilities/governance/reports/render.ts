import type { ReportFormat } from '../../../../shared/compliance.js';
import { ValidationError } from '../../../../shared/errors.js';
import type { ComplianceReportData, RenderedReport } from './report-data.js';

/**
 * PLACEHOLDER until the report renderers (branch gov-history) are merged: only `json` renders
 * here. The merge replaces this file with the real renderers of every format.
 */
export function renderReport(format: ReportFormat, data: ComplianceReportData): RenderedReport {
  if (format !== 'json') throw new ValidationError(`report format ${format} is not available in this build`, [{ path: 'format', message: 'not available' }]);
  return { contentType: 'application/json', body: JSON.stringify(data, null, 2), fileName: 'compliance-report.json' };
}
