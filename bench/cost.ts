/**
 * `npm run cost` (for now `npx tsx bench/cost.ts`): prints the cost model as Markdown, from the
 * counts the last bench run saved (bench/measured-counts.json) and the list prices
 * (bench/prices.json). It measures nothing itself; `npx tsx bench/run.ts --only B1` refreshes the counts.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { MEASURED_COUNTS_FILE, readMeasuredCounts, readPrices } from './counts.js';
import { renderCostReport } from './cost-report.js';

if (!existsSync(join(process.cwd(), MEASURED_COUNTS_FILE))) {
  process.stderr.write(`No ${MEASURED_COUNTS_FILE}: run "npx tsx bench/run.ts --only B1" from the repository root first.\n`);
  process.exitCode = 2;
} else {
  process.stdout.write(`${renderCostReport(readMeasuredCounts(), readPrices(), { heading: '#' })}\n`);
}
