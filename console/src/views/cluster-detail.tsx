import { useState } from 'preact/hooks';
import { useCan } from '../permissions.js';
import { apiPath, describeError, getJson, HubProblemError, listAll, post } from '../api.js';
import { Badge, conditionTone, ErrorText, LabelChips, Time } from '../components/bits.js';
import { ConfirmDialog } from '../components/dialog.js';
import { HistoryTable } from '../components/history.js';
import { YamlView } from '../components/yaml-view.js';
import { useStale } from '../hub-health.js';
import { clusterHistory } from '../model/history.js';
import { availabilityOf, isPending, kubernetesVersion, registryFacts, type ClusterObject } from '../model/clusters.js';
import { routeHref } from '../model/route.js';
import { type WorkObject } from '../model/works.js';
import { useNotify } from '../notices.js';
import { useNow, usePoll } from '../poll.js';
import { AVAILABILITY_TONES } from './availability.js';
import { ClusterCompliance } from './cluster-compliance.js';
import { DriftTable, WorkList } from './works.js';

/**
 * One cluster: overview, conditions with their times, claims, taints, its works with
 * per-resource status and feedback, drift events, its compliance with each policy, and the lifecycle actions (accept or deny while
 * pending; upgrade the agent; detach, optionally forced), each behind a confirmation.
 */

const NOT_FOUND = 404;

function isNotFound(err: unknown): boolean {
  return err instanceof HubProblemError && err.problem.status === NOT_FOUND;
}

export function ClusterDetailView({ name }: { name: string }) {
  const cluster = usePoll(`cluster/${name}`, () => getJson<ClusterObject>(apiPath('clusters', name)));
  const works = usePoll(`works/${name}`, () => listAll<WorkObject>(apiPath('clusters', name, 'works')));
  const now = useNow();
  const notify = useNotify();
  const [dialog, setDialog] = useState<'upgrade' | 'detach' | 'deny' | undefined>(undefined);
  const canControl = useCan('control', 'Cluster');
  const [version, setVersion] = useState('');
  const [force, setForce] = useState(false);
  const [actionError, setActionError] = useState<string | undefined>(undefined);
  const stale = useStale();

  const c = cluster.value;
  // A 404 after the cluster was shown means it is gone (a detach finished): drop the stale copy.
  const gone = isNotFound(cluster.cause);
  const refresh = async () => {
    await cluster.refresh();
    await works.refresh();
  };

  const accept = async () => {
    setActionError(undefined);
    try {
      await post(apiPath('clusters', name, 'accept'));
      notify(`Cluster ${name} accepted; its agent can join now.`);
      await refresh();
    } catch (err) {
      setActionError(describeError(err));
    }
  };

  if (gone) {
    return (
      <section aria-labelledby="cluster-title">
        <h1 id="cluster-title" tabIndex={-1}>
          {name}
        </h1>
        <p>
          This cluster does not exist (any more). <a href={routeHref({ view: 'clusters' })}>Back to clusters</a>
        </p>
      </section>
    );
  }

  const availability = c ? availabilityOf(c, now) : undefined;
  const conditions = c?.status?.conditions ?? [];
  const facts = c ? registryFacts(c) : undefined;
  const claims = [...(c?.status?.claims ?? [])].sort((a, b) => a.name.localeCompare(b.name));
  const taints = c?.spec?.taints ?? [];
  const worksGone = isNotFound(works.cause);

  return (
    <section aria-labelledby="cluster-title">
      <p class="crumbs">
        <a href={routeHref({ view: 'clusters' })}>Clusters</a> / {name}
      </p>
      <div class="view-head">
        <h1 id="cluster-title" tabIndex={-1}>
          {name} {availability && <Badge tone={AVAILABILITY_TONES[availability.state]}>{availability.label}</Badge>}
        </h1>
        {c && canControl && (
          <div class="actions">
            {isPending(c) && (
              <>
                <button type="button" class="primary" disabled={stale} onClick={() => void accept()}>
                  Accept
                </button>
                <button type="button" disabled={stale} onClick={() => setDialog('deny')}>
                  Deny
                </button>
              </>
            )}
            <button
              type="button"
              disabled={stale}
              onClick={() => {
                setVersion(c.spec?.agent?.version ?? c.status?.agentVersion ?? '');
                setDialog('upgrade');
              }}
            >
              Upgrade agent
            </button>
            <button
              type="button"
              class="danger"
              disabled={stale}
              onClick={() => {
                setForce(false);
                setDialog('detach');
              }}
            >
              Detach
            </button>
          </div>
        )}
      </div>
      <ErrorText message={cluster.error} />
      <ErrorText message={actionError} />
      {!c && !cluster.error && <p class="muted">Loading…</p>}
      {c && availability && (
        <>
          <div class="grid">
            <section class="panel" aria-labelledby="overview-title">
              <h2 id="overview-title">Overview</h2>
              <dl class="facts">
                <dt>Availability</dt>
                <dd>
                  {availability.label} <span class="detail">{availability.detail}</span>
                </dd>
                <dt>Phase</dt>
                <dd>{c.status?.phase ?? '—'}</dd>
                <dt>Labels</dt>
                <dd>
                  <LabelChips labels={c.metadata.labels} />
                </dd>
                <dt>Kubernetes</dt>
                <dd>{kubernetesVersion(c) ?? '—'}</dd>
                <dt>Provider</dt>
                <dd data-fact="provider">{facts?.provider ?? '—'}</dd>
                <dt>Distribution</dt>
                <dd data-fact="distribution">{facts?.distribution ?? '—'}</dd>
                <dt>Region</dt>
                <dd data-fact="region">{facts?.region ?? '—'}</dd>
                <dt>Zones</dt>
                <dd data-fact="zones">{facts?.zones.length ? facts.zones.join(', ') : '—'}</dd>
                <dt>Kubelet</dt>
                <dd data-fact="kubelet">{facts?.kubeletVersions.length ? facts.kubeletVersions.join(', ') : '—'}</dd>
                <dt>Agent</dt>
                <dd>
                  {c.status?.agentVersion ?? '—'}
                  {c.spec?.agent?.version && c.spec.agent.version !== c.status?.agentVersion
                    ? ` (upgrading to ${c.spec.agent.version})`
                    : ''}
                </dd>
                <dt>Cluster sets</dt>
                <dd>{c.status?.clusterSets?.length ? c.status.clusterSets.join(', ') : '—'}</dd>
                <dt>Last seen</dt>
                <dd>
                  <Time value={c.status?.lastSeen} now={now} />
                </dd>
                <dt>Created</dt>
                <dd>
                  <Time value={c.metadata.creationTimestamp} now={now} />
                </dd>
              </dl>
            </section>
            <section class="panel" aria-labelledby="conditions-title">
              <h2 id="conditions-title">Conditions</h2>
              {conditions.length === 0 ? (
                <p class="muted">No conditions yet.</p>
              ) : (
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
                    {conditions.map((k) => (
                      <tr key={k.type}>
                        <th scope="row">{k.type}</th>
                        <td>
                          <Badge tone={conditionTone(k.status, k.type === 'ClusterIdConflict')}>{k.status}</Badge>
                        </td>
                        <td>
                          <strong>{k.reason}</strong> {k.message}
                        </td>
                        <td>
                          <Time value={k.lastTransitionTime} now={now} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
          </div>
          <div class="grid">
            <section class="panel" aria-labelledby="claims-title">
              <h2 id="claims-title">Claims</h2>
              {claims.length === 0 ? (
                <p class="muted">The agent has not reported claims yet.</p>
              ) : (
                <table class="data compact">
                  <thead>
                    <tr>
                      <th scope="col">Claim</th>
                      <th scope="col">Value</th>
                    </tr>
                  </thead>
                  <tbody>
                    {claims.map((k) => (
                      <tr key={k.name}>
                        <th scope="row">{k.name}</th>
                        <td class="mono">{k.value}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
            <section class="panel" aria-labelledby="taints-title">
              <h2 id="taints-title">Taints</h2>
              {taints.length === 0 ? (
                <p class="muted">No taints.</p>
              ) : (
                <ul class="plain">
                  {taints.map((t) => (
                    <li key={t.key}>
                      <span class="mono">
                        {t.key}
                        {t.value ? `=${t.value}` : ''}:{t.effect}
                      </span>{' '}
                      {t.timeAdded && <Time value={t.timeAdded} now={now} />}
                    </li>
                  ))}
                </ul>
              )}
            </section>
          </div>
          <WorkList works={works.value} error={worksGone ? undefined : works.error} unsupported={worksGone} now={now} />
          <DriftTable works={works.value ?? []} now={now} />
          <ClusterCompliance name={name} now={now} />
          <HistoryTable entries={clusterHistory(c, works.value ?? [])} now={now} id="cluster-history" />
          <YamlView value={c} />
        </>
      )}

      {dialog === 'deny' && (
        <ConfirmDialog
          title={`Deny ${name}?`}
          message={<p>The agent of {name} will not be allowed to join, and any credential it holds is revoked.</p>}
          confirmLabel="Deny"
          danger
          onClose={() => setDialog(undefined)}
          onConfirm={async () => {
            await post(apiPath('clusters', name, 'deny'));
            notify(`Cluster ${name} denied.`);
            setDialog(undefined);
            await refresh();
          }}
        />
      )}
      {dialog === 'upgrade' && (
        <ConfirmDialog
          title={`Upgrade the agent of ${name}`}
          message={
            <p>
              The agent replaces itself with this version on its next poll. It runs {c?.status?.agentVersion ?? 'an unknown version'} now.
            </p>
          }
          confirmLabel="Upgrade"
          disabled={version.trim() === ''}
          onClose={() => setDialog(undefined)}
          onConfirm={async () => {
            await post(apiPath('clusters', name, 'upgrade'), { version: version.trim() });
            notify(`Agent of ${name} upgrading to ${version.trim()}.`);
            setDialog(undefined);
            await refresh();
          }}
        >
          <div class="field">
            <label for="upgrade-version">Agent version</label>
            <input
              id="upgrade-version"
              value={version}
              spellcheck={false}
              onInput={(e) => setVersion((e.target as HTMLInputElement).value)}
            />
          </div>
        </ConfirmDialog>
      )}
      {dialog === 'detach' && (
        <ConfirmDialog
          title={`Detach ${name}?`}
          message={
            <p>
              The agent removes everything the hub applied, then leaves; the hub forgets the cluster. A forced detach does not wait for the
              agent: what it applied stays on the cluster.
            </p>
          }
          confirmLabel={force ? 'Force detach' : 'Detach'}
          danger
          onClose={() => setDialog(undefined)}
          onConfirm={async () => {
            const answer = await post<{ message?: string }>(apiPath('clusters', name, 'detach'), force ? { force: true } : {});
            notify(answer?.message ?? `Cluster ${name} is detaching.`);
            setDialog(undefined);
            if (force) location.hash = routeHref({ view: 'clusters' });
            else await refresh();
          }}
        >
          <div class="check">
            <input id="detach-force" type="checkbox" checked={force} onChange={(e) => setForce((e.target as HTMLInputElement).checked)} />
            <label for="detach-force">Force: finish without the agent (for clusters that are gone for good)</label>
          </div>
        </ConfirmDialog>
      )}
    </section>
  );
}
