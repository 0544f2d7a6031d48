import { age } from './age.js';
import { NONE } from './columns.js';

/** Text layout helpers of `tether describe`, shared by the kind-specific describers. */

/** One `Label:  value` line; a list value continues on the following lines. */
export type Pair = [label: string, value: string | string[]];

/** Aligned `Label:  value` lines (exported for the related-object sections); list values continue on following lines under the first. */
export function keyValues(pairs: Pair[], prefix: string, heading?: string): string {
  const width = Math.max(...pairs.map(([label]) => label.length)) + 2;
  const lines: string[] = heading ? [heading] : [];
  for (const [label, value] of pairs) {
    const values = Array.isArray(value) ? (value.length ? value : [NONE]) : [value];
    lines.push(`${prefix}${`${label}:`.padEnd(width)}${values[0]}`);
    for (const more of values.slice(1)) lines.push(`${prefix}${' '.repeat(width)}${more}`);
  }
  return `${lines.join('\n')}\n`;
}

/** `2026-11-10T12:00:00Z (5m ago)`, or `<none>`. */
export function timeWithAge(timestamp: string | undefined, now: Date): string {
  return timestamp ? `${timestamp} (${age(timestamp, now)} ago)` : NONE;
}

/** Indents every non-empty line. */
export function indent(text: string, by: string): string {
  return text
    .split('\n')
    .map((line) => (line === '' ? line : by + line))
    .join('\n');
}
