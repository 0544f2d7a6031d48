/**
 * Label selectors in the console use the hub's own parser and matcher (shared/labels.ts), so a
 * selector means exactly what it means to the API and the CLI. That module brings zod along
 * (about 28 kB gzipped), so it is loaded on first use, not with the console.
 */

type LabelsModule = typeof import('../../../shared/labels.js');

let loading: Promise<LabelsModule> | undefined;

function labelsModule(): Promise<LabelsModule> {
  loading ??= import('../../../shared/labels.js');
  return loading;
}

/** A compiled selector: a match function, or the parser's message for the person typing it. */
export type CompiledSelector =
  { ok: true; matches: (labels: Record<string, string> | undefined) => boolean } | { ok: false; error: string };

/** Everything matches the empty selector. */
export const MATCH_ALL: CompiledSelector = { ok: true, matches: () => true };

/** Parses a selector in its string form (`tier=store,region in (us-east,us-west),!legacy`). */
export async function compileSelector(text: string): Promise<CompiledSelector> {
  if (text.trim() === '') return MATCH_ALL;
  const { parseSelector, matchesSelector } = await labelsModule();
  try {
    const selector = parseSelector(text);
    return { ok: true, matches: (labels) => matchesSelector(selector, labels) };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}
