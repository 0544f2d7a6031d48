import { Badge, ErrorText, ProgressBar, Time } from '../components/bits.js';
import { useCan } from '../permissions.js';
import { useFleet } from '../fleet-data.js';
import { useStale } from '../hub-health.js';
import { countdown } from '../model/durations.js';
import { rolloutRank } from '../model/fleet.js';
import {
  allowedActions,
  clusterProblems,
  describeWindow,
  groupSegments,
  rolloutState,
  stateLabel,
  stateTone,
  waveTiming,
  windowOverride,
  type DeploymentObject,
} from '../model/deployments.js';
import { routeHref } from '../model/route.js';
import { replaceQuery } from '../navigation.js';
import { useNow } from '../poll.js';
import { useDeploymentActions, type Action } from './deployment-actions.js';

/**
 * The Deployments view: every FleetDeployment, problems first, with a live progress bar per
 * decision group, the soak countdown and the wave's ETA, an active window override, the clusters
 * that failed (with reasons) or wait for their maintenance window, and the rollout controls.
 * `#/deployments?state=Failed` shows one state (the summary's links).
 */
export function DeploymentsView({ query }: { query: Record<string, string> }) {
  const { deployments, deploymentsUnsupported } = useFleet();
  const { onAction, onOverride, actionError, dialogs } = useDeploymentActions(deployments.refresh);
  const state = query.state || undefined;

  const all = [...(deployments.value ?? [])].sort(
    (a, b) => rolloutRank(rolloutState(a)) - rolloutRank(rolloutState(b)) || a.metadata.name.localeCompare(b.metadata.name),
  );
  const list = state ? all.filter((d) => rolloutState(d) === state) : all;
  return (
    <section aria-labelledby="deployments-title">
      <div class="view-head">
        <h1 id="deployments-title" tabIndex={-1}>
          Deployments
        </h1>
        {state && (
          <p class="filter-note">
            Showing {stateLabel(state).toLowerCase()} only ({list.length} of {all.length}) ·{' '}
            <button type="button" class="linkish" onClick={() => replaceQuery({ view: 'deployments' }, {})}>
              show all
            </button>
          </p>
        )}
      </div>
      {list.length > 0 && <Legend />}
      {deploymentsUnsupported ? (
        <p class="muted">This hub does not serve FleetDeployments yet.</p>
      ) : (
        <ErrorText message={deployments.error} />
      )}
      <ErrorText message={actionError} />
      {!deployments.value && !deployments.error && <p class="muted">Loading deployments…</p>}
      {deployments.value && all.length === 0 && (
        <p class="muted">
          No FleetDeployments. Create one with <code>tether apply -f deployment.yaml</code>.
        </p>
      )}
      {list.map((d) => (
        <DeploymentCard
          key={d.metadata.name}
          d={d}
          onAction={(action) => onAction(d.metadata.name, action)}
          onOverride={() => onOverride(d.metadata.name)}
        />
      ))}
      {dialogs}
    </section>
  );
}

/** What the bar colours mean. */
export function Legend() {
  return (
    <ul class="legend" aria-label="bar colours">
      <li>
        <span class="swatch good" /> available at the current revision
      </li>
      <li>
        <span class="swatch info" /> updating
      </li>
      <li>
        <span class="swatch bad" /> failed
      </li>
    </ul>
  );
}

/** One FleetDeployment: state, controls, timing, progress per group, problems. `detail` on its own page (no link to itself). */
export function DeploymentCard({
  d,
  onAction,
  onOverride,
  detail,
}: {
  d: DeploymentObject;
  onAction: (action: Action) => void;
  onOverride: () => void;
  detail?: boolean;
}) {
  const stale = useStale();
  const now = useNow(1000);
  const name = d.metadata.name;
  const state = rolloutState(d);
  const canControl = useCan('control', 'FleetDeployment');
  const allowed = canControl ? allowedActions(state, d.status?.revision) : { pause: false, resume: false, abort: false, rollback: false };
  const summary = d.status?.summary;
  const { failed, waiting } = clusterProblems(d);
  const groups = d.status?.groups ?? [];
  const titleId = `fd-${name}`;
  const timing = waveTiming(d);
  const override = windowOverride(d, now);
  return (
    <article class="panel deployment" aria-labelledby={titleId} data-deployment={name} data-state={state}>
      <div class="view-head">
        <h2 id={titleId}>
          {detail ? name : <a href={routeHref({ view: 'deployment', name })}>{name}</a>}{' '}
          <Badge tone={stateTone(state)}>{stateLabel(state)}</Badge>
        </h2>
        <div class="actions">
          {allowed.pause && (
            <button type="button" disabled={stale} onClick={() => onAction('pause')} aria-label={`Pause ${name}`}>
              Pause
            </button>
          )}
          {allowed.resume && (
            <button type="button" class="primary" disabled={stale} onClick={() => onAction('resume')} aria-label={`Resume ${name}`}>
              Resume
            </button>
          )}
          {allowed.abort && (
            <button type="button" class="danger" disabled={stale} onClick={() => onAction('abort')} aria-label={`Abort ${name}`}>
              Abort
            </button>
          )}
          {allowed.rollback && (
            <button type="button" disabled={stale} onClick={() => onAction('rollback')} aria-label={`Roll back ${name}`}>
              Roll back
            </button>
          )}
          {canControl && (summary?.pendingWindow ?? 0) > 0 && (
            <button type="button" disabled={stale} onClick={onOverride} aria-label={`Override maintenance windows of ${name}`}>
              Override windows…
            </button>
          )}
        </div>
      </div>
      <p class="detail">
        Revision {d.status?.revision ?? '—'} · placement{' '}
        {d.spec?.placementRef?.name ? (
          <a href={routeHref({ view: 'placement', name: d.spec.placementRef.name })}>{d.spec.placementRef.name}</a>
        ) : (
          '—'
        )}{' '}
        · strategy {d.spec?.rolloutStrategy?.type ?? 'All'}
        {d.spec?.rolloutStrategy?.maxConcurrency !== undefined ? `, ${d.spec.rolloutStrategy.maxConcurrency} at a time` : ''}
        {d.spec?.maintenanceWindows?.length ? ` · maintenance ${d.spec.maintenanceWindows.map(describeWindow).join('; ')}` : ''}
      </p>
      {d.status?.pausedReason && state === 'Paused' && <p class="warn-text">Paused: {d.status.pausedReason}</p>}
      {override && (
        <p class={override.active ? 'warn-text override' : 'detail override'} data-override={override.active ? 'active' : 'inactive'}>
          {override.active ? <strong>Window override active</strong> : <>Window override no longer applies ({override.why})</>}
          {' — '}“{override.reason}”{override.actor ? ` by ${override.actor}` : ''}, <Time value={override.at} now={now} />
          {override.active && override.until ? (
            <>
              , until <Time value={override.until} now={now} />
            </>
          ) : null}
          {override.active ? `, for revision ${override.revision}` : ''}
        </p>
      )}
      {timing.waveStartedAt !== undefined && (
        <p class="timing" data-timing>
          {timing.wave ? `Wave ${timing.wave}` : 'Last wave'} started{' '}
          <Time value={new Date(timing.waveStartedAt).toISOString()} now={now} />
          {timing.soakEndsAt !== undefined && timing.soakMs > 0 && (
            <>
              {' · '}
              <span data-soak>
                soak ({d.spec?.rolloutStrategy?.minSuccessTime}) ends{' '}
                {timing.soakEndsAt > now ? countdown(timing.soakEndsAt, now) : 'now, once its clusters are Available'}
              </span>
            </>
          )}
          {timing.nextWaveAt !== undefined && timing.wavesLeft !== undefined && timing.wavesLeft > 0 && (
            <>
              {' · '}
              <span data-next-wave>
                next wave {timing.nextWaveAt > now ? countdown(timing.nextWaveAt, now) : 'as soon as this one is done'} at the earliest
              </span>
            </>
          )}
          {timing.finishAt !== undefined && (
            <>
              {' · '}
              <span data-eta>
                done{' '}
                {timing.finishAt > now
                  ? `${countdown(timing.finishAt, now)} (${new Date(timing.finishAt).toLocaleTimeString()})`
                  : 'once the last clusters are Available'}{' '}
                at the earliest
                {timing.wavesLeft ? `, ${timing.wavesLeft} more wave${timing.wavesLeft === 1 ? '' : 's'}` : ''}
              </span>
            </>
          )}
        </p>
      )}
      {summary && (
        <div class="summary">
          <ProgressBar label={`${name}: all clusters`} total={summary.total} segments={groupSegments(summary)} />
          <p class="counts">
            {summary.available} of {summary.total} available · {summary.updated} updated · {summary.failed} failed
            {summary.degraded ? ` · ${summary.degraded} degraded` : ''}
            {summary.pendingWindow ? (
              <>
                {' · '}
                <Badge tone="warn">{summary.pendingWindow} waiting for a maintenance window</Badge>
              </>
            ) : null}
          </p>
        </div>
      )}
      {groups.length > 0 && (
        <ol class="groups" aria-label={`decision groups of ${name}`}>
          {groups.map((g) => (
            <li key={g.name} data-group={g.name}>
              <div class="group-head">
                <span class="group-name">
                  {g.name}
                  {g.mandatory ? ' (mandatory)' : ''}
                </span>
                <Badge tone={stateTone(g.state)}>{stateLabel(g.state)}</Badge>
                <span class="detail">
                  {g.available}/{g.total} available{g.failed ? `, ${g.failed} failed` : ''}
                </span>
              </div>
              <ProgressBar label={`${name}: group ${g.name}`} total={g.total} segments={groupSegments(g)} />
            </li>
          ))}
        </ol>
      )}
      {failed.length > 0 && (
        <div class="problems">
          <h3>Clusters with problems</h3>
          <ul>
            {failed.map((p) => (
              <li key={`${p.cluster}/${p.reason}`}>
                <a href={routeHref({ view: 'cluster', name: p.cluster })}>{p.cluster}</a>: <strong>{p.reason}</strong> {p.message}
              </li>
            ))}
          </ul>
          {d.status?.clustersOmitted ? <p class="detail">and {d.status.clustersOmitted} more</p> : null}
        </div>
      )}
      {waiting.length > 0 && (
        <div class="problems">
          <h3>Waiting for a maintenance window</h3>
          <ul>
            {waiting.map((p) => (
              <li key={`${p.cluster}/${p.reason}`}>
                <a href={routeHref({ view: 'cluster', name: p.cluster })}>{p.cluster}</a>: {p.message}
              </li>
            ))}
          </ul>
        </div>
      )}
    </article>
  );
}
