import { JSONPath } from 'jsonpath-plus';
import { UsageError } from '../errors.js';

/**
 * kubectl's JSONPath templates for `-o jsonpath=...` and `--sort-by`: text with `{...}` parts,
 * e.g. `{.items[*].metadata.name}` or
 * `{range .items[*]}{.metadata.name}{"\t"}{.metadata.labels.tier}{"\n"}{end}`.
 *
 * Supported, as kubectl: paths from the current object (`.a.b`, `[0]`, `[*]`, `..name`, filters
 * such as `[?(@.type=="Ready")]`, evaluated by jsonpath-plus in its safe mode), `$` for the root,
 * quoted strings with escapes (`{"\n"}`), and `{range PATH}...{end}`, nestable. Several matches
 * print separated by a space; objects and arrays print as JSON; a path that matches nothing prints
 * nothing (kubectl's default --allow-missing-template-keys). Not supported: kubectl's `@` outside
 * filters, `{.a,.b}` unions of several paths in one brace.
 */

type Node = { type: 'text'; text: string } | { type: 'path'; path: string } | { type: 'range'; path: string; body: Node[] };

/** Parses a template. @throws UsageError for an unclosed brace, an `{end}` without `{range}` and the like. */
export function parseTemplate(template: string): Node[] {
  const tokens: Array<{ text: string } | { expr: string }> = [];
  let i = 0;
  while (i < template.length) {
    const open = template.indexOf('{', i);
    if (open < 0) {
      tokens.push({ text: template.slice(i) });
      break;
    }
    if (open > i) tokens.push({ text: template.slice(i, open) });
    const close = closingBrace(template, open);
    if (close < 0) throw new UsageError(`invalid jsonpath template "${template}": unclosed "{" at position ${open + 1}`);
    tokens.push({ expr: template.slice(open + 1, close).trim() });
    i = close + 1;
  }
  let pos = 0;
  const block = (inRange: boolean): Node[] => {
    const nodes: Node[] = [];
    while (pos < tokens.length) {
      const t = tokens[pos++];
      if ('text' in t) {
        nodes.push({ type: 'text', text: t.text });
        continue;
      }
      if (t.expr === 'end') {
        if (!inRange) throw new UsageError(`invalid jsonpath template "${template}": {end} without {range}`);
        return nodes;
      }
      if (t.expr.startsWith('range ')) {
        const path = t.expr.slice('range '.length).trim();
        nodes.push({ type: 'range', path, body: block(true) });
        continue;
      }
      if (t.expr.startsWith('"')) {
        try {
          nodes.push({ type: 'text', text: JSON.parse(t.expr) as string });
        } catch {
          throw new UsageError(`invalid jsonpath template "${template}": bad string ${t.expr}`);
        }
        continue;
      }
      if (!t.expr) throw new UsageError(`invalid jsonpath template "${template}": empty {}`);
      nodes.push({ type: 'path', path: t.expr });
    }
    if (inRange) throw new UsageError(`invalid jsonpath template "${template}": {range} without {end}`);
    return nodes;
  };
  return block(false);
}

/** Index of the `}` closing the `{` at `open`, skipping quoted strings and nested brackets. */
function closingBrace(text: string, open: number): number {
  let quote: string | undefined;
  for (let k = open + 1; k < text.length; k++) {
    const c = text[k];
    if (quote) {
      if (c === '\\') k++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '}') return k;
  }
  return -1;
}

/** Every value a kubectl-style path finds in `data` (`root` for paths that start with `$`). */
export function findAll(data: unknown, path: string, root: unknown = data): unknown[] {
  const absolute = path.startsWith('$');
  const full = absolute ? path : `$${path.startsWith('.') || path.startsWith('[') ? '' : '.'}${path}`;
  const json = (absolute ? root : data) as object;
  if (json === null || typeof json !== 'object') return [];
  try {
    return JSONPath({ path: full, json, wrap: true, eval: 'safe' }) as unknown[];
  } catch (err) {
    throw new UsageError(`invalid jsonpath "${path}": ${(err as Error).message}`, { cause: err });
  }
}

function show(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Renders a parsed template against `data`. */
export function renderTemplate(nodes: readonly Node[], data: unknown, root: unknown = data): string {
  let out = '';
  for (const node of nodes) {
    if (node.type === 'text') out += node.text;
    else if (node.type === 'path') out += findAll(data, node.path, root).map(show).join(' ');
    else for (const item of findAll(data, node.path, root)) out += renderTemplate(node.body, item, root);
  }
  return out;
}

/** `-o jsonpath=TEMPLATE` in one call: parse and render. */
export function jsonpathOutput(template: string, data: unknown): string {
  return renderTemplate(parseTemplate(template), data);
}

/**
 * Sorts objects by the value a path (`.metadata.name` or `{.metadata.name}`) finds in each, as
 * `--sort-by`: numbers by value, anything else as text; objects where it finds nothing go last.
 * The sort is stable, so equal keys keep the hub's order.
 */
export function sortByPath<T>(items: readonly T[], path: string): T[] {
  const bare = path
    .trim()
    .replace(/^\{(.*)\}$/, '$1')
    .trim();
  if (!bare) throw new UsageError('--sort-by needs a JSONPath such as .metadata.creationTimestamp');
  parseTemplate(`{${bare}}`);
  const keyed = items.map((item) => ({ item, key: findAll(item, bare)[0] }));
  const rank = (v: unknown) => (v === undefined || v === null ? 2 : typeof v === 'number' ? 0 : 1);
  keyed.sort((a, b) => {
    const ra = rank(a.key);
    const rb = rank(b.key);
    if (ra !== rb) return ra - rb;
    if (ra === 0) return (a.key as number) - (b.key as number);
    if (ra === 2) return 0;
    return show(a.key) < show(b.key) ? -1 : show(a.key) > show(b.key) ? 1 : 0;
  });
  return keyed.map((k) => k.item);
}
