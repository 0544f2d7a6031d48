import type { KindInfo } from '../shared/resources/kinds.js';
import type { Resource } from '../shared/resources/meta.js';
import { HubProblemError, HubResponseError } from './errors.js';
import type { HubClient, ResourceList, Scope } from './hub-client.js';
import { formatData, formatList, kindRef, type OutputFormat, type PrintContext } from './output/print.js';

/**
 * `tether get --watch`: the hub has no watch stream (agents and people only poll), so the CLI
 * polls with `If-None-Match` and prints what changed since the last answer, as kubectl's watch
 * does: new or changed objects (by resourceVersion) again, deleted ones with a `(deleted)` suffix.
 * An idle watch costs one 304 per page and interval.
 */

/** What to watch: a whole (selected) list of a kind, or one object by name. */
export interface WatchTarget {
  info: KindInfo;
  scope: Scope;
  name?: string;
  selector?: string;
}

/** How to watch and where the output goes. */
export interface WatchOptions {
  format: OutputFormat;
  intervalMs: number;
  /** Polls after the first answer; unbounded (until interrupted) when undefined. */
  polls?: number;
  out: (text: string) => void;
  err: (text: string) => void;
  /** Fresh for every batch, so ages stay current. */
  printContext: () => PrintContext;
  /** Registers a Ctrl-C handler; returns its removal (see CliIO.onInterrupt). */
  onInterrupt?: (handler: () => void) => () => void;
}

/** What one poll found: objects new or changed since the last poll, and objects gone. */
export interface WatchChanges {
  changed: Resource[];
  deleted: Resource[];
}

/** Identity of an object within one watch: namespaced kinds repeat names across clusters. */
function keyOf(o: Resource): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/** Compares two snapshots by resourceVersion; both results are sorted by name for stable output. */
export function diffSnapshots(previous: ReadonlyMap<string, Resource>, next: Resource[]): WatchChanges {
  const nextKeys = new Set<string>();
  const changed: Resource[] = [];
  for (const o of next) {
    const key = keyOf(o);
    nextKeys.add(key);
    const before = previous.get(key);
    if (!before || before.metadata.resourceVersion !== o.metadata.resourceVersion) changed.push(o);
  }
  const deleted = [...previous.entries()].filter(([key]) => !nextKeys.has(key)).map(([, o]) => o);
  const byName = (a: Resource, b: Resource) => keyOf(a).localeCompare(keyOf(b));
  return { changed: changed.sort(byName), deleted: deleted.sort(byName) };
}

/**
 * Prints watch batches in one format. Tables print their header once, with the first batch that
 * has rows; JSON prints one object per document; YAML separates documents with `---`.
 */
export class WatchPrinter {
  private headerPrinted = false;
  private documents = 0;

  constructor(
    private readonly kind: string,
    private readonly format: OutputFormat,
    private readonly out: (text: string) => void,
  ) {}

  /** Prints one batch; nothing when it is empty. */
  print(changes: WatchChanges, ctx: PrintContext): void {
    const { changed, deleted } = changes;
    if (!changed.length && !deleted.length) return;
    switch (this.format) {
      case 'json':
      case 'yaml':
        for (const o of [...changed, ...deleted]) this.document(o, this.format);
        return;
      case 'name':
        this.out(changed.map((o) => `${kindRef(o.kind || this.kind, o.metadata.name)}\n`).join(''));
        this.out(deleted.map((o) => `${kindRef(o.kind || this.kind, o.metadata.name)} (deleted)\n`).join(''));
        return;
      case 'table':
      case 'wide': {
        // One table for the batch so its rows line up; the suffix goes after the last column.
        const lines = formatList(this.kind, [...changed, ...deleted], this.format, ctx)
          .trimEnd()
          .split('\n');
        const header = lines.shift() ?? '';
        const rows = lines.map((line, i) => (i >= changed.length ? `${line} (deleted)` : line));
        if (!this.headerPrinted) rows.unshift(header);
        this.headerPrinted = true;
        this.out(`${rows.join('\n')}\n`);
      }
    }
  }

  private document(o: Resource, format: 'json' | 'yaml'): void {
    if (format === 'yaml' && this.documents > 0) this.out('---\n');
    this.documents++;
    this.out(formatData(o, format));
  }
}

/** A list fetched page by page with each page's ETag, so an unchanged page costs a 304. */
class ConditionalList {
  private pages = new Map<string, { etag?: string; page: ResourceList }>();

  constructor(
    private readonly client: HubClient,
    private readonly target: WatchTarget,
  ) {}

  /** Every item, or undefined when every page answered 304 (nothing changed). */
  async fetch(): Promise<Resource[] | undefined> {
    const next = new Map<string, { etag?: string; page: ResourceList }>();
    const items: Resource[] = [];
    let changed = false;
    let token: string | undefined;
    do {
      const key = token ?? '';
      const cached = this.pages.get(key);
      const answer = await this.client.listIfChanged(
        this.target.info,
        { ...this.target.scope, labelSelector: this.target.selector, continue: token },
        cached?.etag,
      );
      let page: ResourceList;
      if (answer.notModified) {
        if (!cached) throw new HubResponseError(`the hub answered 304 to a list of ${this.target.info.plural} the CLI had not read yet`);
        page = cached.page;
      } else {
        page = answer.value;
        changed = true;
      }
      next.set(key, { etag: answer.etag, page });
      items.push(...page.items);
      token = page.metadata.continue;
      // A hub that hands back a token it already gave would otherwise loop forever.
      if (token !== undefined && next.has(token))
        throw new HubResponseError(`the hub returned the same continue token twice while listing ${this.target.info.plural}`);
    } while (token !== undefined);
    this.pages = next;
    return changed ? items : undefined;
  }
}

/** One object fetched with its ETag; a 404 after it existed reads as a deletion. */
class ConditionalObject {
  private etag?: string;
  private current: Resource[] = [];

  constructor(
    private readonly client: HubClient,
    private readonly target: WatchTarget & { name: string },
  ) {}

  /** The object as a one-item list (empty once deleted), or undefined when unchanged. */
  async fetch(first: boolean): Promise<Resource[] | undefined> {
    try {
      const answer = await this.client.getIfChanged(this.target.info, this.target.name, this.target.scope, this.etag);
      if (answer.notModified) return undefined;
      this.etag = answer.etag;
      this.current = [answer.value];
      return this.current;
    } catch (err) {
      // The first read keeps get's contract (exit 4 for a missing object); later, 404 means it went away.
      if (first || !(err instanceof HubProblemError) || err.status !== 404) throw err;
      this.etag = undefined;
      const wasThere = this.current.length > 0;
      this.current = [];
      return wasThere ? [] : undefined;
    }
  }
}

/**
 * Prints the target once, then polls every `intervalMs` and prints the changes, until
 * `polls` polls have run or Ctrl-C. Errors of any poll end the watch (the caller reports them).
 */
export async function watchResources(client: HubClient, target: WatchTarget, options: WatchOptions): Promise<void> {
  const source =
    target.name === undefined ? new ConditionalList(client, target) : new ConditionalObject(client, { ...target, name: target.name });
  const printer = new WatchPrinter(target.info.kind, options.format, options.out);
  let stopped = false;
  let wake: (() => void) | undefined;
  const removeHandler = options.onInterrupt?.(() => {
    stopped = true;
    wake?.();
  });
  try {
    const first = (await source.fetch(true)) ?? [];
    let snapshot = new Map(first.map((o) => [keyOf(o), o]));
    if (
      !first.length &&
      target.name === undefined &&
      (options.format === 'table' || options.format === 'wide' || options.format === 'name')
    ) {
      options.err(`No ${target.info.plural} found${target.selector ? ` matching "${target.selector}"` : ''}; watching.\n`);
    }
    printer.print({ changed: first, deleted: [] }, options.printContext());
    for (let poll = 0; !stopped && (options.polls === undefined || poll < options.polls); poll++) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, options.intervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
      if (stopped) break;
      const items = await source.fetch(false);
      if (items === undefined) continue;
      printer.print(diffSnapshots(snapshot, items), options.printContext());
      snapshot = new Map(items.map((o) => [keyOf(o), o]));
    }
  } finally {
    removeHandler?.();
  }
}
