import { randomBytes } from 'node:crypto';
import { open, rename, unlink } from 'node:fs/promises';
import { dirname, basename, join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { z } from 'zod';
import {
  ComplianceEventQuerySchema,
  ComplianceReportQuerySchema,
  MAX_EVENTS_PAGE,
  ReportFormats,
  type ComplianceEvent,
  type ReportFormat,
} from '../../shared/compliance.js';
import { ComplianceStates, type ComplianceState } from '../../shared/resources/policy.js';
import { checkName, parsePositiveInt } from '../args.js';
import { complianceEventsPage, complianceReport, type EventPageQuery } from '../compliance-api.js';
import { completeValues } from '../completion-words.js';
import type { CliContext } from '../context.js';
import { HubResponseError, UsageError } from '../errors.js';
import { renderHistory } from '../output/compliance.js';
import { formatData } from '../output/print.js';

/**
 * `tether compliance history` and `tether compliance report`: the auditor's side of governance.
 * Every flag is checked before anything is sent (a bad one is a usage error, exit 2); the report
 * body goes to stdout untouched (or atomically to `--output-file`) so `> report.html` works, and
 * anything else the command says goes to stderr.
 */

/** Events listed when neither `--limit` nor `--all` is given. */
export const DEFAULT_HISTORY_LIMIT = 100;

const HISTORY_FORMATS = ['table', 'json', 'yaml'] as const;

interface FilterOptions {
  cluster?: string;
  policy?: string;
  standard?: string;
  category?: string;
  control?: string;
  since?: string;
  until?: string;
}

interface HistoryOptions extends FilterOptions {
  compliance?: string;
  limit?: string;
  all?: boolean;
  oldestFirst?: boolean;
  output: (typeof HISTORY_FORMATS)[number];
}

interface ReportOptions extends FilterOptions {
  output: string;
  outputFile?: string;
}

/** A compliance state given in any case (`noncompliant`, `NonCompliant`), in its canonical spelling. */
export function parseComplianceState(text: string): ComplianceState {
  const found = ComplianceStates.find((s) => s.toLowerCase() === text.toLowerCase());
  if (!found) throw new UsageError(`invalid --compliance "${text}": expected one of ${ComplianceStates.join(', ')}`);
  return found;
}

/** Checks the shared filters; names must be DNS labels, texts must not be empty. */
function checkFilters(opts: FilterOptions): FilterOptions {
  for (const key of ['standard', 'category', 'control'] as const) {
    if (opts[key] !== undefined && opts[key].trim() === '') throw new UsageError(`--${key} must not be empty`);
  }
  return {
    cluster: opts.cluster === undefined ? undefined : checkName(opts.cluster, 'cluster name'),
    policy: opts.policy === undefined ? undefined : checkName(opts.policy, 'policy name'),
    standard: opts.standard?.trim(),
    category: opts.category?.trim(),
    control: opts.control?.trim(),
    since: opts.since,
    until: opts.until,
  };
}

/** Runs a query through the API's own schema, so the CLI refuses exactly what the hub would (422), but before sending it. */
function checkQuery<S extends z.ZodType>(schema: S, query: object): z.output<S> {
  const defined = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined));
  const r = schema.safeParse(defined);
  if (!r.success) {
    const issue = r.error.issues[0];
    const flag = issue.path.length ? `--${String(issue.path[0])}` : 'the query';
    throw new UsageError(`invalid ${flag}: ${issue.message}`);
  }
  return r.data;
}

/** Formats history for the terminal or a file. */
export function formatHistory(
  events: readonly ComplianceEvent[],
  format: HistoryOptions['output'],
  paint: Parameters<typeof renderHistory>[1],
): string {
  if (format === 'json' || format === 'yaml') return formatData(events, format);
  return renderHistory(events, paint);
}

/**
 * Writes `text` to `path` atomically: to a temporary file beside it, then renamed over it, so a
 * reader (or a failed run) never sees half a report.
 */
export async function writeFileAtomically(path: string, text: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(tmp, 'wx', 0o644);
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/** `tether compliance ...`. */
export function registerComplianceCommands(program: Command, ctx: CliContext): void {
  const compliance = program
    .command('compliance')
    .description("governance: the compliance history and auditors' reports")
    .addHelpText(
      'after',
      `
Current compliance is on the policies themselves: tether get policies, tether describe policy NAME,
tether describe cluster NAME.

Examples:
  tether compliance history --since 30d
  tether compliance report --standard "PCI DSS 4.0" -o html > report.html`,
    );

  compliance
    .command('history')
    .description('list compliance changes (the append-only history the hub keeps for 2 years), newest first')
    .option('--cluster <name>', 'only this cluster')
    .option('--policy <name>', 'only this policy')
    .option('--standard <standard>', 'only policies mapped to this standard (e.g. "PCI DSS 4.0")')
    .option('--category <category>', 'only policies mapped to this category')
    .option('--control <control>', 'only policies mapped to this control')
    .addOption(
      completeValues(new Option('--compliance <state>', `only changes to this state: ${ComplianceStates.join(', ')}`), ComplianceStates),
    )
    .option('--since <when>', 'from this long ago (30d, 12h) or this RFC 3339 time or date')
    .option('--until <when>', 'up to this long ago or this RFC 3339 time or date (default: now)')
    .option('--limit <n>', `at most N events (default ${DEFAULT_HISTORY_LIMIT})`)
    .option('--all', 'every event that matches (pages through all of them)')
    .option('--oldest-first', 'oldest first (default: newest first)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(HISTORY_FORMATS).default('table'))
    .addHelpText(
      'after',
      `
Every change of a cluster's compliance with a policy is one event, written once and kept for the
hub's retention (2 years by default), so an auditor can see what was true when. An event carries the
policy's standards, categories and controls as they were when it was recorded.

Examples:
  tether compliance history --since 30d
  tether compliance history --cluster store-0042 --compliance NonCompliant
  tether compliance history --standard "PCI DSS 4.0" --control 1.2.1 --since 2026-01-01 --all -o json`,
    )
    .action(async (opts: HistoryOptions, cmd: Command) => {
      if (opts.all && opts.limit !== undefined) throw new UsageError('--all and --limit contradict each other; give one');
      const limit = opts.all ? undefined : opts.limit === undefined ? DEFAULT_HISTORY_LIMIT : parsePositiveInt(opts.limit, '--limit');
      const filters = checkFilters(opts);
      const state = opts.compliance === undefined ? undefined : parseComplianceState(opts.compliance);
      const direction = opts.oldestFirst ? 'asc' : 'desc';
      // The page query as the hub will see it, checked with its own schema (times, bounds).
      const base = checkQuery(ComplianceEventQuerySchema, { ...filters, compliance: state, direction, limit: 1 });
      const client = await ctx.client(cmd);
      const items: ComplianceEvent[] = [];
      const seen = new Set<string>();
      let cursor: string | undefined;
      do {
        const query: EventPageQuery = {
          ...filters,
          compliance: state,
          direction: base.direction,
          limit: Math.min(MAX_EVENTS_PAGE, limit === undefined ? MAX_EVENTS_PAGE : limit - items.length),
          continue: cursor,
        };
        const page = await complianceEventsPage(client, query);
        items.push(...page.items);
        cursor = page.continue;
        if (cursor !== undefined) {
          if (seen.has(cursor))
            throw new HubResponseError('the hub returned the same continue token twice while listing compliance events');
          seen.add(cursor);
        }
      } while (cursor && (limit === undefined || items.length < limit));
      const shown = limit === undefined ? items : items.slice(0, limit);
      if (opts.output === 'table' && !shown.length) {
        ctx.io.err('No compliance events match.\n');
        return;
      }
      ctx.out(formatHistory(shown, opts.output, ctx.paint(cmd)));
      if (opts.output === 'table' && cursor)
        ctx.io.err(`(the ${direction === 'desc' ? 'newest' : 'oldest'} ${shown.length} events; --limit N or --all shows more)\n`);
    });

  compliance
    .command('report')
    .description('render a compliance report for auditors: csv, json, html (printable) or OpenReports')
    .option('--standard <standard>', 'only policies mapped to this standard (e.g. "PCI DSS 4.0")')
    .option('--category <category>', 'only policies mapped to this category')
    .option('--control <control>', 'only policies mapped to this control')
    .option('--cluster <name>', 'only this cluster')
    .option('--policy <name>', 'only this policy')
    .option('--since <when>', 'history window start: this long ago (30d) or an RFC 3339 time or date (default 30d)')
    .option('--until <when>', 'history window end (default: now)')
    .addOption(
      completeValues(new Option('-o, --output <format>', `report format: ${ReportFormats.join(', ')}`).default('json'), ReportFormats),
    )
    .option('--output-file <file>', 'write the report to this file (atomically) instead of stdout')
    .addHelpText(
      'after',
      `
The report is made by the hub from current compliance and the history in the window: a summary per
standard and control, then per cluster, with timestamps. The body goes to stdout unchanged (status
goes to stderr), so it can be redirected; --output-file writes a temporary file and renames it.

Examples:
  tether compliance report --standard "PCI DSS 4.0" -o html > report.html
  tether compliance report --standard "PCI DSS 4.0" --since 90d -o csv --output-file pci.csv
  tether compliance report --cluster store-0042 -o openreports`,
    )
    .action(async (opts: ReportOptions, cmd: Command) => {
      const format = opts.output.toLowerCase();
      if (!(ReportFormats as readonly string[]).includes(format))
        throw new UsageError(`unknown report format "${opts.output}"; use one of: ${ReportFormats.join(', ')}`);
      if (opts.outputFile !== undefined && opts.outputFile.trim() === '') throw new UsageError('--output-file must not be empty');
      const filters = checkFilters(opts);
      const query = checkQuery(ComplianceReportQuerySchema, { ...filters, format });
      const file = opts.outputFile === undefined ? undefined : resolve(ctx.io.cwd, opts.outputFile);
      const client = await ctx.client(cmd);
      if (file && ctx.io.isTTY) ctx.io.err('Requesting the report from the hub...\n');
      const report = await complianceReport(client, { ...query, format: query.format as ReportFormat });
      if (!file) {
        ctx.out(report.body);
        return;
      }
      await writeFileAtomically(file, report.body);
      ctx.io.err(`Wrote the ${format} report to ${opts.outputFile} (${Buffer.byteLength(report.body)} bytes).\n`);
    });
}
