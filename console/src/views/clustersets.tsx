import { useMemo, useState } from 'preact/hooks';
import { apiPath, getJson, HubProblemError, listAll } from '../api.js';
import { Badge, ErrorText, LabelCount } from '../components/bits.js';
import { ConditionsPanel } from '../components/conditions.js';
import { Pager } from '../components/pager.js';
import { YamlView } from '../components/yaml-view.js';
import { useFleet } from '../fleet-data.js';
import { availabilityOf, sortClusters, DEFAULT_CLUSTER_SORT } from '../model/clusters.js';
import { paginate } from '../model/fleet.js';
import { clusterSetSelectorText, type ClusterSetObject, type PlacementObject } from '../model/placements.js';
import { routeHref } from '../model/route.js';
import { useNow, usePoll } from '../poll.js';
import { AVAILABILITY_TONES } from './availability.js';

/**
 * ClusterSets, as ACM shows them: what each set selects, how many clusters it holds, its members
 * (problems first) and the placements that choose from it. Read-only: change them with `tether apply`.
 */

/** Every ClusterSet with its selector and member count. */
export function ClusterSetsView() {
  const sets = usePoll('clustersets', () => listAll<ClusterSetObject>('/v1/clustersets'));
  const list = [...(sets.value ?? [])].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  return (
    <section aria-labelledby="clustersets-title">
      <div class="view-head">
        <h1 id="clustersets-title" tabIndex={-1}>
          Cluster sets
        </h1>
      </div>
      <ErrorText message={sets.error} />
      {!sets.value && !sets.error && <p class="muted">Loading cluster sets…</p>}
      {sets.value && list.length === 0 && (
        <p class="muted">
          No ClusterSets. Create one with <code>tether apply -f clusterset.yaml</code>.
        </p>
      )}
      {list.length > 0 && (
        <div class="table-wrap">
          <table class="data dense">
            <caption>{list.length} cluster sets</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Members</th>
                <th scope="col">Selects</th>
              </tr>
            </thead>
            <tbody>
              {list.map((s) => (
                <tr key={s.metadata.name} data-clusterset={s.metadata.name}>
                  <th scope="row" class="nowrap">
                    <a href={routeHref({ view: 'clusterset', name: s.metadata.name })}>{s.metadata.name}</a>
                  </th>
                  <td class="nowrap">{s.status?.memberCount ?? '—'}</td>
                  <td class="mono">{clusterSetSelectorText(s)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

const MEMBERS_PAGE = 200;

/** One ClusterSet: its members (from the cluster list: each cluster names its sets), placements, conditions, YAML. */
export function ClusterSetDetailView({ name }: { name: string }) {
  const set = usePoll(`clusterset/${name}`, () => getJson<ClusterSetObject>(apiPath('clustersets', name)));
  const placements = usePoll('placements', () => listAll<PlacementObject>('/v1/placements'));
  const { clusters } = useFleet();
  const now = useNow();
  const [page, setPage] = useState(1);
  const members = useMemo(
    () =>
      sortClusters(
        (clusters.value ?? []).filter((c) => c.status?.clusterSets?.includes(name)),
        DEFAULT_CLUSTER_SORT,
        now,
      ),
    [clusters.value, name, now],
  );
  const s = set.value;
  if (set.cause instanceof HubProblemError && set.cause.problem.status === 404) {
    return (
      <section aria-labelledby="clusterset-title">
        <h1 id="clusterset-title" tabIndex={-1}>
          {name}
        </h1>
        <p>
          This cluster set does not exist (any more). <a href={routeHref({ view: 'clustersets' })}>Back to cluster sets</a>
        </p>
      </section>
    );
  }
  const paged = paginate(members, page, MEMBERS_PAGE);
  const usedBy = (placements.value ?? []).filter((p) => p.spec?.clusterSets?.includes(name));
  return (
    <section aria-labelledby="clusterset-title">
      <p class="crumbs">
        <a href={routeHref({ view: 'clustersets' })}>Cluster sets</a> / {name}
      </p>
      <div class="view-head">
        <h1 id="clusterset-title" tabIndex={-1}>
          {name}
        </h1>
      </div>
      <ErrorText message={set.error} />
      {!s && !set.error && <p class="muted">Loading…</p>}
      {s && (
        <>
          <section class="panel" aria-labelledby="clusterset-spec-title">
            <h2 id="clusterset-spec-title">Overview</h2>
            <dl class="facts">
              <dt>Selects</dt>
              <dd class="mono">{clusterSetSelectorText(s)}</dd>
              <dt>Members</dt>
              <dd>{s.status?.memberCount ?? members.length}</dd>
              <dt>Placements</dt>
              <dd>
                {usedBy.length ? (
                  usedBy.map((p) => (
                    <a key={p.metadata.name} href={routeHref({ view: 'placement', name: p.metadata.name })}>
                      {p.metadata.name}{' '}
                    </a>
                  ))
                ) : (
                  <span class="muted">none choose from it</span>
                )}
              </dd>
            </dl>
          </section>
          <section class="panel" aria-labelledby="clusterset-members-title">
            <h2 id="clusterset-members-title">Members</h2>
            <div class="table-wrap">
              <table class="data dense compact">
                <caption>
                  {members.length} clusters{paged.pages > 1 ? `, ${paged.first}–${paged.last} shown` : ''}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">Cluster</th>
                    <th scope="col">Availability</th>
                    <th scope="col" class="opt">
                      Labels
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {paged.items.map((c) => {
                    const a = availabilityOf(c, now);
                    return (
                      <tr key={c.metadata.name} data-member={c.metadata.name}>
                        <th scope="row" class="nowrap">
                          <a href={routeHref({ view: 'cluster', name: c.metadata.name })}>{c.metadata.name}</a>
                        </th>
                        <td class="nowrap">
                          <Badge tone={AVAILABILITY_TONES[a.state]}>{a.label}</Badge>
                        </td>
                        <td class="opt nowrap">
                          <LabelCount labels={c.metadata.labels} />
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
            <Pager page={paged.page} pages={paged.pages} label="Member pages" onPage={setPage} />
          </section>
          <ConditionsPanel conditions={s.status?.conditions} now={now} id="clusterset-conditions" />
          <YamlView value={s} />
        </>
      )}
    </section>
  );
}
