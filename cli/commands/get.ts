import { Option, type Command } from 'commander';
import { clusterKind } from '../../shared/resources/cluster.js';
import type { KindInfo } from '../../shared/resources/kinds.js';
import { API_VERSION, type Resource } from '../../shared/resources/meta.js';
import {
  checkName,
  checkSelector,
  clusterFlag,
  knownKindsText,
  parsePositiveInt,
  resolveKind,
  scopeFor,
  type ClusterFlags,
} from '../args.js';
import { completeValues } from '../completion-words.js';
import { EVENT_WORDS, getEvents } from './events.js';
import type { CliContext } from '../context.js';
import { HubProblemError, UsageError } from '../errors.js';
import type { HubClient } from '../hub-client.js';
import { jsonpathOutput, sortByPath } from '../output/jsonpath.js';
import { formatList, formatOne, OUTPUT_FORMATS, parseGetOutput } from '../output/print.js';
import { watchResources } from '../watch.js';

/** `tether get <kind> [name]`: lists a kind (all pages) or shows one object. */
export function registerGetCommand(program: Command, ctx: CliContext): void {
  program
    .command('get')
    .description('list resources of a kind, or show one by name')
    .argument('<kind>', `resource kind: ${knownKindsText()}; or events`)
    .argument('[name]', 'show only this object')
    .option('-l, --selector <selector>', 'label selector, e.g. "tier=store,region in (us-east,us-west),!legacy"')
    .addOption(
      completeValues(
        new Option('-o, --output <format>', `output format: ${OUTPUT_FORMATS.join(', ')} or jsonpath=TEMPLATE`).default('table'),
        [...OUTPUT_FORMATS, 'jsonpath='],
      ),
    )
    .option('--sort-by <jsonpath>', 'sort the list by the value this path finds in each object, e.g. .metadata.creationTimestamp')
    .option('--show-labels', 'add a LABELS column to tables')
    .option('--limit <n>', 'return at most N items: one page, without following continue tokens')
    .option('--cluster <name>', 'the cluster whose objects to list (for kinds that belong to a cluster, e.g. works)')
    .option('-n, --namespace <cluster>', 'same as --cluster: works are namespaced by their cluster')
    .option('-A, --all-namespaces', 'list the objects of every cluster (for kinds that belong to a cluster), with a CLUSTER column')
    .option('-w, --watch', 'after the first output, poll and print what changes (until Ctrl-C)')
    .option('--interval <seconds>', 'seconds between polls with --watch', '2')
    // Bounds a watch to N polls: for tests and scripts that want a finite watch, not for people.
    .addOption(new Option('--watch-count <n>', 'stop --watch after N polls').hideHelp())
    .addHelpText(
      'after',
      `
Lists follow the hub's continue tokens and print every item, unless --limit is given.

Works belong to a cluster (metadata.namespace is the cluster's name): name it with -n or --cluster,
or list every cluster's works with -A (one request for the clusters, then one per cluster).

"tether get events" lists what happened recently across the fleet, newest last: condition
transitions of clusters, cluster sets, placements and fleet deployments; with -n CLUSTER, also that
cluster's works' conditions and drift. --limit N (default 100) keeps the newest N.

-o jsonpath=TEMPLATE prints kubectl-style JSONPath templates: {.items[*].metadata.name},
{range .items[*]}{.metadata.name}{"\t"}{.status.version}{"\n"}{end}, filters like
[?(@.type=="Ready")]. A list is a {kind: <Kind>List, items: [...]}, as with -o json.

--watch polls every --interval seconds with If-None-Match, so an idle watch costs a 304 per page.
It prints new and changed objects again (by resourceVersion) and deleted ones with "(deleted)";
with -o json|yaml each change is one document (YAML documents separated by ---). Ctrl-C ends it (exit 0).

Examples:
  tether get clusters
  tether get cl -l 'tier=store,region in (us-east,us-west)' -o wide
  tether get cluster store-0001 -o yaml
  tether get clustersets -o json
  tether get clusters --limit 10 -o name
  tether get works -n store-0001
  tether get works -A -l app=pos
  tether get clusters -o jsonpath='{.items[*].metadata.name}'
  tether get clusters --sort-by=.metadata.creationTimestamp --show-labels
  tether get events
  tether get events -n store-0001 --limit 20
  tether get clusters -l tier=store --watch
  tether get fleetdeployment pos -w -o yaml --interval 5`,
    )
    .action(async (kindText: string, name: string | undefined, opts: GetOptions, cmd: Command) => {
      if (EVENT_WORDS.has(kindText.toLowerCase())) {
        if (opts.watch || opts.allNamespaces || opts.sortBy || opts.showLabels)
          throw new UsageError('events take -n/--cluster, --limit and -o; not --watch, -A, --sort-by or --show-labels');
        return getEvents(ctx, cmd, {
          cluster: clusterFlag(opts),
          limit: opts.limit,
          output: parseGetOutput(opts.output),
          selector: opts.selector,
          name,
        });
      }
      const info = resolveKind(kindText);
      const output = parseGetOutput(opts.output);
      const selector = checkSelector(opts.selector);
      const limit = opts.limit === undefined ? undefined : parsePositiveInt(opts.limit, '--limit');
      const cluster = clusterFlag(opts);
      // As kubectl, -A means nothing for kinds that do not belong to a cluster.
      const allClusters = Boolean(opts.allNamespaces) && info.namespaced;
      if (allClusters && cluster !== undefined) throw new UsageError('-A lists every cluster; it cannot be combined with -n/--cluster');
      if (allClusters && name !== undefined)
        throw new UsageError(`a ${info.singular} cannot be read by name across all clusters: name its cluster with -n`);
      const scope = allClusters ? {} : scopeFor(info, cluster);
      if (name !== undefined && (selector || limit)) throw new UsageError('a name cannot be combined with --selector or --limit');
      if (opts.watch && limit !== undefined) throw new UsageError('--watch follows the whole list; it cannot be combined with --limit');
      if (opts.watch && (allClusters || typeof output !== 'string' || opts.sortBy))
        throw new UsageError('--watch cannot be combined with -A, -o jsonpath or --sort-by');
      if (allClusters && limit !== undefined) throw new UsageError('-A lists every cluster; it cannot be combined with --limit');
      if (opts.sortBy !== undefined) sortByPath([], opts.sortBy);
      const format = typeof output === 'string' ? output : 'json';
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
      const printCtx = { now: ctx.io.now(), paint: ctx.paint(cmd), showLabels: Boolean(opts.showLabels), clusterColumn: allClusters };
      if (name !== undefined) {
        const object = await client.get(info, checkName(name), scope);
        ctx.out(typeof output === 'string' ? formatOne(object, format, printCtx) : jsonpathOutput(output.jsonpath, object));
        return;
      }
      let items = allClusters
        ? await listEveryCluster(client, info, selector)
        : limit === undefined
          ? await client.listAll(info, { ...scope, labelSelector: selector })
          : (await client.list(info, { ...scope, labelSelector: selector, limit })).items;
      if (opts.sortBy !== undefined) items = sortByPath(items, opts.sortBy);
      if (items.length === 0 && (format === 'table' || format === 'wide' || format === 'name')) {
        // As kubectl: the notice goes to stderr so that scripts reading stdout see nothing.
        ctx.io.err(`No ${info.plural} found${selector ? ` matching "${selector}"` : ''}${allClusters ? ' in any cluster' : ''}.\n`);
        return;
      }
      if (typeof output !== 'string') {
        ctx.out(jsonpathOutput(output.jsonpath, { apiVersion: API_VERSION, kind: `${info.kind}List`, metadata: {}, items }));
        return;
      }
      ctx.out(formatList(info.kind, items, format, printCtx));
    });
}

/** Clusters whose works `get -A` lists at once: a bound, so a big fleet does not open a socket per store. */
const FAN_OUT = 8;

/**
 * `get works -A`: the objects of a namespaced kind in every cluster. The hub keeps each cluster's
 * works apart, so this lists the clusters, then each cluster's objects (FAN_OUT at a time), in
 * cluster order. A cluster deleted meanwhile (404) is skipped.
 */
async function listEveryCluster(client: HubClient, info: KindInfo, selector: string | undefined): Promise<Resource[]> {
  const clusters = (await client.listAll(clusterKind)).map((c) => c.metadata.name);
  const perCluster: Resource[][] = new Array(clusters.length);
  let next = 0;
  const worker = async () => {
    while (next < clusters.length) {
      const k = next++;
      try {
        perCluster[k] = await client.listAll(info, { cluster: clusters[k], labelSelector: selector });
      } catch (err) {
        if (!(err instanceof HubProblemError && err.status === 404)) throw err;
        perCluster[k] = [];
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(FAN_OUT, clusters.length) }, worker));
  return perCluster.flat();
}

interface GetOptions extends ClusterFlags {
  selector?: string;
  output?: string;
  sortBy?: string;
  showLabels?: boolean;
  allNamespaces?: boolean;
  limit?: string;
  watch?: boolean;
  interval?: string;
  watchCount?: string;
}

/** `--interval` in milliseconds: seconds, fractions allowed (down to 10 ms, which tests use). */
function parseIntervalMs(text: string | undefined): number {
  const seconds = Number(text ?? '2');
  if (!/^\d+(\.\d+)?$/.test((text ?? '2').trim()) || seconds < 0.01)
    throw new UsageError(`invalid --interval "${text}": expected a number of seconds, at least 0.01`);
  return Math.round(seconds * 1000);
}
