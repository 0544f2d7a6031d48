import type { Condition } from '../../../shared/resources/meta.js';
import { Badge, conditionTone, Time } from './bits.js';

/** Condition types where True is the bad news. */
const TRUE_IS_BAD = new Set(['Failed', 'Paused', 'Degraded', 'Drifted', 'ClusterIdConflict', 'PlacementMisconfigured']);

/** Conditions with reason, message and when each last changed. */
export function ConditionsPanel({ conditions, now, id }: { conditions?: Condition[]; now: number; id: string }) {
  const list = conditions ?? [];
  return (
    <section class="panel" aria-labelledby={id}>
      <h2 id={id}>Conditions</h2>
      {list.length === 0 ? (
        <p class="muted">No conditions yet.</p>
      ) : (
        <div class="table-wrap">
          <table class="data compact">
            <thead>
              <tr>
                <th scope="col">Type</th>
                <th scope="col">Status</th>
                <th scope="col">Reason and message</th>
                <th scope="col">Since</th>
              </tr>
            </thead>
            <tbody>
              {list.map((k) => (
                <tr key={k.type}>
                  <th scope="row">{k.type}</th>
                  <td>
                    <Badge tone={conditionTone(k.status, TRUE_IS_BAD.has(k.type))}>{k.status}</Badge>
                  </td>
                  <td>
                    <strong>{k.reason}</strong> {k.message}
                  </td>
                  <td class="nowrap">
                    <Time value={k.lastTransitionTime} now={now} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
