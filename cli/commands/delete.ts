import type { Command } from 'commander';
import { checkName, knownKindsText, resolveKind, scopeFor } from '../args.js';
import type { CliContext } from '../context.js';
import { AuthMissingError, exitCodeFor, HubUnreachableError } from '../errors.js';

/** `tether delete <kind> <name...>`: deletes each name, going on past failures. */
export function registerDeleteCommand(program: Command, ctx: CliContext): void {
  program
    .command('delete')
    .description('delete resources by name')
    .argument('<kind>', `resource kind: ${knownKindsText()}`)
    .argument('<name...>', 'one or more objects to delete')
    .option('--cluster <name>', 'the cluster the objects belong to (for kinds that belong to a cluster, e.g. works)')
    .addHelpText(
      'after',
      `
Each name is deleted in turn; a failure is reported and the rest still go ahead. The exit code is
that of the first failure. A cluster with finalizers is deleted in the background: the hub answers
"deletion started" and the object disappears once its clean-up is done.

Examples:
  tether delete cluster store-0001
  tether delete clusters store-0001 store-0002
  tether delete cs old-set`,
    )
    .action(async (kindText: string, names: string[], opts: { cluster?: string }, cmd: Command) => {
      const info = resolveKind(kindText);
      const scope = scopeFor(info, opts.cluster);
      names.forEach((n) => checkName(n));
      const client = await ctx.client(cmd);
      for (const name of names) {
        try {
          const result = await client.delete(info, name, scope);
          const what = `${info.singular} "${name}"`;
          ctx.out(result.status === 202 ? `${what} deletion started (finalizers running)\n` : `${what} deleted\n`);
        } catch (err) {
          // Without a hub or a token every further name would fail the same way.
          if (err instanceof HubUnreachableError || err instanceof AuthMissingError) throw err;
          ctx.report(cmd, err);
          ctx.fail(exitCodeFor(err));
        }
      }
    });
}
