import type { HistoryEntry } from '../model/deployments.js';
import { Time } from './bits.js';

/**
 * An object's history as a table, newest first. The hub keeps no separate event log: entries come
 * from what it records on the object (condition transitions, drift events, rollout controls).
 */
export function HistoryTable({ entries, now, id, limit = 50 }: { entries: HistoryEntry[]; now: number; id: string; limit?: number }) {
  const shown = entries.slice(0, limit);
  return (
    <section class="panel" aria-labelledby={id}>
      <h2 id={id}>History</h2>
      {shown.length === 0 ? (
        <p class="muted">Nothing recorded yet.</p>
      ) : (
        <div class="table-wrap">
          <table class="data compact history">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">What</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((e, i) => (
                <tr key={`${e.time}/${i}`}>
                  <td class="nowrap">
                    <Time value={e.time} now={now} />
                  </td>
                  <td>
                    <span class={`dot ${e.tone}`} aria-hidden="true" /> <span class="what">{e.what}</span>
                  </td>
                  <td>{e.detail ?? ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {entries.length > shown.length && <p class="detail">and {entries.length - shown.length} older entries</p>}
      <p class="help">
        From what the hub records on the object: condition transitions with their times, drift events of its works, rollout controls.
      </p>
    </section>
  );
}
