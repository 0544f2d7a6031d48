import { useState } from 'preact/hooks';
import { apiPath, describeError, HubProblemError, listAll, post } from '../api.js';
import { Badge, ErrorText, ProgressBar } from '../components/bits.js';
import { ConfirmDialog } from '../components/dialog.js';
import { allowedActions, clusterProblems, describeWindow, groupSegments, rolloutState, stateLabel, stateTone, type DeploymentObject } from '../model/deployments.js';
import { routeHref } from '../model/route.js';
import { useNotify } from '../notices.js';
import { usePoll } from '../poll.js';

/**
 * The Deployments view: every FleetDeployment with a live progress bar per decision group, the
 * clusters that failed (with reasons) or wait for their maintenance window, and the rollout
 * controls. Pause and resume act at once; abort and rollback ask first.
 */

type Action = 'pause' | 'resume' | 'abort' | 'rollback';

const PAST: Record<Action, string> = { pause: 'paused', resume: 'resumed', abort: 'aborted', rollback: 'rolling back' };

export function DeploymentsView() {
  const deployments = usePoll('fleetdeployments', () => listAll<DeploymentObject>('/v1/fleetdeployments'));
  const notify = useNotify();
  const [confirming, setConfirming] = useState<{ name: string; action: 'abort' | 'rollback' } | undefined>(undefined);
  const [overriding, setOverriding] = useState<string | undefined>(undefined);
  const [reason, setReason] = useState('');
  const [actionError, setActionError] = useState<string | undefined>(undefined);
  const unsupported = deployments.cause instanceof HubProblemError && deployments.cause.problem.status === 404;

  const act = async (name: string, action: Action) => {
    await post(apiPath('fleetdeployments', name, action));
    notify(`Deployment ${name} ${PAST[action]}.`);
    await deployments.refresh();
  };
  const actNow = async (name: string, action: Action) => {
    setActionError(undefined);
    try {
      await act(name, action);
    } catch (err) {
      setActionError(describeError(err));
    }
  };

  const list = [...(deployments.value ?? [])].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  return (
    <section aria-labelledby="deployments-title">
      <div class="view-head">
        <h1 id="deployments-title" tabIndex={-1}>
          Deployments
        </h1>
      </div>
      {list.length > 0 && (
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
      )}
      {unsupported ? <p class="muted">This hub does not serve FleetDeployments yet.</p> : <ErrorText message={deployments.error} />}
      <ErrorText message={actionError} />
      {!deployments.value && !deployments.error && <p class="muted">Loading deployments…</p>}
      {deployments.value && list.length === 0 && (
        <p class="muted">
          No FleetDeployments. Create one with <code>tether apply -f deployment.yaml</code>.
        </p>
      )}
      {list.map((d) => (
        <DeploymentCard
          key={d.metadata.name}
          d={d}
          onAction={(action) => (action === 'abort' || action === 'rollback' ? setConfirming({ name: d.metadata.name, action }) : void actNow(d.metadata.name, action))}
          onOverride={() => {
            setReason('');
            setOverriding(d.metadata.name);
          }}
        />
      ))}
      {confirming && (
        <ConfirmDialog
          title={confirming.action === 'abort' ? `Abort ${confirming.name}?` : `Roll back ${confirming.name}?`}
          message={
            confirming.action === 'abort' ? (
              <p>No new waves start. What is already applied stays where it is.</p>
            ) : (
              <p>Every updated cluster goes back to the previous revision, with the same strategy and maintenance windows.</p>
            )
          }
          confirmLabel={confirming.action === 'abort' ? 'Abort rollout' : 'Roll back'}
          danger
          onClose={() => setConfirming(undefined)}
          onConfirm={async () => {
            await act(confirming.name, confirming.action);
            setConfirming(undefined);
          }}
        />
      )}
      {overriding && (
        <ConfirmDialog
          title={`Override maintenance windows for ${overriding}?`}
          message={<p>Emergency only: clusters outside their maintenance window get the current revision now. The reason goes to the audit log.</p>}
          confirmLabel="Override windows"
          danger
          disabled={reason.trim().length < 3}
          onClose={() => setOverriding(undefined)}
          onConfirm={async () => {
            await post(apiPath('fleetdeployments', overriding, 'override-window'), { reason: reason.trim() });
            notify(`Maintenance windows of ${overriding} overridden.`);
            setOverriding(undefined);
            await deployments.refresh();
          }}
        >
          <div class="field">
            <label for="override-reason">Reason (for the audit log)</label>
            <input id="override-reason" value={reason} onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
          </div>
        </ConfirmDialog>
      )}
    </section>
  );
}

function DeploymentCard({ d, onAction, onOverride }: { d: DeploymentObject; onAction: (action: Action) => void; onOverride: () => void }) {
  const name = d.metadata.name;
  const state = rolloutState(d);
  const allowed = allowedActions(state, d.status?.revision);
  const summary = d.status?.summary;
  const { failed, waiting } = clusterProblems(d);
  const groups = d.status?.groups ?? [];
  const titleId = `fd-${name}`;
  return (
    <article class="panel deployment" aria-labelledby={titleId} data-deployment={name}>
      <div class="view-head">
        <h2 id={titleId}>
          {name} <Badge tone={stateTone(state)}>{stateLabel(state)}</Badge>
        </h2>
        <div class="actions">
          {allowed.pause && (
            <button type="button" onClick={() => onAction('pause')} aria-label={`Pause ${name}`}>
              Pause
            </button>
          )}
          {allowed.resume && (
            <button type="button" class="primary" onClick={() => onAction('resume')} aria-label={`Resume ${name}`}>
              Resume
            </button>
          )}
          {allowed.abort && (
            <button type="button" class="danger" onClick={() => onAction('abort')} aria-label={`Abort ${name}`}>
              Abort
            </button>
          )}
          {allowed.rollback && (
            <button type="button" onClick={() => onAction('rollback')} aria-label={`Roll back ${name}`}>
              Roll back
            </button>
          )}
          {(summary?.pendingWindow ?? 0) > 0 && (
            <button type="button" onClick={onOverride} aria-label={`Override maintenance windows of ${name}`}>
              Override windows…
            </button>
          )}
        </div>
      </div>
      <p class="detail">
        Revision {d.status?.revision ?? '—'} · placement {d.spec?.placementRef?.name ?? '—'} · strategy {d.spec?.rolloutStrategy?.type ?? 'All'}
        {d.spec?.rolloutStrategy?.maxConcurrency !== undefined ? `, ${d.spec.rolloutStrategy.maxConcurrency} at a time` : ''}
        {d.spec?.maintenanceWindows?.length ? ` · maintenance ${d.spec.maintenanceWindows.map(describeWindow).join('; ')}` : ''}
      </p>
      {d.status?.pausedReason && state === 'Paused' && <p class="warn-text">Paused: {d.status.pausedReason}</p>}
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
