import type { ComponentChildren } from 'preact';
import { timeAgo } from '../model/clusters.js';
import type { Tone } from '../model/tone.js';

export type { Tone } from '../model/tone.js';

/**
 * Small presentational pieces shared by the views. Colour never carries meaning alone: every
 * badge has its text, every bar its numbers.
 */

/** A status word in a coloured pill. */
export function Badge({ tone, children, title }: { tone: Tone; children: ComponentChildren; title?: string }) {
  return (
    <span class={`badge ${tone}`} title={title}>
      {children}
    </span>
  );
}

/** The tone of a condition status. For conditions where True is bad (Degraded), pass `inverted`. */
export function conditionTone(status: string | undefined, inverted = false): Tone {
  if (status === 'True') return inverted ? 'bad' : 'good';
  if (status === 'False') return inverted ? 'good' : 'bad';
  if (status === 'Unknown') return 'warn';
  return 'muted';
}

/** An error from the hub, announced to screen readers. */
export function ErrorText({ message }: { message?: string }) {
  if (!message) return null;
  return (
    <p role="alert" class="error">
      {message}
    </p>
  );
}

/** A time as "3 minutes ago", with the exact time on hover and for assistive technology. */
export function Time({ value, now }: { value?: string; now: number }) {
  if (!value) return <span class="muted">—</span>;
  const ago = timeAgo(value, now) ?? value;
  return (
    <time dateTime={value} title={new Date(value).toLocaleString()}>
      {ago}
    </time>
  );
}

/** Labels as `key=value` chips. */
export function LabelChips({ labels }: { labels?: Record<string, string> }) {
  const entries = Object.entries(labels ?? {}).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return <span class="muted">none</span>;
  return (
    <ul class="chips" aria-label="labels">
      {entries.map(([k, v]) => (
        <li key={k} class="chip">
          {k}={v}
        </li>
      ))}
    </ul>
  );
}

/**
 * Labels collapsed to a count that keeps a table row on one line: every label on hover (title),
 * and as chips when opened.
 */
export function LabelCount({ labels }: { labels?: Record<string, string> }) {
  const entries = Object.entries(labels ?? {}).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return <span class="muted">none</span>;
  const all = entries.map(([k, v]) => `${k}=${v}`).join(', ');
  return (
    <details class="label-count">
      <summary title={all}>
        {entries.length} label{entries.length === 1 ? '' : 's'}
        <span class="sr-only">: {all}</span>
      </summary>
      <LabelChips labels={labels} />
    </details>
  );
}

/** A sortable column header: a button inside the `th`, with `aria-sort` on the `th`. */
export function SortHeader<K extends string>(props: {
  label: string;
  column: K;
  sort: { key: K; descending: boolean };
  onSort: (key: K) => void;
  class?: string;
}) {
  const active = props.sort.key === props.column;
  const ariaSort = active ? (props.sort.descending ? 'descending' : 'ascending') : 'none';
  return (
    <th scope="col" aria-sort={ariaSort} class={props.class}>
      <button type="button" class="sort" onClick={() => props.onSort(props.column)}>
        {props.label}
        <span aria-hidden="true" class="sort-mark">
          {active ? (props.sort.descending ? ' ▼' : ' ▲') : ' ↕'}
        </span>
      </button>
    </th>
  );
}

/** One segment of a {@link ProgressBar}. */
export interface Segment {
  label: string;
  count: number;
  tone: Tone;
}

/**
 * A stacked progress bar (available, updating, failed, waiting...) out of `total`, exposed as a
 * progressbar whose value is the first segment and whose text names every segment.
 */
export function ProgressBar({ label, total, segments }: { label: string; total: number; segments: Segment[] }) {
  const text = segments
    .filter((s) => s.count > 0)
    .map((s) => `${s.count} ${s.label}`)
    .join(', ');
  const done = segments[0]?.count ?? 0;
  return (
    <div
      class="bar"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={total}
      aria-valuenow={done}
      aria-valuetext={`${done} of ${total}${text ? `: ${text}` : ''}`}
    >
      {segments.map((s) =>
        s.count > 0 && total > 0 ? (
          <span key={s.label} class={`bar-seg ${s.tone}`} style={{ width: `${(100 * Math.min(s.count, total)) / total}%` }} />
        ) : null,
      )}
    </div>
  );
}
