import type { Command } from 'commander';
import type { KindInfo } from '../../shared/resources/kinds.js';
import { checkName, checkSelector, clusterFlag, collect, knownKindsText, resolveKind, scopeFor, type ClusterFlags } from '../args.js';
import type { CliContext } from '../context.js';
import { AuthMissingError, exitCodeFor, HubProblemError, HubUnreachableError, UsageError } from '../errors.js';
import type { Scope } from '../hub-client.js';
import { manifestObjects } from '../manifest-objects.js';
import { readSources } from './apply.js';

/**
 * `tether delete <kind> <name...>`, `tether delete <kind> -l SELECTOR` and `tether delete -f
 * FILE|DIR`: deletes each object, going on past failures.
 */

interface DeleteOptions extends ClusterFlags {
  filename?: string[];
  selector?: string;
  ignoreNotFound?: boolean;
}

/** One object to delete. */
export interface DeleteTarget {
  info: KindInfo;
  name: string;
  scope: Scope;
}

/** Registers `delete`. */
export function registerDeleteCommand(program: Command, ctx: CliContext): void {
  program
    .command('delete')
    .description('delete resources by name, by label selector, or every object in files')
    .argument('[kind]', `resource kind: ${knownKindsText()}`)
    .argument('[name...]', 'one or more objects to delete')
    .option(
      '-f, --filename <path>',
      'delete every object of these files: a file, a directory (its *.yaml, *.yml and *.json) or -; repeatable',
      collect,
    )
    .option('-l, --selector <selector>', 'delete every object of the kind matching this label selector')
    .option('--ignore-not-found', 'an object that does not exist is not an error')
    .option('--cluster <name>', 'the cluster the objects belong to (for kinds that belong to a cluster, e.g. works)')
    .option('-n, --namespace <cluster>', 'same as --cluster (works are namespaced by their cluster)')
    .addHelpText(
      'after',
      `
Each object is deleted in turn; a failure is reported and the rest still go ahead. The exit code is
that of the first failure. A cluster with finalizers is deleted in the background: the hub answers
"deletion started" and the object disappears once its clean-up is done.

With -f, the objects are those the files describe (kind, metadata.name and, for works,
metadata.namespace); the rest of each document is ignored, so the files apply -f used work as they are.

Examples:
  tether delete cluster store-0001
  tether delete clusters store-0001 store-0002
  tether delete cs old-set
  tether delete clusters -l tier=lab
  tether delete -f fleet/
  tether delete -f old.yaml --ignore-not-found`,
    )
    .action(async (kindText: string | undefined, names: string[], opts: DeleteOptions, cmd: Command) => {
      const targets = await resolveTargets(ctx, kindText, names, opts, cmd);
      if (!targets) return;
      await deleteTargets(ctx, cmd, targets, { ignoreNotFound: Boolean(opts.ignoreNotFound) });
    });
}

async function resolveTargets(
  ctx: CliContext,
  kindText: string | undefined,
  names: string[],
  opts: DeleteOptions,
  cmd: Command,
): Promise<DeleteTarget[] | undefined> {
  if (opts.filename?.length) {
    if (kindText !== undefined || opts.selector)
      throw new UsageError('-f names the objects itself; give no kind, name or --selector with it');
    const objects = manifestObjects(await readSources(opts.filename, ctx));
    if (!objects.length) throw new UsageError('no objects passed to delete');
    return objects.map((o) => ({ info: o.info, name: o.name, scope: o.scope }));
  }
  if (kindText === undefined) throw new UsageError('say what to delete: a kind and names, a kind and --selector, or -f FILE');
  const info = resolveKind(kindText);
  const scope = scopeFor(info, clusterFlag(opts));
  const selector = checkSelector(opts.selector);
  if (selector && names.length) throw new UsageError('give object names or --selector, not both');
  if (!selector) {
    if (!names.length) throw new UsageError(`name the ${info.plural} to delete, or pass --selector or -f`);
    return names.map((n) => ({ info, name: checkName(n), scope }));
  }
  const client = await ctx.client(cmd);
  const found = await client.listAll(info, { ...scope, labelSelector: selector });
  if (!found.length) {
    ctx.io.err(`No ${info.plural} found matching "${selector}".\n`);
    return undefined;
  }
  return found.map((o) => ({ info, name: o.metadata.name, scope }));
}

/**
 * Deletes each target and prints one line per object (`cluster "x" deleted`); reports failures and
 * goes on, except when the hub cannot be reached at all.
 */
async function deleteTargets(
  ctx: CliContext,
  cmd: Command,
  targets: readonly DeleteTarget[],
  options: { ignoreNotFound?: boolean } = {},
): Promise<void> {
  const client = await ctx.client(cmd);
  for (const { info, name, scope } of targets) {
    const what = `${info.singular} "${name}"${scope.cluster ? ` (cluster ${scope.cluster})` : ''}`;
    try {
      const result = await client.delete(info, name, scope);
      ctx.out(result.status === 202 ? `${what} deletion started (finalizers running)\n` : `${what} deleted\n`);
    } catch (err) {
      // Without a hub or a token every further name would fail the same way.
      if (err instanceof HubUnreachableError || err instanceof AuthMissingError) throw err;
      if (options.ignoreNotFound && err instanceof HubProblemError && err.status === 404) continue;
      ctx.report(cmd, err);
      ctx.fail(exitCodeFor(err));
    }
  }
}
