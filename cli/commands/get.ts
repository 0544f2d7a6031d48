import { Option, type Command } from 'commander';
import { checkName, checkSelector, knownKindsText, parsePositiveInt, resolveKind, scopeFor } from '../args.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { formatList, formatOne, OUTPUT_FORMATS, parseOutputFormat } from '../output/print.js';
import { watchResources } from '../watch.js';

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
    .option('-w, --watch', 'after the first output, poll and print what changes (until Ctrl-C)')
    .option('--interval <seconds>', 'seconds between polls with --watch', '2')
    // Bounds a watch to N polls: for tests and scripts that want a finite watch, not for people.
    .addOption(new Option('--watch-count <n>', 'stop --watch after N polls').hideHelp())
    .addHelpText(
      'after',
      `
Lists follow the hub's continue tokens and print every item, unless --limit is given.

--watch polls every --interval seconds with If-None-Match, so an idle watch costs a 304 per page.
It prints new and changed objects again (by resourceVersion) and deleted ones with "(deleted)";
with -o json|yaml each change is one document (YAML documents separated by ---). Ctrl-C ends it (exit 0).

Examples:
  tether get clusters
  tether get cl -l 'tier=store,region in (us-east,us-west)' -o wide
  tether get cluster store-0001 -o yaml
  tether get clustersets -o json
  tether get clusters --limit 10 -o name
  tether get works --cluster store-0001
  tether get clusters -l tier=store --watch
  tether get fleetdeployment pos -w -o yaml --interval 5`,
    )
    .action(async (kindText: string, name: string | undefined, opts: GetOptions, cmd: Command) => {
      const info = resolveKind(kindText);
      const format = parseOutputFormat(opts.output);
      const selector = checkSelector(opts.selector);
      const limit = opts.limit === undefined ? undefined : parsePositiveInt(opts.limit, '--limit');
      const scope = scopeFor(info, opts.cluster);
      if (name !== undefined && (selector || limit)) throw new UsageError('a name cannot be combined with --selector or --limit');
      if (opts.watch && limit !== undefined) throw new UsageError('--watch follows the whole list; it cannot be combined with --limit');
      const intervalMs = parseIntervalMs(opts.interval);
      const polls = opts.watchCount === undefined ? undefined : parsePositiveInt(opts.watchCount, '--watch-count');
      const client = await ctx.client(cmd);
      if (opts.watch) {
        await watchResources(
          client,
          { info, scope, name: name === undefined ? undefined : checkName(name), selector },
          {
            format,
            intervalMs,
            polls,
            out: (t) => ctx.out(t),
            err: (t) => ctx.io.err(t),
            printContext: () => ({ now: ctx.io.now(), paint: ctx.paint(cmd) }),
            onInterrupt: ctx.io.onInterrupt,
          },
        );
        return;
      }
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
  watch?: boolean;
  interval?: string;
  watchCount?: string;
}

/** `--interval` in milliseconds: seconds, fractions allowed (down to 10 ms, which tests use). */
function parseIntervalMs(text: string | undefined): number {
  const seconds = Number(text ?? '2');
  if (!/^\d+(\.\d+)?$/.test((text ?? '2').trim()) || seconds < 0.01) throw new UsageError(`invalid --interval "${text}": expected a number of seconds, at least 0.01`);
  return Math.round(seconds * 1000);
}
