import { Option, type Command } from 'commander';
import { parsePositiveInt } from '../args.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { formatData } from '../output/print.js';
import { renderTable } from '../output/table.js';

const FORMATS = ['table', 'json', 'yaml', 'csv'] as const;
const COLUMNS = ['time', 'action', 'outcome', 'cluster', 'actor', 'sourceIp', 'count', 'reason'] as const;

interface AuditOptions {
  since?: string;
  until?: string;
  action?: string;
  outcome?: string;
  cluster?: string;
  limit?: string;
  output: (typeof FORMATS)[number];
}

/** A CSV field: quoted when it holds a comma, quote or line break (RFC 4180). */
function csvField(value: unknown): string {
  const text = value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The object an event is about besides its cluster (`fleetdeployment/pos`), from its details. */
export function auditObject(r: Record<string, unknown>): string {
  const details = (r.details ?? {}) as Record<string, unknown>;
  if (typeof details.fleetDeployment === 'string') return `fleetdeployment/${details.fleetDeployment}`;
  return '';
}

/** Formats audit records for the terminal or a file. */
export function formatAudit(items: Record<string, unknown>[], format: AuditOptions['output']): string {
  if (format === 'json' || format === 'yaml') return formatData(items, format);
  if (format === 'csv')
    return (
      [[...COLUMNS, 'details'].join(','), ...items.map((r) => [...COLUMNS, 'details'].map((c) => csvField(r[c])).join(','))].join('\n') +
      '\n'
    );
  if (!items.length) return 'No audit records in that range.\n';
  const rows = items.map((r) => [
    String(r.time),
    String(r.action),
    r.outcome === 'denied' ? { text: 'denied', tone: 'bad' as const } : String(r.outcome),
    String(r.cluster ?? ''),
    auditObject(r),
    String(r.actor ?? ''),
    String(r.sourceIp ?? ''),
    String(r.count ?? 1),
    String(r.reason ?? ''),
  ]);
  return renderTable(['TIME', 'ACTION', 'OUTCOME', 'CLUSTER', 'OBJECT', 'ACTOR', 'SOURCE', 'COUNT', 'REASON'], rows);
}

/** `tether audit`: reads the hub's audit trail (the same store locally and on AWS). */
export function registerAuditCommand(program: Command, ctx: CliContext): void {
  program
    .command('audit')
    .description("read the hub's audit trail, newest first")
    .option('--since <when>', 'from this long ago (24h, 7d) or an RFC 3339 time', '24h')
    .option('--until <when>', 'up to this long ago or this RFC 3339 time (default: now)')
    .option('--action <action>', 'one action (cluster.accept) or a prefix ending in "." (cluster.)')
    .addOption(new Option('--outcome <outcome>', 'only allowed or only denied events').choices(['allowed', 'denied']))
    .option('--cluster <name>', 'only events about this cluster')
    .option('--limit <n>', 'at most N records (default: all in the range)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(FORMATS).default('table'))
    .addHelpText(
      'after',
      `
Every hub process stores audit records in the hub's table: cluster imports, accepts, denials,
detaches, upgrades, credential rotations, rollout control actions and refused credentials. Refused
requests repeated within 10 seconds are one record with a COUNT. Records are kept for 366 days.

Examples:
  tether audit
  tether audit --since 7d --outcome denied
  tether audit --action cluster. --cluster store-0042 -o json
  tether audit --since 30d -o csv > audit.csv`,
    )
    .action(async (opts: AuditOptions, cmd: Command) => {
      const limit = opts.limit === undefined ? undefined : parsePositiveInt(opts.limit, '--limit');
      if (opts.action !== undefined && !/^[a-z][a-z0-9.-]*$/.test(opts.action))
        throw new UsageError(`--action must look like cluster.accept or cluster., got "${opts.action}"`);
      const client = await ctx.client(cmd);
      const items: Record<string, unknown>[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.auditPage({
          since: opts.since,
          until: opts.until,
          action: opts.action,
          outcome: opts.outcome,
          cluster: opts.cluster,
          limit: Math.min(1000, limit === undefined ? 1000 : limit - items.length),
          continue: cursor,
        });
        items.push(...page.items);
        cursor = page.continue;
      } while (cursor && (limit === undefined || items.length < limit));
      ctx.out(formatAudit(items, opts.output));
    });
}
