import { parseAllDocuments } from 'yaml';
import { MalformedInputError } from './errors.js';

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
  const documents = parseAllDocuments(text, { prettyErrors: true, uniqueKeys: true });
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
    out.push(doc.toJS({ maxAliasCount: 100 }));
  });
  return out;
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
