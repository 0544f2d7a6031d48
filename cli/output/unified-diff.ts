/**
 * A unified diff (`diff -u`) of two texts, line by line, for `tether diff`. Small on purpose: the
 * texts are the YAML of one object, so a longest-common-subsequence table over the lines that
 * differ (after the common head and tail are set aside) is fast enough and needs no dependency.
 */

type Op = { type: ' ' | '-' | '+'; line: string };

/** Lines of a text; a final newline does not make an empty last line. */
function linesOf(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The edit script from `a` to `b`: kept, removed and added lines in order. */
export function diffLines(a: readonly string[], b: readonly string[]): Op[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const x = a.slice(head, a.length - tail);
  const y = b.slice(head, b.length - tail);
  const n = x.length;
  const m = y.length;
  // lcs[i][j]: length of the longest common subsequence of x[i..] and y[j..].
  const lcs = new Uint32Array((n + 1) * (m + 1));
  const at = (i: number, j: number) => i * (m + 1) + j;
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--)
      lcs[at(i, j)] = x[i] === y[j] ? lcs[at(i + 1, j + 1)] + 1 : Math.max(lcs[at(i + 1, j)], lcs[at(i, j + 1)]);
  }
  const ops: Op[] = a.slice(0, head).map((line) => ({ type: ' ', line }));
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) {
      ops.push({ type: ' ', line: x[i] });
      i++;
      j++;
    } else if (j < m && (i === n || lcs[at(i, j + 1)] >= lcs[at(i + 1, j)])) {
      ops.push({ type: '+', line: y[j++] });
    } else {
      ops.push({ type: '-', line: x[i++] });
    }
  }
  for (const line of a.slice(a.length - tail)) ops.push({ type: ' ', line });
  // Removals before additions within a change reads best; the walk above may interleave them.
  return groupChanges(ops);
}

function groupChanges(ops: Op[]): Op[] {
  const out: Op[] = [];
  let minus: Op[] = [];
  let plus: Op[] = [];
  const flush = () => {
    out.push(...minus, ...plus);
    minus = [];
    plus = [];
  };
  for (const op of ops) {
    if (op.type === '-') minus.push(op);
    else if (op.type === '+') plus.push(op);
    else {
      flush();
      out.push(op);
    }
  }
  flush();
  return out;
}

/**
 * `--- from` / `+++ to` and the hunks (`@@ -l,s +l,s @@`) with `context` lines around each change;
 * empty when the texts are equal.
 */
export function unifiedDiff(before: string, after: string, from: string, to: string, context = 3): string {
  const ops = diffLines(linesOf(before), linesOf(after));
  const changed = ops.map((o, k) => (o.type !== ' ' ? k : -1)).filter((k) => k >= 0);
  if (!changed.length) return '';
  const out = [`--- ${from}`, `+++ ${to}`];
  // Old and new line numbers before each op.
  const oldAt: number[] = [];
  const newAt: number[] = [];
  let o = 1;
  let nw = 1;
  for (const op of ops) {
    oldAt.push(o);
    newAt.push(nw);
    if (op.type !== '+') o++;
    if (op.type !== '-') nw++;
  }
  let k = 0;
  while (k < changed.length) {
    const start = Math.max(0, changed[k] - context);
    let end = Math.min(ops.length, changed[k] + context + 1);
    while (k + 1 < changed.length && changed[k + 1] - context <= end) end = Math.min(ops.length, changed[++k] + context + 1);
    k++;
    const slice = ops.slice(start, end);
    const oldLen = slice.filter((op) => op.type !== '+').length;
    const newLen = slice.filter((op) => op.type !== '-').length;
    // As diff -u: an empty side starts at the line before it (0 for an empty file).
    const oldStart = oldLen ? oldAt[start] : oldAt[start] - 1;
    const newStart = newLen ? newAt[start] : newAt[start] - 1;
    out.push(`@@ -${oldStart},${oldLen} +${newStart},${newLen} @@`);
    for (const op of slice) out.push(`${op.type}${op.line}`);
  }
  return `${out.join('\n')}\n`;
}
