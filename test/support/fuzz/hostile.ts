import type { Rng } from './random.js';

/**
 * Hostile values for the fuzzing suite: names, bodies, cursors and query values that a broken or
 * malicious client sends. Each generator is pure over the random source.
 */

/** Path segments that must never act on another object (as sent: encoded where it matters). */
export const HOSTILE_SEGMENTS: readonly string[] = [
  '..',
  '.',
  '%2e%2e',
  '%2E%2E',
  '.%2e',
  '%2e.',
  '%2e',
  '..%2f..',
  '..%2F',
  '%2f',
  '%5c',
  'a%00b',
  '%00',
  'a%0d%0aSet-Cookie:x',
  '%0a',
  '%',
  '%zz',
  '%E0%A4%A',
  'UPPER',
  'under_score',
  'caf%C3%A9',
  '%F0%9F%92%A5',
  '-leading',
  'trailing-',
  'a'.repeat(64),
  'a'.repeat(254),
  'a'.repeat(300),
  'a.b',
  '~',
  '*',
  '%20',
  '1e999',
  '-1',
  '0',
  '99999999999999999999999',
];

/** Query values that a careless or hostile client sends for any parameter. */
export const HOSTILE_QUERY_VALUES: readonly string[] = [
  '',
  '-1',
  '0',
  '1e309',
  '99999999999999999999',
  'NaN',
  'Infinity',
  'abc',
  '%00',
  '\u0000',
  'a'.repeat(5000),
  '[]',
  '{}',
  'true',
  'a in (',
  '!!!',
  '2026-13-45T99:99:99Z',
  '9999-12-31T23:59:59Z',
  '0000-01-01T00:00:00Z',
  '../..',
];

/** A value nested `depth` levels deep (objects or arrays, alternating when `mixed`). */
export function nested(depth: number, leaf: unknown = 'x', shape: 'object' | 'array' | 'mixed' = 'object'): unknown {
  let v: unknown = leaf;
  for (let i = 0; i < depth; i++) {
    const asArray = shape === 'array' || (shape === 'mixed' && i % 2 === 1);
    v = asArray ? [v] : { k: v };
  }
  return v;
}

/** The JSON text of a value nested `depth` deep, built as text (no recursion, any depth). */
export function nestedJsonText(depth: number, shape: 'object' | 'array' = 'object'): string {
  return shape === 'array' ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"k":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** The classic billion-laughs YAML: each level multiplies the previous one's aliases. */
export function yamlBomb(levels = 9, width = 9): string {
  const lines = [`a0: &a0 [${Array(width).fill('"lol"').join(',')}]`];
  for (let i = 1; i < levels; i++)
    lines.push(
      `a${i}: &a${i} [${Array(width)
        .fill(`*a${i - 1}`)
        .join(',')}]`,
    );
  return `${lines.join('\n')}\n`;
}

/** YAML that uses `count` aliases of one small anchor (no multiplication, just many). */
export function yamlManyAliases(count: number): string {
  return `base: &b {x: 1}\nitems:\n${Array.from({ length: count }, () => '  - *b').join('\n')}\n`;
}

/** Strings a name field should refuse without falling over. */
export function hostileName(rng: Rng): string {
  return rng.pick([
    '..',
    '.',
    '',
    ' ',
    'a\u0000b',
    'a\nb',
    'a\r\nb',
    '\u202eevil',
    '💥',
    'a'.repeat(64),
    'a'.repeat(300),
    'a'.repeat(70_000),
    'UPPER',
    '-x',
    '../../etc/passwd',
    '%2e%2e',
    '<script>alert(1)</script>',
    '\ud800',
  ]);
}

/** A tampered or forged `continue` value, sometimes made from a real one. */
export function tamperedCursor(rng: Rng, real: readonly string[]): string {
  const base = real.length ? rng.pick(real) : '';
  const forged = (v: unknown) => Buffer.from(JSON.stringify(v), 'utf8').toString('base64url');
  switch (rng.int(0, 11)) {
    case 0:
      return base ? base.slice(0, -1) + (base.endsWith('A') ? 'B' : 'A') : 'x';
    case 1:
      return base ? `${forged({ pk: 'R#Cluster#-', sk: 'zzz' })}${base.slice(base.lastIndexOf('.'))}` : 'y';
    case 2:
      return forged({ pk: 'R#Cluster#-', sk: '' });
    case 3:
      return forged({ pk: 'R#Cluster#-', sk: 'a'.repeat(2000) });
    case 4:
      return `${forged({ pk: 'R#Cluster#-', sk: '' })}.${'A'.repeat(43)}`;
    case 5:
      return 'a'.repeat(rng.pick([2049, 10_000]));
    case 6:
      return '%%%garbage';
    case 7:
      return '.';
    case 8:
      return forged({ day: '2026-12-05', sk: '' });
    case 9:
      return forged({ f: 'x', k: 'not-a-key' });
    case 10:
      return base ? base.split('.')[0] : 'e30';
    default:
      return base;
  }
}
