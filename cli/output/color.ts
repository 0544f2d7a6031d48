/**
 * Terminal colour, used sparingly: the `error:`/`warning:` prefixes and condition statuses.
 * Off unless the output is a terminal, and always off with `--no-color` or `NO_COLOR`.
 */

/** How a value should look: good (green), bad (red), warn (yellow), dim (grey). */
export type Tone = 'good' | 'bad' | 'warn' | 'dim';

const CODES: Record<Tone, [number, number]> = {
  good: [32, 39],
  bad: [31, 39],
  warn: [33, 39],
  dim: [2, 22],
};

/** Paints text in a tone, or returns it unchanged when colour is off. */
export type Painter = (text: string, tone: Tone | undefined) => string;

/** A painter that adds ANSI colour when `enabled`, and one that never does otherwise. */
export function painter(enabled: boolean): Painter {
  if (!enabled) return (text) => text;
  return (text, tone) => {
    if (!tone || text === '') return text;
    const [on, off] = CODES[tone];
    return `\u001b[${on}m${text}\u001b[${off}m`;
  };
}

/** The tone of a Kubernetes condition status: True is good, False bad, Unknown a warning. */
export function conditionTone(status: string | undefined): Tone | undefined {
  if (status === 'True') return 'good';
  if (status === 'False') return 'bad';
  if (status === 'Unknown') return 'warn';
  return undefined;
}
