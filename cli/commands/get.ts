import { Option, type Command } from 'commander';
import { checkName, checkSelector, knownKindsText, parsePositiveInt, resolveKind, scopeFor } from '../args.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { formatList, formatOne, OUTPUT_FORMATS, parseOutputFormat } from '../output/print.js';

/** `tether get <kind> [name]`: lists a kind (all pages) or shows one object. */
export function registerGetCommand(program: Command, ctx: CliContext): void {
  program
    .command('get')
    .description('list resources of a kind, or show one by name')
    .argument('<kind>', `resource kind: ${knownKindsText()}`)
    .argument('[name]', 'show only this object')
    .option('-l, --selector <selector>', 'label selector, e.g. "tier=store,region in (us-east,us-west),!legacy"')
    .addOption(new Option('-o, --output <format>', 'output format').choices(OUTPUT_FORMATS).default('table'))
    .option('--limit <n>', 'return at most N items: one page, without following continue tokens')
    .option('--cluster <name>', 'the cluster whose objects to list (for kinds that belong to a cluster, e.g. works)')
    .addHelpText(
      'after',
      `
Lists follow the hub's continue tokens and print every item, unless --limit is given.

Examples:
  tether get clusters
  tether get cl -l 'tier=store,region in (us-east,us-west)' -o wide
  tether get cluster store-0001 -o yaml
  tether get clustersets -o json
  tether get clusters --limit 10 -o name
  tether get works --cluster store-0001`,
    )
    .action(async (kindText: string, name: string | undefined, opts: GetOptions, cmd: Command) => {
      const info = resolveKind(kindText);
      const format = parseOutputFormat(opts.output);
      const selector = checkSelector(opts.selector);
      const limit = opts.limit === undefined ? undefined : parsePositiveInt(opts.limit, '--limit');
      const scope = scopeFor(info, opts.cluster);
      if (name !== undefined && (selector || limit)) throw new UsageError('a name cannot be combined with --selector or --limit');
      const client = await ctx.client(cmd);
      const printCtx = { now: ctx.io.now(), paint: ctx.paint(cmd) };
      if (name !== undefined) {
        const object = await client.get(info, checkName(name), scope);
        ctx.out(formatOne(object, format, printCtx));
        return;
      }
      const items =
        limit === undefined
          ? await client.listAll(info, { ...scope, labelSelector: selector })
          : (await client.list(info, { ...scope, labelSelector: selector, limit })).items;
      if (items.length === 0 && (format === 'table' || format === 'wide' || format === 'name')) {
        // As kubectl: the notice goes to stderr so that scripts reading stdout see nothing.
        ctx.io.err(`No ${info.plural} found${selector ? ` matching "${selector}"` : ''}.\n`);
        return;
      }
      ctx.out(formatList(info.kind, items, format, printCtx));
    });
}

interface GetOptions {
  selector?: string;
  output?: string;
  limit?: string;
  cluster?: string;
}
