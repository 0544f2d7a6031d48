import { Option, type Command } from 'commander';
import { auditCount, auditCsv, auditDiffSummary, auditObject, auditOutcome } from '../../shared/audit-view.js';
import type { AuditEvent } from '../../shared/tenancy.js';
import { parsePositiveInt } from '../args.js';
import type { CliContext } from '../context.js';
import { formatData } from '../output/print.js';
import { renderTable } from '../output/table.js';

const FORMATS = ['table', 'json', 'yaml', 'csv'] as const;

interface AuditOptions {
  since?: string;
  until?: string;
  user?: string;
  verb?: string;
  kind?: string;
  name?: string;
  clusterset?: string;
  outcome?: string;
  limit?: string;
  output: (typeof FORMATS)[number];
}

/** Formats audit events for the terminal or a file (CSV: one row per event, columns an auditor reads). */
export function formatAudit(items: AuditEvent[], format: AuditOptions['output']): string {
  if (format === 'json' || format === 'yaml') return formatData(items, format);
  if (format === 'csv') return auditCsv(items);
  if (!items.length) return 'No audit events in that range.\n';
  const rows = items.map((e) => {
    const count = auditCount(e);
    return [
      e.stageTimestamp,
      e.user.username,
      e.verb,
      auditObject(e),
      auditOutcome(e) === 'denied' ? { text: count > 1 ? `denied ×${count}` : 'denied', tone: 'bad' as const } : 'allowed',
      String(e.responseStatus.code),
      auditDiffSummary(e, 4) || (e.decision?.allowed === false ? e.decision.reason : ''),
    ];
  });
  return renderTable(['TIME', 'USER', 'VERB', 'OBJECT', 'OUTCOME', 'CODE', 'CHANGES'], rows);
}

/** `tether audit`: reads the hub's audit trail (the same store locally and on AWS). */
export function registerAuditCommand(program: Command, ctx: CliContext): void {
  program
    .command('audit')
    .description("read the hub's audit trail, newest first")
    .option('--since <when>', 'from this long ago (24h, 7d) or an RFC 3339 time', '24h')
    .option('--until <when>', 'up to this long ago or this RFC 3339 time (default: now)')
    .option('--user <user>', 'only events of this user (token:ci, alice@example.com)')
    .option('--verb <verb>', 'only this verb (create, update, patch, delete, control, login), or a prefix ending in "." (agent.)')
    .option('--kind <kind>', 'only events about this kind (Policy, works)')
    .option('--name <name>', 'only events about objects of this name')
    .option('--clusterset <set>', 'only events about objects in this cluster set')
    .addOption(new Option('--outcome <outcome>', 'only allowed or only denied events').choices(['allowed', 'denied']))
    .option('--limit <n>', 'at most N events (default: all in the range)')
    .addOption(new Option('-o, --output <format>', 'output format').choices(FORMATS).default('table'))
    .addHelpText(
      'after',
      `
Every change made through the admin API (create, update, patch, delete, apply, cluster and rollout
actions), every refused request and the hub's own security events leave one audit event, in the
shape of Kubernetes' audit.k8s.io/v1 Event: who, what, on which object, the outcome, the rule that
decided and, for a change, the fields it changed (Secret values redacted). Reads are not recorded.
Refused requests repeated within 10 seconds are one event with a count. Events are kept for 366
days unless the hub is configured otherwise.

Examples:
  tether audit
  tether audit --since 7d --outcome denied
  tether audit --kind Policy --name pci-owner -o json
  tether audit --user alice@example.com --clusterset stores-east
  tether audit --since 30d -o csv > audit.csv`,
    )
    .action(async (opts: AuditOptions, cmd: Command) => {
      const limit = opts.limit === undefined ? undefined : parsePositiveInt(opts.limit, '--limit');
      const client = await ctx.client(cmd);
      const items: AuditEvent[] = [];
      let cursor: string | undefined;
      do {
        const page = await client.auditPage({
          since: opts.since,
          until: opts.until,
          user: opts.user,
          verb: opts.verb,
          kind: opts.kind,
          name: opts.name,
          clusterSet: opts.clusterset,
          outcome: opts.outcome,
          limit: Math.min(1000, limit === undefined ? 1000 : limit - items.length),
          continue: cursor,
        });
        items.push(...page.items);
        cursor = page.continue;
      } while (cursor && (limit === undefined || items.length < limit));
      ctx.out(formatAudit(items, opts.output));
    });
}
