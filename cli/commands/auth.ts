import type { Command } from 'commander';
import { AuthzDecisionSchema, Verbs, WhoAmISchema } from '../../shared/tenancy.js';
import { checkName } from '../args.js';
import type { CliContext } from '../context.js';
import { ExitCode, UsageError } from '../errors.js';
import { formatData, parseOutputFormat } from '../output/print.js';

/** The `-o` formats of this command's data. */
const DATA_FORMATS = ['table', 'json', 'yaml'] as const;

/**
 * `tether auth can-i VERB KIND [NAME]` (exit 0 yes, 1 no, as kubectl) and `tether auth whoami`:
 * what the hub says about the caller (`GET /v1/auth/can-i`, `GET /v1/auth/whoami`).
 */
export function registerAuthCommands(program: Command, ctx: CliContext): void {
  const auth = program
    .command('auth')
    .description('who you are to the hub, and what you may do')
    .addHelpText(
      'after',
      `
Examples:
  tether auth whoami
  tether auth can-i delete policies`,
    );
  auth
    .command('can-i <verb> <kind> [name]')
    .description(`may I? prints yes or no and the rule that decided; exit 0 yes, 1 no (verbs: ${Verbs.join(', ')})`)
    .option('-n, --cluster <name>', 'the cluster of a namespaced object (a Work)')
    .option('-q, --quiet', 'print nothing: only the exit code answers')
    .addHelpText(
      'after',
      `
Examples:
  tether auth can-i create placements
  tether auth can-i control fleetdeployment shop && tether rollout pause shop`,
    )
    .action(async (verb: string, kind: string, name: string | undefined, opts: { cluster?: string; quiet?: boolean }, cmd: Command) => {
      if (!(Verbs as readonly string[]).includes(verb)) throw new UsageError(`unknown verb "${verb}": use one of ${Verbs.join(', ')}`);
      if (name !== undefined) checkName(name);
      if (opts.cluster !== undefined) checkName(opts.cluster, 'cluster name');
      const client = await ctx.client(cmd);
      const decision = await client.call('GET', '/v1/auth/can-i', AuthzDecisionSchema, {
        query: { verb, kind, name, namespace: opts.cluster },
      });
      if (!opts.quiet) {
        ctx.out(`${decision.allowed ? 'yes' : 'no'}\n`);
        const where = decision.clusterSets ? ` (within cluster sets ${decision.clusterSets.join(', ')})` : '';
        ctx.io.err(`${decision.reason}${decision.allowed ? where : ''}\n`);
      }
      if (!decision.allowed) ctx.fail(ExitCode.Failed);
    });
  auth
    .command('whoami')
    .description('who the hub takes you for: user, groups, how you signed in, your bindings and rules')
    .option('-o, --output <format>', 'table, json or yaml', 'table')
    .addHelpText(
      'after',
      `
Examples:
  tether auth whoami
  tether auth whoami -o json`,
    )
    .action(async (opts: { output: string }, cmd: Command) => {
      const format = parseOutputFormat(opts.output, DATA_FORMATS);
      const client = await ctx.client(cmd);
      const me = await client.call('GET', '/v1/auth/whoami', WhoAmISchema);
      if (format !== 'table') return ctx.out(formatData(me, format));
      const lines = [
        `Username: ${me.username}`,
        `UID:      ${me.uid}`,
        `Groups:   ${me.groups.length ? me.groups.join(', ') : '<none>'}`,
        `Source:   ${me.source}${me.expiresAt !== undefined ? ` (expires ${new Date(me.expiresAt).toISOString()})` : ''}`,
        'Bindings:',
        ...(me.bindings.length
          ? me.bindings.map((b) => `  ${b.name}: ${b.role}${b.clusterSets ? ` in ${b.clusterSets.join(', ')}` : ' on every cluster'}`)
          : ['  <none>: the hub allows you nothing']),
      ];
      ctx.out(`${lines.join('\n')}\n`);
    });
}
