import { useLayoutEffect, useMemo, useState } from 'preact/hooks';
import { apiPath, describeError, listAll, post } from '../api.js';
import { Badge, ErrorText, LabelChips, SortHeader } from '../components/bits.js';
import { ConfirmDialog } from '../components/dialog.js';
import {
  availabilityOf,
  isPending,
  kubernetesVersion,
  matchesText,
  sortClusters,
  type ClusterObject,
  type ClusterSortKey,
  type SortOrder,
} from '../model/clusters.js';
import { routeHref } from '../model/route.js';
import { useNotify } from '../notices.js';
import { scaledInterval, useNow, usePoll } from '../poll.js';
import { AVAILABILITY_TONES } from './availability.js';
import { ImportDialog } from './import-dialog.js';
import { SelectorField, useSelector } from './selector-field.js';

/**
 * The Clusters view: clusters waiting for acceptance first, then every cluster in a sortable
 * table, filtered by a label selector and free text.
 */

/** Loads every cluster (all pages). */
export function loadClusters() {
  return listAll<ClusterObject>('/v1/clusters');
}

let firstRenderMarked = false;

/** Marks the first render of real content once, for the time-to-first-render measurement. */
function markFirstRender(): void {
  if (firstRenderMarked) return;
  firstRenderMarked = true;
  performance.mark('tether:first-render');
}

export function ClustersView() {
  // One page of 500 clusters per 5 s on average, however big the fleet.
  const clusters = usePoll('clusters', loadClusters, (list) => scaledInterval((list?.length ?? 0) / 500));
  const now = useNow();
  const notify = useNotify();
  const [sort, setSort] = useState<SortOrder<ClusterSortKey>>({ key: 'name', descending: false });
  const [text, setText] = useState('');
  const selector = useSelector();
  const [importing, setImporting] = useState(false);
  const [denying, setDenying] = useState<string | undefined>(undefined);
  const [actionError, setActionError] = useState<string | undefined>(undefined);

  const all = clusters.value;
  // Layout effect: runs right after the table is in the DOM, before the browser paints it.
  useLayoutEffect(() => {
    if (all) markFirstRender();
  }, [all]);

  const pending = useMemo(() => (all ?? []).filter(isPending).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name)), [all]);
  const shown = useMemo(() => {
    const match = selector.compiled.ok ? selector.compiled.matches : () => true;
    const filtered = (all ?? []).filter((c) => match(c.metadata.labels) && matchesText(c, text, now));
    return sortClusters(filtered, sort, now);
  }, [all, selector.compiled, text, sort, now]);

  const onSort = (key: ClusterSortKey) => setSort((s) => ({ key, descending: s.key === key ? !s.descending : false }));

  const accept = async (name: string) => {
    setActionError(undefined);
    try {
      await post(apiPath('clusters', name, 'accept'));
      notify(`Cluster ${name} accepted; its agent can join now.`);
      await clusters.refresh();
    } catch (err) {
      setActionError(describeError(err));
    }
  };

  return (
    <section aria-labelledby="clusters-title">
      <div class="view-head">
        <h1 id="clusters-title" tabIndex={-1}>
          Clusters
        </h1>
        <button type="button" class="primary" onClick={() => setImporting(true)}>
          Import cluster
        </button>
      </div>
      <ErrorText message={clusters.error} />
      <ErrorText message={actionError} />

      {pending.length > 0 && (
        <section class="panel pending" aria-labelledby="pending-title">
          <h2 id="pending-title">Waiting for acceptance ({pending.length})</h2>
          <ul class="pending-list">
            {pending.map((c) => (
              <li key={c.metadata.name}>
                <a href={routeHref({ view: 'cluster', name: c.metadata.name })}>{c.metadata.name}</a>
                <LabelChips labels={c.metadata.labels} />
                <span class="actions">
                  <button type="button" class="primary" onClick={() => void accept(c.metadata.name)} aria-label={`Accept ${c.metadata.name}`}>
                    Accept
                  </button>
                  <button type="button" onClick={() => setDenying(c.metadata.name)} aria-label={`Deny ${c.metadata.name}`}>
                    Deny
                  </button>
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}

      <div class="toolbar" role="search" aria-label="Filter clusters">
        <SelectorField id="cluster-selector" state={selector} />
        <div class="field">
          <label for="cluster-text">Search</label>
          <input id="cluster-text" type="search" value={text} placeholder="name, label, version…" onInput={(e) => setText((e.target as HTMLInputElement).value)} />
        </div>
      </div>

      {all === undefined && !clusters.error && <p class="muted">Loading clusters…</p>}
      {all !== undefined && (
        <table class="data">
          <caption>
            {shown.length === all.length ? `${all.length} clusters` : `${shown.length} of ${all.length} clusters`}
          </caption>
          <thead>
            <tr>
              <SortHeader label="Name" column="name" sort={sort} onSort={onSort} />
              <SortHeader label="Labels" column="labels" sort={sort} onSort={onSort} />
              <SortHeader label="Availability" column="availability" sort={sort} onSort={onSort} />
              <SortHeader label="Kubernetes" column="kubernetes" sort={sort} onSort={onSort} />
              <SortHeader label="Agent" column="agent" sort={sort} onSort={onSort} />
              <SortHeader label="Sets" column="sets" sort={sort} onSort={onSort} />
            </tr>
          </thead>
          <tbody>
            {shown.map((c) => {
              const a = availabilityOf(c, now);
              return (
                <tr key={c.metadata.name} data-cluster={c.metadata.name}>
                  <th scope="row">
                    <a href={routeHref({ view: 'cluster', name: c.metadata.name })}>{c.metadata.name}</a>
                  </th>
                  <td>
                    <LabelChips labels={c.metadata.labels} />
                  </td>
                  <td class="availability">
                    <Badge tone={AVAILABILITY_TONES[a.state]}>{a.label}</Badge> <span class="detail">{a.detail}</span>
                  </td>
                  <td>{kubernetesVersion(c) ?? <span class="muted">—</span>}</td>
                  <td>{c.status?.agentVersion ?? <span class="muted">—</span>}</td>
                  <td>{c.status?.clusterSets?.length ? c.status.clusterSets.join(', ') : <span class="muted">—</span>}</td>
                </tr>
              );
            })}
            {shown.length === 0 && (
              <tr>
                <td colSpan={6} class="empty">
                  {all.length === 0 ? 'No clusters yet. Import one to get started.' : 'No cluster matches the filter.'}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      )}

      {importing && (
        <ImportDialog
          onClose={() => setImporting(false)}
          onImported={(name) => {
            notify(`Cluster ${name} is ready to join.`);
            void clusters.refresh();
          }}
        />
      )}
      {denying && (
        <ConfirmDialog
          title={`Deny ${denying}?`}
          message={<p>The agent of {denying} will not be allowed to join, and any credential it holds is revoked. You can accept it later.</p>}
          confirmLabel="Deny"
          danger
          onClose={() => setDenying(undefined)}
          onConfirm={async () => {
            await post(apiPath('clusters', denying, 'deny'));
            notify(`Cluster ${denying} denied.`);
            setDenying(undefined);
            await clusters.refresh();
          }}
        />
      )}
    </section>
  );
}
