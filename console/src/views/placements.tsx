import { useMemo, useState } from 'preact/hooks';
import { apiPath, getJson, HubProblemError, listAll } from '../api.js';
import { Badge, conditionTone, ErrorText, LabelChips, Time } from '../components/bits.js';
import { ConditionsPanel } from '../components/conditions.js';
import { Pager } from '../components/pager.js';
import { YamlView } from '../components/yaml-view.js';
import { useFleet } from '../fleet-data.js';
import { availabilityOf } from '../model/clusters.js';
import { paginate } from '../model/fleet.js';
import { clusterSelectorText, groupLabel, type DecisionView, type PlacementObject } from '../model/placements.js';
import { routeHref } from '../model/route.js';
import { useNow, usePoll } from '../poll.js';
import { AVAILABILITY_TONES } from './availability.js';

/**
 * Placements, as ACM shows them: which clusters each one chose, split into decision groups (the
 * order rollouts follow), and why (sets, predicates, tolerations). Read-only: change them with
 * `tether apply`.
 */

function isNotFound(err: unknown): boolean {
  return err instanceof HubProblemError && err.problem.status === 404;
}

function Satisfied({ p }: { p: PlacementObject }) {
  const c = p.status?.conditions?.find((k) => k.type === 'PlacementSatisfied');
  if (!c) return <span class="muted">—</span>;
  return (
    <Badge tone={conditionTone(c.status)} title={c.message}>
      {c.status === 'True' ? 'Satisfied' : c.reason || 'Not satisfied'}
    </Badge>
  );
}

/** Every Placement with how many clusters it chose and in how many groups. */
export function PlacementsView() {
  const placements = usePoll('placements', () => listAll<PlacementObject>('/v1/placements'));
  const list = [...(placements.value ?? [])].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  return (
    <section aria-labelledby="placements-title">
      <div class="view-head">
        <h1 id="placements-title" tabIndex={-1}>
          Placements
        </h1>
      </div>
      <ErrorText message={placements.error} />
      {!placements.value && !placements.error && <p class="muted">Loading placements…</p>}
      {placements.value && list.length === 0 && (
        <p class="muted">
          No Placements. Create one with <code>tether apply -f placement.yaml</code> (see docs/placement.md).
        </p>
      )}
      {list.length > 0 && (
        <div class="table-wrap">
          <table class="data dense">
            <caption>{list.length} placements</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Selected</th>
                <th scope="col">Groups</th>
                <th scope="col">Status</th>
                <th scope="col" class="opt">
                  Cluster sets
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((p) => (
                <tr key={p.metadata.name} data-placement={p.metadata.name}>
                  <th scope="row" class="nowrap">
                    <a href={routeHref({ view: 'placement', name: p.metadata.name })}>{p.metadata.name}</a>
                  </th>
                  <td class="nowrap">
                    {p.status?.numberOfSelectedClusters ?? 0}
                    {p.spec?.numberOfClusters !== undefined ? ` of ${p.spec.numberOfClusters} wanted` : ''}
                  </td>
                  <td class="nowrap">{p.status?.decisionGroups?.length ?? 0}</td>
                  <td class="nowrap">
                    <Satisfied p={p} />
                  </td>
                  <td class="nowrap opt">
                    {p.spec?.clusterSets?.length ? p.spec.clusterSets.join(', ') : <span class="muted">all clusters</span>}
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

const DECISIONS_PAGE = 200;

/** One Placement: what it asks for, its decision groups, the clusters it chose, conditions, YAML. */
export function PlacementDetailView({ name }: { name: string }) {
  const placement = usePoll(`placement/${name}`, () => getJson<PlacementObject>(apiPath('placements', name)));
  const decisions = usePoll(`placement-decisions/${name}`, () => listAll<DecisionView>(apiPath('placements', name, 'decisions')));
  const { clusters, deployments } = useFleet();
  const now = useNow();
  const [group, setGroup] = useState<number | undefined>(undefined);
  const [page, setPage] = useState(1);
  const byName = useMemo(() => new Map((clusters.value ?? []).map((c) => [c.metadata.name, c])), [clusters.value]);
  const p = placement.value;

  if (isNotFound(placement.cause)) {
    return (
      <section aria-labelledby="placement-title">
        <h1 id="placement-title" tabIndex={-1}>
          {name}
        </h1>
        <p>
          This placement does not exist (any more). <a href={routeHref({ view: 'placements' })}>Back to placements</a>
        </p>
      </section>
    );
  }
  const chosen = (decisions.value ?? []).filter((d) => group === undefined || d.group === group);
  const paged = paginate(chosen, page, DECISIONS_PAGE);
  const groups = p?.status?.decisionGroups ?? [];
  const namedGroups = p?.spec?.decisionStrategy?.groupStrategy?.decisionGroups ?? [];
  const usedBy = (deployments.value ?? []).filter((d) => d.spec?.placementRef?.name === name);

  return (
    <section aria-labelledby="placement-title">
      <p class="crumbs">
        <a href={routeHref({ view: 'placements' })}>Placements</a> / {name}
      </p>
      <div class="view-head">
        <h1 id="placement-title" tabIndex={-1}>
          {name} {p && <Satisfied p={p} />}
        </h1>
      </div>
      <ErrorText message={placement.error} />
      {!p && !placement.error && <p class="muted">Loading…</p>}
      {p && (
        <>
          <div class="grid">
            <section class="panel" aria-labelledby="placement-spec-title">
              <h2 id="placement-spec-title">What it chooses</h2>
              <dl class="facts">
                <dt>Cluster sets</dt>
                <dd>
                  {p.spec?.clusterSets?.length
                    ? p.spec.clusterSets.map((s) => (
                        <a key={s} href={routeHref({ view: 'clusterset', name: s })}>
                          {s}{' '}
                        </a>
                      ))
                    : 'all clusters'}
                </dd>
                <dt>Predicates</dt>
                <dd>
                  {p.spec?.predicates?.length ? (
                    <ul class="plain">
                      {p.spec.predicates.map((pr, i) => (
                        <li key={i} class="mono">
                          {clusterSelectorText(pr.requiredClusterSelector)}
                        </li>
                      ))}
                    </ul>
                  ) : (
                    'every cluster'
                  )}
                </dd>
                <dt>Number of clusters</dt>
                <dd>{p.spec?.numberOfClusters ?? 'all that match'}</dd>
                <dt>Tolerations</dt>
                <dd class="mono">
                  {p.spec?.tolerations?.length
                    ? p.spec.tolerations
                        .map((t) => `${t.key ?? '*'}${t.operator === 'Exists' ? '' : `=${t.value ?? ''}`}${t.effect ? `:${t.effect}` : ''}`)
                        .join(', ')
                    : '—'}
                </dd>
                <dt>Selected</dt>
                <dd>{p.status?.numberOfSelectedClusters ?? 0} clusters</dd>
                <dt>Recomputed</dt>
                <dd>
                  <Time value={p.status?.lastRecomputeTime} now={now} />
                </dd>
                <dt>Used by</dt>
                <dd>
                  {usedBy.length ? (
                    usedBy.map((d) => (
                      <a key={d.metadata.name} href={routeHref({ view: 'deployment', name: d.metadata.name })}>
                        {d.metadata.name}{' '}
                      </a>
                    ))
                  ) : (
                    <span class="muted">no deployment</span>
                  )}
                </dd>
              </dl>
            </section>
            <section class="panel" aria-labelledby="placement-groups-title">
              <h2 id="placement-groups-title">Decision groups</h2>
              {groups.length === 0 ? (
                <p class="muted">No groups: the placement has chosen no cluster.</p>
              ) : (
                <table class="data compact">
                  <thead>
                    <tr>
                      <th scope="col">#</th>
                      <th scope="col">Group</th>
                      <th scope="col">Selects</th>
                      <th scope="col">Clusters</th>
                    </tr>
                  </thead>
                  <tbody>
                    {groups.map((g) => (
                      <tr key={g.decisionGroupIndex} data-group={g.decisionGroupIndex}>
                        <td>{g.decisionGroupIndex}</td>
                        <th scope="row">
                          <button
                            type="button"
                            class="linkish"
                            aria-pressed={group === g.decisionGroupIndex}
                            onClick={() => {
                              setPage(1);
                              setGroup((cur) => (cur === g.decisionGroupIndex ? undefined : g.decisionGroupIndex));
                            }}
                          >
                            {groupLabel(g.decisionGroupIndex, g.decisionGroupName)}
                          </button>
                        </th>
                        <td class="mono">
                          {g.decisionGroupName
                            ? clusterSelectorText(namedGroups.find((n) => n.groupName === g.decisionGroupName)?.groupClusterSelector)
                            : `the rest, ${p.spec?.decisionStrategy?.groupStrategy?.clustersPerDecisionGroup ?? 'all'} per group`}
                        </td>
                        <td>{g.clusterCount}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
          </div>
          <section class="panel" aria-labelledby="placement-clusters-title">
            <h2 id="placement-clusters-title">
              Chosen clusters
              {group !== undefined
                ? ` in ${groupLabel(group, groups.find((g) => g.decisionGroupIndex === group)?.decisionGroupName ?? '')}`
                : ''}
            </h2>
            {isNotFound(decisions.cause) ? (
              <p class="muted">This hub does not list decisions (it needs GET /v1/placements/{'{name}'}/decisions).</p>
            ) : (
              <ErrorText message={decisions.error} />
            )}
            {decisions.value && (
              <>
                <div class="table-wrap">
                  <table class="data dense compact">
                    <caption>
                      {chosen.length} clusters{paged.pages > 1 ? `, ${paged.first}–${paged.last} shown` : ''}
                    </caption>
                    <thead>
                      <tr>
                        <th scope="col">Cluster</th>
                        <th scope="col">Group</th>
                        <th scope="col">Availability</th>
                        <th scope="col" class="opt">
                          Labels
                        </th>
                      </tr>
                    </thead>
                    <tbody>
                      {paged.items.map((d) => {
                        const c = byName.get(d.cluster);
                        const a = c ? availabilityOf(c, now) : undefined;
                        return (
                          <tr key={d.cluster} data-decision={d.cluster}>
                            <th scope="row" class="nowrap">
                              <a href={routeHref({ view: 'cluster', name: d.cluster })}>{d.cluster}</a>
                            </th>
                            <td class="nowrap">{groupLabel(d.group, d.groupName)}</td>
                            <td class="nowrap">
                              {a ? <Badge tone={AVAILABILITY_TONES[a.state]}>{a.label}</Badge> : <span class="muted">—</span>}
                            </td>
                            <td class="opt">
                              <LabelChips labels={c?.metadata.labels} />
                            </td>
                          </tr>
                        );
                      })}
                    </tbody>
                  </table>
                </div>
                <Pager page={paged.page} pages={paged.pages} label="Chosen cluster pages" onPage={setPage} />
              </>
            )}
          </section>
          <ConditionsPanel conditions={p.status?.conditions} now={now} id="placement-conditions" />
          <YamlView value={p} />
        </>
      )}
    </section>
  );
}
