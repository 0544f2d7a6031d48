import { Badge, conditionTone, ErrorText, Time } from '../components/bits.js';
import {
  describeResource,
  driftEventsOf,
  feedbackText,
  FLEETDEPLOYMENT_LABEL,
  workState,
  workTone,
  type WorkObject,
} from '../model/works.js';

/**
 * A cluster's works: each with its conditions, and per resource its conditions and status
 * feedback; and the drift events the agent noticed on the cluster.
 */

const WORK_CONDITIONS = ['Applied', 'Available', 'Degraded', 'Drifted'];
const BAD_WHEN_TRUE = new Set(['Degraded', 'Drifted']);

export function WorkList(props: { works?: WorkObject[]; error?: string; unsupported: boolean; now: number }) {
  const { works, now } = props;
  return (
    <section class="panel" aria-labelledby="works-title">
      <h2 id="works-title">Works {works ? `(${works.length})` : ''}</h2>
      <ErrorText message={props.error} />
      {props.unsupported && <p class="muted">This hub does not serve works yet.</p>}
      {works && works.length === 0 && <p class="muted">Nothing is deployed to this cluster.</p>}
      {works?.map((w) => {
        const state = workState(w);
        const manifests = w.status?.resourceStatus?.manifests ?? [];
        const deployment = w.metadata.labels?.[FLEETDEPLOYMENT_LABEL];
        return (
          <details key={w.metadata.name} class="work" data-work={w.metadata.name}>
            <summary>
              <span class="work-name">{w.metadata.name}</span> <Badge tone={workTone(state)}>{state}</Badge>
              {deployment && <span class="detail"> from deployment {deployment}</span>}
              <span class="detail">
                {' '}
                · {w.spec?.workload?.manifests?.length ?? 0} resources · reported <Time value={w.status?.lastReportTime} now={now} />
              </span>
            </summary>
            <ul class="conditions" aria-label={`conditions of ${w.metadata.name}`}>
              {WORK_CONDITIONS.map((type) => {
                const c = w.status?.conditions?.find((x) => x.type === type);
                return c ? (
                  <li key={type}>
                    <Badge tone={conditionTone(c.status, BAD_WHEN_TRUE.has(type))}>
                      {type} {c.status}
                    </Badge>{' '}
                    <span class="detail">
                      {c.reason}
                      {c.message ? `: ${c.message}` : ''}
                    </span>
                  </li>
                ) : null;
              })}
            </ul>
            {manifests.length > 0 ? (
              <table class="data compact">
                <caption class="sr-only">Resources of {w.metadata.name}</caption>
                <thead>
                  <tr>
                    <th scope="col">Resource</th>
                    <th scope="col">Conditions</th>
                    <th scope="col">Feedback</th>
                  </tr>
                </thead>
                <tbody>
                  {manifests.map((m) => {
                    const id = describeResource(m.resourceMeta);
                    return (
                      <tr key={id}>
                        <th scope="row" class="mono">
                          {id}
                        </th>
                        <td>
                          {(m.conditions ?? []).map((c) => (
                            <Badge key={c.type} tone={conditionTone(c.status, BAD_WHEN_TRUE.has(c.type))} title={c.message}>
                              {c.type} {c.status}
                            </Badge>
                          ))}
                        </td>
                        <td>
                          {m.statusFeedback?.values?.length ? (
                            <dl class="feedback">
                              {m.statusFeedback.values.map((v) => (
                                <div key={v.name}>
                                  <dt>{v.name}</dt>
                                  <dd class="mono">{feedbackText(v.value)}</dd>
                                </div>
                              ))}
                            </dl>
                          ) : (
                            <span class="muted">—</span>
                          )}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            ) : (
              <p class="muted">No per-resource status reported yet.</p>
            )}
          </details>
        );
      })}
    </section>
  );
}

export function DriftTable({ works, now }: { works: WorkObject[]; now: number }) {
  const events = driftEventsOf(works);
  return (
    <section class="panel" aria-labelledby="drift-title">
      <h2 id="drift-title">Drift events</h2>
      {events.length === 0 ? (
        <p class="muted">No drift: nothing applied by the hub was changed on the cluster.</p>
      ) : (
        <table class="data compact">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Work</th>
              <th scope="col">Object</th>
              <th scope="col">Change</th>
              <th scope="col">Fields</th>
              <th scope="col">Corrected</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e, i) => (
              <tr key={`${e.work}/${e.time}/${i}`}>
                <td>
                  <Time value={e.time} now={now} />
                </td>
                <td>{e.work}</td>
                <td class="mono">
                  {e.kind} {e.namespace ? `${e.namespace}/` : ''}
                  {e.name}
                </td>
                <td>{e.change}</td>
                <td class="mono">{(e.fields ?? []).join(', ') || '—'}</td>
                <td>{e.corrected ? 'yes, re-applied' : 'no'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
