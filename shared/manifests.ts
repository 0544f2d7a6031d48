import { parseAllDocuments, type Document } from 'yaml';
import { MalformedInputError } from './errors.js';
import { assertNestingDepth } from './nesting.js';

/**
 * Most aliases one YAML document may expand (a billion-laughs bomb multiplies them); real
 * manifests use a handful, if any.
 */
export const MAX_YAML_ALIASES = 100;

/**
 * Parses multi-document YAML or JSON into plain objects.
 *
 * Accepts a single JSON object, a JSON array, a Kubernetes-style `{kind: List, items: [...]}`,
 * or YAML with `---` separators. Empty documents are skipped.
 *
 * @throws MalformedInputError naming the document and line of the first syntax error.
 */
export function parseDocuments(text: string, source = 'input'): unknown[] {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  let docs: unknown[];
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      docs = Array.isArray(parsed) ? parsed : [parsed];
    } catch (err) {
      // YAML is a superset of JSON; fall through so flow-style YAML still works, but keep the JSON error
      // if YAML fails as well.
      docs = parseYaml(text, source, err);
    }
  } else {
    docs = parseYaml(text, source);
  }
  const out: unknown[] = [];
  docs.forEach((d, i) => assertNestingDepth(d, docs.length > 1 ? `${source} (document ${i + 1})` : source));
  for (const d of docs) {
    if (d === null || d === undefined) continue;
    if (isList(d)) out.push(...d.items);
    else out.push(d);
  }
  return out;
}

function isList(d: unknown): d is { items: unknown[] } {
  return (
    typeof d === 'object' && d !== null && (d as { kind?: unknown }).kind === 'List' && Array.isArray((d as { items?: unknown }).items)
  );
}

function parseYaml(text: string, source: string, jsonError?: unknown): unknown[] {
  let documents: ReturnType<typeof parseAllDocuments>;
  try {
    documents = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true });
  } catch (err) {
    // The parser recurses into nested collections; a hostile nesting can exhaust the stack.
    if (err instanceof RangeError) throw new MalformedInputError(`${source} is nested too deeply to read`, undefined, { cause: err });
    throw err;
  }
  const list = Array.isArray(documents) ? documents : [documents];
  const out: unknown[] = [];
  list.forEach((doc, index) => {
    const err = doc.errors[0];
    if (err) {
      const line = err.linePos?.[0]?.line;
      const col = err.linePos?.[0]?.col;
      const where = line ? `line ${line}${col ? `, column ${col}` : ''}` : `document ${index + 1}`;
      const problem = yamlProblem(err.message);
      const snippet = line ? offendingLine(text, line) : '';
      throw new MalformedInputError(
        jsonError
          ? `${source} is neither valid JSON nor YAML: ${problem} (${where})${snippet}`
          : `${source}: invalid YAML at ${where}: ${problem}${snippet}`,
        line,
        { cause: err },
      );
    }
    out.push(toJs(doc, source, index));
  });
  return out;
}

/**
 * A parsed document as plain data. Aliases are where YAML input turns hostile: one naming no anchor,
 * or so many that expanding them would exhaust memory (billion laughs), is malformed input.
 */
function toJs(doc: Pick<Document, 'toJS'>, source: string, index: number): unknown {
  try {
    return doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (err) {
    const message = (err as Error).message ?? '';
    const where = `document ${index + 1}`;
    if (/Excessive alias count/i.test(message)) {
      throw new MalformedInputError(
        `${source}: ${where} expands too many YAML aliases; the limit is ${MAX_YAML_ALIASES} (a document that multiplies aliases is refused)`,
        undefined,
        { cause: err },
      );
    }
    if (/Unresolved alias/i.test(message)) {
      const name = /:\s*(\S+)\s*$/.exec(message)?.[1];
      throw new MalformedInputError(
        `${source}: ${where} uses the YAML alias ${name ? `*${name} ` : ''}before (or without) its anchor`,
        undefined,
        { cause: err },
      );
    }
    if (err instanceof RangeError) {
      throw new MalformedInputError(`${source}: ${where} is nested too deeply to read`, undefined, { cause: err });
    }
    throw err;
  }
}

/**
 * The YAML library's message without its own " at line L, column C:" tail and code frame (its first
 * line ends in a dangling colon); the position and the line are added by the caller, on one line,
 * so that the message also fits a problem+json `detail`.
 */
function yamlProblem(message: string): string {
  return message
    .split('\n')[0]
    .replace(/ at line \d+, column \d+:?$/, '')
    .replace(/:$/, '');
}

/** The source line the error points at, quoted (`: "  name: [a"`), or a note when it is past the last line. */
function offendingLine(text: string, line: number): string {
  const lines = text.split(/\r?\n/);
  const at = lines[line - 1];
  if (at === undefined || (at.trim() === '' && line >= lines.length)) return ' (at the end of the input)';
  const shown = at.length > 120 ? `${at.slice(0, 117)}...` : at;
  return `: ${JSON.stringify(shown)}`;
}
