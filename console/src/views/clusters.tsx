import { useLayoutEffect, useMemo, useState } from 'preact/hooks';
import { useCan } from '../permissions.js';
import { apiPath, describeError, post } from '../api.js';
import { Badge, ErrorText, LabelChips, LabelCount, SortHeader } from '../components/bits.js';
import { ConfirmDialog } from '../components/dialog.js';
import { Pager } from '../components/pager.js';
import { useFleet } from '../fleet-data.js';
import { useStale } from '../hub-health.js';
import {
  AVAILABILITY_LABELS,
  availabilityOf,
  AvailabilityStates,
  ClusterSortKeys,
  DEFAULT_CLUSTER_SORT,
  formatSort,
  isAvailabilityState,
  isPending,
  kubernetesVersion,
  registryFacts,
  matchesText,
  parseSort,
  sortClusters,
  type ClusterSortKey,
} from '../model/clusters.js';
import { paginate } from '../model/fleet.js';
import { routeHref } from '../model/route.js';
import { replaceQuery } from '../navigation.js';
import { useNotify } from '../notices.js';
import { useNow } from '../poll.js';
import { AVAILABILITY_TONES } from './availability.js';
import { ImportDialog } from './import-dialog.js';
import { SelectorField, useSelector } from './selector-field.js';

/**
 * The Clusters view: clusters waiting for acceptance first, then every cluster in a dense,
 * sortable, paginated table, filtered by availability, a label selector and free text. Problems
 * come first by default (sorted by availability). Filters, sort and page live in the URL
 * (`#/clusters?state=Unknown&selector=region%3Deu&sort=-name&page=2`), so a view can be shared.
 */

/** Rows per page: a screenful of pages for thousands of stores, and a DOM the browser keeps fast. */
export const CLUSTERS_PAGE_SIZE = 200;

let firstRenderMarked = false;

/** Marks the first render of real content once, for the time-to-first-render measurement. */
function markFirstRender(): void {
  if (firstRenderMarked) return;
  firstRenderMarked = true;
  performance.mark('tether:first-render');
}

export function ClustersView({ query }: { query: Record<string, string> }) {
  const { clusters } = useFleet();
  const now = useNow();
  const notify = useNotify();
  const stale = useStale();
  const sort = parseSort(query.sort, ClusterSortKeys, DEFAULT_CLUSTER_SORT);
  const state = isAvailabilityState(query.state) ? query.state : undefined;
  const text = query.q ?? '';
  const page = Number(query.page ?? '1');
  const update = (changes: Record<string, string | undefined>) => {
    const next: Record<string, string | undefined> = { ...query, ...changes };
    // Any change of filter or sort starts again at the first page.
    if (!('page' in changes)) delete next.page;
    replaceQuery({ view: 'clusters' }, next);
  };
  const selector = useSelector({ text: query.selector ?? '', setText: (t) => update({ selector: t }) });
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
    const filtered = (all ?? []).filter(
      (c) => match(c.metadata.labels) && matchesText(c, text, now) && (!state || availabilityOf(c, now).state === state),
    );
    return sortClusters(filtered, sort, now);
  }, [all, selector.compiled, text, state, sort.key, sort.descending, now]);
  const paged = paginate(shown, page, CLUSTERS_PAGE_SIZE);

  const onSort = (key: ClusterSortKey) =>
    update({ sort: formatSort({ key, descending: sort.key === key ? !sort.descending : false }, DEFAULT_CLUSTER_SORT) });

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

  const filtered = shown.length !== (all?.length ?? 0);
  const canImport = useCan('create', 'Cluster');
  const canControl = useCan('control', 'Cluster');
  return (
    <section aria-labelledby="clusters-title">
      <div class="view-head">
        <h1 id="clusters-title" tabIndex={-1}>
          Clusters
        </h1>
        {canImport && (
          <button type="button" class="primary" disabled={stale} onClick={() => setImporting(true)}>
            Import cluster
          </button>
        )}
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
                {canControl && (
                  <span class="actions">
                    <button
                      type="button"
                      class="primary"
                      disabled={stale}
                      onClick={() => void accept(c.metadata.name)}
                      aria-label={`Accept ${c.metadata.name}`}
                    >
                      Accept
                    </button>
                    <button
                      type="button"
                      disabled={stale}
                      onClick={() => setDenying(c.metadata.name)}
                      aria-label={`Deny ${c.metadata.name}`}
                    >
                      Deny
                    </button>
                  </span>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}

      <div class="toolbar" role="search" aria-label="Filter clusters">
        <div class="field narrow">
          <label for="cluster-state">Availability</label>
          <select
            id="cluster-state"
            value={state ?? ''}
            onChange={(e) => update({ state: (e.target as HTMLSelectElement).value || undefined })}
          >
            <option value="">All</option>
            {AvailabilityStates.map((s) => (
              <option key={s} value={s}>
                {AVAILABILITY_LABELS[s]}
              </option>
            ))}
          </select>
        </div>
        <SelectorField id="cluster-selector" state={selector} />
        <div class="field">
          <label for="cluster-text">Search</label>
          <input
            id="cluster-text"
            type="search"
            value={text}
            placeholder="name, label, version…"
            onInput={(e) => update({ q: (e.target as HTMLInputElement).value || undefined })}
          />
        </div>
      </div>

      {all === undefined && !clusters.error && <p class="muted">Loading clusters…</p>}
      {all !== undefined && (
        <>
          <div class="table-wrap">
            <table class="data dense clusters">
              <caption>
                {filtered ? `${shown.length} of ${all.length} clusters` : `${all.length} clusters`}
                {paged.pages > 1 ? `, ${paged.first}–${paged.last} shown` : ''}
                {filtered && (
                  <>
                    {' · '}
                    <a href={routeHref({ view: 'clusters' })}>clear filters</a>
                  </>
                )}
              </caption>
              <thead>
                <tr>
                  <SortHeader label="Name" column="name" sort={sort} onSort={onSort} />
                  <SortHeader label="Availability" column="availability" sort={sort} onSort={onSort} />
                  <SortHeader label="Labels" column="labels" sort={sort} onSort={onSort} />
                  <SortHeader label="Kubernetes" column="kubernetes" sort={sort} onSort={onSort} class="opt" />
                  <SortHeader label="Agent" column="agent" sort={sort} onSort={onSort} class="opt" />
                  <SortHeader label="Sets" column="sets" sort={sort} onSort={onSort} class="opt" />
                  <SortHeader label="Provider" column="provider" sort={sort} onSort={onSort} class="opt" />
                  <SortHeader label="Distribution" column="distribution" sort={sort} onSort={onSort} class="opt" />
                  <SortHeader label="Region" column="region" sort={sort} onSort={onSort} class="opt" />
                </tr>
              </thead>
              <tbody>
                {paged.items.map((c) => {
                  const a = availabilityOf(c, now);
                  const facts = registryFacts(c);
                  return (
                    <tr key={c.metadata.name} data-cluster={c.metadata.name}>
                      <th scope="row" class="nowrap">
                        <a href={routeHref({ view: 'cluster', name: c.metadata.name })}>{c.metadata.name}</a>
                      </th>
                      <td class="availability nowrap">
                        <Badge tone={AVAILABILITY_TONES[a.state]}>{a.label}</Badge> <span class="detail">{a.detail}</span>
                      </td>
                      <td class="nowrap">
                        <LabelCount labels={c.metadata.labels} />
                      </td>
                      <td class="nowrap opt">{kubernetesVersion(c) ?? <span class="muted">—</span>}</td>
                      <td class="nowrap opt">{c.status?.agentVersion ?? <span class="muted">—</span>}</td>
                      <td class="nowrap opt ellipsis" title={c.status?.clusterSets?.join(', ')}>
                        {c.status?.clusterSets?.length ? c.status.clusterSets.join(', ') : <span class="muted">—</span>}
                      </td>
                      <td class="nowrap opt" data-col="provider">
                        {facts.provider ?? <span class="muted">—</span>}
                      </td>
                      <td class="nowrap opt" data-col="distribution">
                        {facts.distribution ?? <span class="muted">—</span>}
                      </td>
                      <td class="nowrap opt" data-col="region">
                        {facts.region ?? <span class="muted">—</span>}
                      </td>
                    </tr>
                  );
                })}
                {shown.length === 0 && (
                  <tr>
                    <td colSpan={9} class="empty">
                      {all.length === 0 ? 'No clusters yet. Import one to get started.' : 'No cluster matches the filter.'}
                    </td>
                  </tr>
                )}
              </tbody>
            </table>
          </div>
          <Pager
            page={paged.page}
            pages={paged.pages}
            label="Cluster pages"
            onPage={(p) => update({ page: p > 1 ? String(p) : undefined })}
          />
        </>
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
          message={
            <p>The agent of {denying} will not be allowed to join, and any credential it holds is revoked. You can accept it later.</p>
          }
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
