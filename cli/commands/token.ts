import type { Command } from 'commander';
import { z } from 'zod';
import { parseDuration } from '../../shared/duration.js';
import { checkName } from '../args.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { age } from '../output/age.js';
import { formatData, parseOutputFormat } from '../output/print.js';

/** The `-o` formats of this command's data. */
const DATA_FORMATS = ['table', 'json', 'yaml'] as const;
import { renderTable } from '../output/table.js';

/**
 * `tether token create|list|revoke`: API tokens of the hub (`/v1/tokens`, admin only). The token
 * is printed once, alone on stdout, by `create`; the hub keeps only its hash.
 */

const TokenViewShape = z.looseObject({
  name: z.string(),
  role: z.string(),
  clusterSets: z.array(z.string()).optional(),
  description: z.string().optional(),
  state: z.string(),
  createdAt: z.string(),
  createdBy: z.string().optional(),
  expiresAt: z.string().optional(),
  lastUsedAt: z.string().optional(),
  revokedAt: z.string().optional(),
});
type TokenView = z.infer<typeof TokenViewShape>;
const CreatedShape = TokenViewShape.extend({ token: z.string() });
const ListShape = z.looseObject({ items: z.array(TokenViewShape) });

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** The table of `tether token list`. */
export function renderTokens(items: readonly TokenView[], now: Date): string {
  return renderTable(
    ['NAME', 'ROLE', 'SETS', 'STATE', 'LAST USED', 'EXPIRES', 'AGE'],
    items.map((t) => [
      t.name,
      t.role,
      t.clusterSets?.join(',') ?? '<all clusters>',
      t.state === 'Active' ? t.state : { text: t.state, tone: 'warn' as const },
      t.lastUsedAt ? `${age(t.lastUsedAt, now)} ago` : 'never',
      t.expiresAt ? (Date.parse(t.expiresAt) > now.getTime() ? `in ${age(now.toISOString(), new Date(t.expiresAt))}` : 'expired') : 'never',
      age(t.createdAt, now),
    ]),
  );
}

/** Registers `tether token`. */
export function registerTokenCommands(program: Command, ctx: CliContext): void {
  const token = program
    .command('token')
    .description("the hub's API tokens: create (shown once), list, revoke (admin only)")
    .addHelpText(
      'after',
      `
Examples:
  tether token create ci-east --role operator --clusterset stores-east --ttl 30d
  tether token list
  tether token revoke ci-east`,
    );
  token
    .command('create <name>')
    .description('create an API token with a role, optionally confined to cluster sets; prints it once')
    .requiredOption('--role <role>', 'admin, operator, viewer, auditor, or a custom Role')
    .option('--clusterset <set>', 'a cluster set the role applies in (repeatable; none: every cluster)', collect)
    .option('--ttl <duration>', 'lifetime, e.g. 30d or 12h (default: no expiry)')
    .option('--description <text>', 'what the token is for (not secret)')
    .addHelpText(
      'after',
      `
Examples:
  tether token create ci-east --role operator --clusterset stores-east --ttl 30d
  TOKEN="$(tether token create dashboards --role viewer)"`,
    )
    .action(async (name: string, opts: { role: string; clusterset?: string[]; ttl?: string; description?: string }, cmd: Command) => {
      checkName(name, 'token name');
      checkName(opts.role, 'role');
      for (const s of opts.clusterset ?? []) checkName(s, 'cluster set');
      if (opts.ttl !== undefined && parseDuration(opts.ttl) === undefined)
        throw new UsageError(`invalid --ttl "${opts.ttl}": expected a duration like 30d or 12h`);
      const client = await ctx.client(cmd);
      const created = await client.call('POST', '/v1/tokens', CreatedShape, {
        body: {
          name,
          role: opts.role,
          ...(opts.clusterset?.length ? { clusterSets: opts.clusterset } : {}),
          ...(opts.ttl !== undefined ? { ttl: opts.ttl } : {}),
          ...(opts.description !== undefined ? { description: opts.description } : {}),
        },
      });
      ctx.out(`${created.token}\n`);
      const scope = created.clusterSets?.length ? `in cluster sets ${created.clusterSets.join(', ')}` : 'on every cluster';
      ctx.io.err(
        `Created token "${created.name}" with role ${created.role} ${scope}; ${created.expiresAt ? `it expires at ${created.expiresAt}` : 'it does not expire'}. It is shown only once.\n`,
      );
    });
  token
    .command('list')
    .description('list API tokens with their role, sets, state and last use (never the tokens)')
    .option('-o, --output <format>', 'table, json or yaml', 'table')
    .addHelpText(
      'after',
      `
Examples:
  tether token list
  tether token list -o json`,
    )
    .action(async (opts: { output: string }, cmd: Command) => {
      const format = parseOutputFormat(opts.output, DATA_FORMATS);
      const client = await ctx.client(cmd);
      const list = await client.call('GET', '/v1/tokens', ListShape);
      if (format !== 'table') return ctx.out(formatData(list, format));
      if (!list.items.length) return ctx.io.err('No tokens found.\n');
      ctx.out(renderTokens(list.items, ctx.io.now()));
    });
  token
    .command('revoke <name>')
    .description('revoke an API token: it stops working at once and stays listed as Revoked')
    .addHelpText(
      'after',
      `
Examples:
  tether token revoke ci-east`,
    )
    .action(async (name: string, _opts: unknown, cmd: Command) => {
      checkName(name, 'token name');
      const client = await ctx.client(cmd);
      const revoked = await client.call('DELETE', `/v1/tokens/${encodeURIComponent(name)}`, TokenViewShape);
      ctx.out(`token/${revoked.name} revoked\n`);
    });
}
