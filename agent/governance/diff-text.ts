import { MAX_VIOLATION_DIFF } from '../../shared/protocol/v1.js';
import type { Difference } from './compare.js';

/**
 * The diff a violation carries: one line per differing field, `path: want X, got Y`, with values
 * as short JSON. It names only fields the policy declares (plus extra entries a mustonlyhave map or
 * list holds), so volatile metadata (resourceVersion, managedFields, timestamps) never shows and
 * the text stays the same from one evaluation to the next while the object does not change.
 *
 * Secrets never show values: for an object of kind Secret every value under `data` and
 * `stringData` is written `<redacted>`, whatever the policy asked (`recordDiff` only decides
 * whether a diff is kept at all).
 */

/** What a redacted value is written as. */
export const REDACTED_VALUE = '<redacted>';

/** Longest rendering of one value in a diff line. */
const MAX_VALUE_CHARS = 200;

/** Renders differences as diff text, redacted and at most {@link MAX_VIOLATION_DIFF} characters (plus a short "cut" note). */
export function formatDiff(differences: readonly Difference[], kind: string): string {
  const secret = kind === 'Secret';
  const lines = differences.map((d) => {
    const redact = secret && isSecretValuePath(d.path);
    const show = (v: unknown, present: boolean) => (!present ? '<absent>' : redact ? REDACTED_VALUE : short(v));
    return `${d.path}: want ${show(d.want, d.kind !== 'extra')}, got ${show(d.got, d.kind !== 'missing')}`;
  });
  return cap(lines);
}

function isSecretValuePath(path: string): boolean {
  return /^(data|stringData)(\.|\[|$)/.test(path);
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > MAX_VALUE_CHARS ? `${text.slice(0, MAX_VALUE_CHARS - 1)}…` : text;
}

function cap(lines: string[]): string {
  let text = '';
  for (let i = 0; i < lines.length; i++) {
    const next = text ? `${text}\n${lines[i]}` : lines[i];
    if (next.length > MAX_VIOLATION_DIFF) return `${text}\n… ${lines.length - i} more differences not shown`;
    text = next;
  }
  return text;
}
