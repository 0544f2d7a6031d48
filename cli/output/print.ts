import { stringify } from 'yaml';
import { API_VERSION, type Resource } from '../../shared/resources/meta.js';
import { UsageError } from '../errors.js';
import type { Painter } from './color.js';
import { columnsFor, formatLabels, NONE } from './columns.js';
import { parseTemplate } from './jsonpath.js';
import { renderTable } from './table.js';

/**
 * Turns resources into the text of `-o table|wide|json|yaml|name`.
 */

/** The `-o` formats of commands that print resources. */
export const OUTPUT_FORMATS = ['table', 'wide', 'json', 'yaml', 'name'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Checks an `-o` value. @throws UsageError listing the accepted formats. */
export function parseOutputFormat<F extends OutputFormat = OutputFormat>(
  text: string | undefined,
  allowed: readonly F[] = OUTPUT_FORMATS as readonly OutputFormat[] as readonly F[],
): F {
  const f = (text ?? 'table').toLowerCase();
  if (!(allowed as readonly string[]).includes(f)) {
    throw new UsageError(`unknown output format "${text}"; use one of: ${allowed.join(', ')}`);
  }
  return f as F;
}

/** What formatting needs besides the objects. */
export interface PrintContext {
  now: Date;
  paint: Painter;
  /** `--show-labels`: a LABELS column at the end of tables. */
  showLabels?: boolean;
  /** `-A`: a CLUSTER column first (the cluster a namespaced object belongs to, its metadata.namespace). */
  clusterColumn?: boolean;
}

/** What `-o jsonpath=...` asks for: the template after `jsonpath=`. */
export interface JsonPathFormat {
  jsonpath: string;
}

/**
 * Checks an `-o` value that may also be kubectl's `jsonpath=TEMPLATE` (`jsonpath='{...}'` quoted
 * or not). @throws UsageError listing the accepted formats.
 */
export function parseGetOutput(text: string | undefined): OutputFormat | JsonPathFormat {
  const m = /^jsonpath=(.*)$/s.exec(text ?? '');
  if (m) {
    const template = m[1].replace(/^'(.*)'$/s, '$1');
    if (!template) throw new UsageError("-o jsonpath= needs a template, e.g. -o jsonpath='{.items[*].metadata.name}'");
    parseTemplate(template);
    return { jsonpath: template };
  }
  if (text === 'jsonpath') throw new UsageError("-o jsonpath needs a template: -o jsonpath='{.items[*].metadata.name}'");
  try {
    return parseOutputFormat(text);
  } catch (err) {
    throw new UsageError(`${(err as Error).message}, jsonpath=TEMPLATE`, { cause: err });
  }
}

/**
 * Formats a list of one kind. JSON and YAML print a `<Kind>List` holding every item (all pages
 * merged, so there is no continue token); `name` prints `kind/name` lines; tables print rows.
 */
export function formatList(kind: string, items: Resource[], format: OutputFormat, ctx: PrintContext): string {
  switch (format) {
    case 'json':
    case 'yaml':
      return formatData({ apiVersion: API_VERSION, kind: `${kind}List`, metadata: {}, items }, format);
    case 'name':
      return items.map((o) => `${kindRef(o.kind || kind, o.metadata.name)}\n`).join('');
    case 'table':
    case 'wide': {
      const columns = columnsFor(kind, format === 'wide');
      if (ctx.showLabels && !columns.some((c) => c.header === 'LABELS'))
        columns.push({ header: 'LABELS', value: (o) => formatLabels(o.metadata.labels) });
      if (ctx.clusterColumn) columns.unshift({ header: 'CLUSTER', value: (o) => o.metadata.namespace ?? NONE });
      const rows = items.map((o) => columns.map((c) => c.value(o, { now: ctx.now })));
      return renderTable(
        columns.map((c) => c.header),
        rows,
        ctx.paint,
      );
    }
  }
}

/** Formats one object: as a one-row table, `kind/name`, JSON or YAML. */
export function formatOne(object: Resource, format: OutputFormat, ctx: PrintContext): string {
  if (format === 'json' || format === 'yaml') return formatData(object, format);
  return formatList(object.kind, [object], format, ctx);
}

/** Pretty JSON (2 spaces) or block YAML, ending with a newline. */
export function formatData(value: unknown, format: 'json' | 'yaml'): string {
  if (format === 'json') return `${JSON.stringify(value, null, 2)}\n`;
  return stringify(value, { lineWidth: 0 });
}

/** `cluster/store-0001`: the lower-case kind and the name, as kubectl prints references. */
export function kindRef(kind: string, name: string): string {
  return `${kind.toLowerCase()}/${name}`;
}
