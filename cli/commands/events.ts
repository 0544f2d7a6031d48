import type { Command } from 'commander';
import { FleetEventListSchema, type FleetEvent } from '../../shared/events.js';
import { checkName, parsePositiveInt } from '../args.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { age } from '../output/age.js';
import type { Painter } from '../output/color.js';
import { jsonpathOutput } from '../output/jsonpath.js';
import { formatData, kindRef, type JsonPathFormat, type OutputFormat } from '../output/print.js';
import { renderTable } from '../output/table.js';

/**
 * `tether get events [-n CLUSTER] [--limit N]`: what happened recently across the fleet, from
 * `GET /v1/events` (condition transitions of clusters, cluster sets, placements and fleet
 * deployments; with a cluster, also its works' conditions and drift). The table lists the newest
 * last, as `kubectl get events --sort-by=.lastTimestamp` does, so the latest is next to the prompt.
 */

/** Words that name events on the `get` command line. */
export const EVENT_WORDS: ReadonlySet<string> = new Set(['events', 'event', 'ev']);

/** The table of events, oldest of the ones shown first. */
export function renderEvents(events: readonly FleetEvent[], now: Date, paint?: Painter): string {
  const rows = [...events]
    .reverse()
    .map((e) => [
      age(e.time, now),
      e.type === 'Warning' ? { text: e.type, tone: 'warn' as const } : e.type,
      e.reason,
      `${kindRef(e.object.kind, e.object.name)}${e.object.namespace ? ` (${e.object.namespace})` : ''}`,
      e.message,
    ]);
  return renderTable(['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'], rows, paint);
}

/** Runs `get events` with the options `get` parsed. */
export async function getEvents(
  ctx: CliContext,
  cmd: Command,
  opts: { cluster?: string; limit?: string; output: OutputFormat | JsonPathFormat; selector?: string; name?: string },
): Promise<void> {
  if (opts.name !== undefined || opts.selector)
    throw new UsageError('events have no names or labels; filter them with -n CLUSTER and --limit');
  const limit = opts.limit === undefined ? undefined : parsePositiveInt(opts.limit, '--limit');
  if (limit !== undefined && limit > 1000) throw new UsageError('--limit for events is at most 1000');
  const cluster = opts.cluster === undefined ? undefined : checkName(opts.cluster, 'cluster name');
  const client = await ctx.client(cmd);
  const list = await client.read('/v1/events', FleetEventListSchema, { cluster, limit });
  const output = opts.output;
  if (typeof output !== 'string') return ctx.out(jsonpathOutput(output.jsonpath, list));
  if (output === 'json' || output === 'yaml') return ctx.out(formatData(list, output));
  if (output === 'name') throw new UsageError('-o name does not apply to events; use -o json, yaml or jsonpath');
  if (!list.items.length) {
    ctx.io.err(`No events found${cluster ? ` for cluster ${cluster}` : ''}.\n`);
    return;
  }
  ctx.out(renderEvents(list.items, ctx.io.now(), ctx.paint(cmd)));
  if (list.total > list.items.length) ctx.io.err(`(the newest ${list.items.length} of ${list.total} events; --limit shows more)\n`);
}
