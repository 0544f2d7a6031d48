import type { Painter, Tone } from './color.js';

/** One table cell: its text, and optionally how to colour it. */
export interface Cell {
  text: string;
  tone?: Tone;
}

const GAP = '   ';

/**
 * Renders rows as kubectl does: an upper-case header, columns left-aligned and separated by three
 * spaces, no trailing blanks. Widths are measured on the plain text, so colour never breaks alignment.
 */
export function renderTable(headers: string[], rows: Array<Array<Cell | string>>, paint: Painter = (t) => t): string {
  const cells: Cell[][] = rows.map((row) => row.map((c) => (typeof c === 'string' ? { text: c } : c)).map(oneLine));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i]?.text ?? '').length)));
  const line = (row: Cell[]) =>
    row
      .map((cell, i) => {
        const last = i === row.length - 1;
        const padded = last ? cell.text : cell.text.padEnd(widths[i]);
        // Paint only the text, not the padding, so the escape codes do not shift the next column.
        return cell.tone ? paint(cell.text, cell.tone) + padded.slice(cell.text.length) : padded;
      })
      .join(GAP)
      .trimEnd();
  const out = [line(headers.map((h) => ({ text: h.toUpperCase() }))), ...cells.map(line)];
  return `${out.join('\n')}\n`;
}

/** Table cells must stay on one line; newlines and tabs in values become spaces. */
function oneLine(cell: Cell): Cell {
  return /[\n\r\t]/.test(cell.text) ? { ...cell, text: cell.text.replace(/[\n\r\t]+/g, ' ') } : cell;
}
