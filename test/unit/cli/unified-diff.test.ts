import { diffLines, unifiedDiff } from '../../../cli/output/unified-diff.js';

describe('unifiedDiff', () => {
  test('equal texts give no diff', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n', 'x', 'y')).toBe('');
  });

  test('a change in the middle gets three lines of context and diff -u line numbers', () => {
    const before = ['1', '2', '3', '4', '5', '6', '7', '8', '9'].join('\n') + '\n';
    const after = ['1', '2', '3', '4', 'five', '6', '7', '8', '9'].join('\n') + '\n';
    expect(unifiedDiff(before, after, 'a', 'b')).toBe('--- a\n+++ b\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n');
  });

  test('changes far apart make separate hunks; near ones share one', () => {
    const lines = Array.from({ length: 20 }, (_, i) => `l${i + 1}`);
    const changed = lines.map((l) => (l === 'l2' || l === 'l18' ? `${l}!` : l));
    const out = unifiedDiff(lines.join('\n'), changed.join('\n'), 'a', 'b');
    expect(out.split('\n').filter((l) => l.startsWith('@@'))).toEqual(['@@ -1,5 +1,5 @@', '@@ -15,6 +15,6 @@']);
    const near = lines.map((l) => (l === 'l5' || l === 'l9' ? `${l}!` : l));
    expect(
      unifiedDiff(lines.join('\n'), near.join('\n'), 'a', 'b')
        .split('\n')
        .filter((l) => l.startsWith('@@')),
    ).toEqual(['@@ -2,11 +2,11 @@']);
  });

  test('from nothing: every line added, starting at -0,0', () => {
    expect(unifiedDiff('', 'a\nb\n', '/dev/null', 'b')).toBe('--- /dev/null\n+++ b\n@@ -0,0 +1,2 @@\n+a\n+b\n');
  });

  test('removals come before additions within a change', () => {
    expect(diffLines(['a', 'x', 'y', 'b'], ['a', 'p', 'q', 'b']).map((o) => `${o.type}${o.line}`)).toEqual([
      ' a',
      '-x',
      '-y',
      '+p',
      '+q',
      ' b',
    ]);
  });
});
