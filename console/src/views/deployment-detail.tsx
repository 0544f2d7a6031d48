import { apiPath, getJson, HubProblemError } from '../api.js';
import { Badge, ErrorText, Time } from '../components/bits.js';
import { ConditionsPanel } from '../components/conditions.js';
import { HistoryTable } from '../components/history.js';
import { YamlView } from '../components/yaml-view.js';
import { deploymentHistory, readRevisions, type DeploymentObject } from '../model/deployments.js';
import { routeHref } from '../model/route.js';
import { useNow, usePoll } from '../poll.js';
import { useDeploymentActions } from './deployment-actions.js';
import { DeploymentCard, Legend } from './deployments.js';

/**
 * One FleetDeployment, as `kubectl argo rollouts get` or Argo CD's app page would show it: the
 * card (state, controls, soak countdown, wave ETA, window override, groups), its revisions, its
 * history from what the hub records, its conditions and its YAML.
 */

function isNotFound(err: unknown): boolean {
  return err instanceof HubProblemError && err.problem.status === 404;
}

export function DeploymentDetailView({ name }: { name: string }) {
  const deployment = usePoll(`fleetdeployment/${name}`, () => getJson<DeploymentObject>(apiPath('fleetdeployments', name)));
  // The revision list is an optional hub route: a hub without it answers 404 and the console
  // shows what status says (the current revision, the last rollback) instead.
  const revisions = usePoll(
    `fleetdeployment-revisions/${name}`,
    () => getJson<unknown>(apiPath('fleetdeployments', name, 'revisions')),
    30_000,
  );
  const now = useNow();
  const { onAction, onOverride, actionError, dialogs } = useDeploymentActions(deployment.refresh);
  const d = deployment.value;

  if (isNotFound(deployment.cause)) {
    return (
      <section aria-labelledby="deployment-title">
        <h1 id="deployment-title" tabIndex={-1}>
          {name}
        </h1>
        <p>
          This deployment does not exist (any more). <a href={routeHref({ view: 'deployments' })}>Back to deployments</a>
        </p>
      </section>
    );
  }
  const listed = readRevisions(revisions.value);
  const current = d?.status?.revision;
  const rollback = d?.status?.control?.rollbackFrom;
  return (
    <section aria-labelledby="deployment-title">
      <p class="crumbs">
        <a href={routeHref({ view: 'deployments' })}>Deployments</a> / {name}
      </p>
      <div class="view-head">
        <h1 id="deployment-title" tabIndex={-1}>
          {name}
        </h1>
      </div>
      <ErrorText message={deployment.error} />
      <ErrorText message={actionError} />
      {!d && !deployment.error && <p class="muted">Loading…</p>}
      {d && (
        <>
          <Legend />
          <DeploymentCard d={d} detail onAction={(a) => onAction(name, a)} onOverride={() => onOverride(name)} />
          <div class="grid">
            <section class="panel" aria-labelledby="revisions-title">
              <h2 id="revisions-title">Revisions</h2>
              {listed.length > 0 ? (
                <table class="data compact">
                  <thead>
                    <tr>
                      <th scope="col">Revision</th>
                      <th scope="col">Created</th>
                      <th scope="col">Note</th>
                    </tr>
                  </thead>
                  <tbody>
                    {listed.map((r) => (
                      <tr key={r.revision} data-revision={r.revision}>
                        <th scope="row">
                          {r.revision} {r.revision === current && <Badge tone="info">current</Badge>}
                        </th>
                        <td>
                          <Time value={r.createdAt} now={now} />
                        </td>
                        <td>
                          {r.rollbackOf !== undefined ? `rollback to the content of revision ${r.rollbackOf}` : ''}
                          {r.hash ? <span class="mono detail"> {r.hash}</span> : null}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : (
                <dl class="facts">
                  <dt>Current</dt>
                  <dd data-current-revision>{current ?? '—'}</dd>
                  <dt>Earlier</dt>
                  <dd>{current && current > 1 ? `revisions 1–${current - 1} (the hub keeps the last 10 for rollbacks)` : 'none'}</dd>
                  {rollback && (
                    <>
                      <dt>Last rollback</dt>
                      <dd>
                        from revision {rollback.revision} to {rollback.to}, <Time value={rollback.at} now={now} />
                      </dd>
                    </>
                  )}
                </dl>
              )}
            </section>
            <ConditionsPanel conditions={d.status?.conditions} now={now} id="deployment-conditions" />
          </div>
          <HistoryTable entries={deploymentHistory(d)} now={now} id="deployment-history" />
          <YamlView value={d} />
        </>
      )}
      {dialogs}
    </section>
  );
}
