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
    typeof d === 'object' &&
    d !== null &&
    (d as { kind?: unknown }).kind === 'List' &&
    Array.isArray((d as { items?: unknown }).items)
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
      const where = line ? `line ${line}` : `document ${index + 1}`;
      const firstLine = err.message.split('\n')[0];
      throw new MalformedInputError(
        jsonError ? `${source} is neither valid JSON nor YAML: ${firstLine} (${where})` : `${source}: invalid YAML at ${where}: ${firstLine}`,
        line,
        { cause: err },
      );
    }
    out.push(doc.toJS({ maxAliasCount: 100 }));
  });
  return out;
}
