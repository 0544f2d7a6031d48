import { useMemo } from 'preact/hooks';
import { HubProblemError, listAll } from '../api.js';
import { Badge, ErrorText } from '../components/bits.js';
import { ComplianceBadge } from '../components/compliance.js';
import { Pager } from '../components/pager.js';
import { useFleet } from '../fleet-data.js';
import { paginate } from '../model/fleet.js';
import {
  byCluster,
  byStandard,
  complianceLabel,
  ComplianceOrder,
  isComplianceState,
  mappingOf,
  sortPolicies,
  type ControlRow,
  type PolicyObject,
} from '../model/governance.js';
import { routeHref } from '../model/route.js';
import { countOf } from '../model/words.js';
import { replaceQuery } from '../navigation.js';
import { scaledInterval, usePoll } from '../poll.js';

/**
 * The Governance view: compliance across the fleet in three tabs — by standard and control, by
 * policy, by cluster — each non-compliant first. It reads one listing of the policies (their
 * roll-ups carry the counts and the non-compliant clusters) and the shell's cluster list, so its
 * cost does not grow with the number of clusters; long tables are paginated. The tab, filter and
 * page live in the URL (`#/governance?tab=clusters&page=2`).
 */

/** Rows per page of the policy and cluster tables. */
export const GOVERNANCE_PAGE_SIZE = 200;

const TABS = [
  { id: 'standards', label: 'By standard and control' },
  { id: 'policies', label: 'By policy' },
  { id: 'clusters', label: 'By cluster' },
] as const;
type TabId = (typeof TABS)[number]['id'];

/** Every policy (all pages), polled like the other fleet lists. */
export function usePolicies() {
  return usePoll(
    'policies',
    () => listAll<PolicyObject>('/v1/policies'),
    (list) => scaledInterval((list?.length ?? 0) / 500),
  );
}

export function GovernanceView({ query }: { query: Record<string, string> }) {
  const policies = usePolicies();
  const { clusters } = useFleet();
  const tab: TabId = TABS.some((t) => t.id === query.tab) ? (query.tab as TabId) : 'standards';
  const update = (changes: Record<string, string | undefined>) => {
    const next: Record<string, string | undefined> = { ...query, ...changes };
    if (!('page' in changes)) delete next.page;
    replaceQuery({ view: 'governance' }, next);
  };
  const unsupported = policies.cause instanceof HubProblemError && policies.cause.problem.status === 404;
  const list = policies.value;
  const nonCompliant = list?.filter((p) => p.status?.compliant === 'NonCompliant').length ?? 0;

  return (
    <section aria-labelledby="governance-title">
      <div class="view-head">
        <h1 id="governance-title" tabIndex={-1}>
          Governance
        </h1>
        {list && (
          <p class="detail" data-governance-summary>
            {countOf(list.length, 'policy', 'policies')}
            {nonCompliant ? (
              <>
                {' · '}
                <Badge tone="bad">{nonCompliant} non-compliant</Badge>
              </>
            ) : null}
          </p>
        )}
      </div>
      {unsupported ? <p class="muted">This hub does not serve policies yet.</p> : <ErrorText message={policies.error} />}
      {!list && !policies.error && <p class="muted">Loading policies…</p>}
      {list && list.length === 0 && (
        <p class="muted">
          No policies. Apply one with <code>tether apply -f policy.yaml</code> (see docs/examples/governance/).
        </p>
      )}
      {list && list.length > 0 && (
        <>
          <div role="tablist" aria-label="Governance views" class="tabs">
            {TABS.map((t) => (
              <button
                key={t.id}
                type="button"
                role="tab"
                id={`tab-${t.id}`}
                aria-selected={tab === t.id}
                aria-controls={`panel-${t.id}`}
                tabIndex={tab === t.id ? 0 : -1}
                class={tab === t.id ? 'tab active' : 'tab'}
                onClick={() => update({ tab: t.id === 'standards' ? undefined : t.id, state: undefined })}
              >
                {t.label}
              </button>
            ))}
          </div>
          <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} class="panel">
            {tab === 'standards' && <StandardsTable policies={list} />}
            {tab === 'policies' && <PoliciesTable policies={list} query={query} update={update} />}
            {tab === 'clusters' && (
              <ClustersTable policies={list} clusters={(clusters.value ?? []).map((c) => c.metadata.name)} query={query} update={update} />
            )}
          </div>
        </>
      )}
    </section>
  );
}

function Counts({ row }: { row: ControlRow }) {
  return (
    <>
      <td class="num" data-col="noncompliant-policies">
        {row.nonCompliantPolicies > 0 ? <Badge tone="bad">{row.nonCompliantPolicies}</Badge> : '0'}
      </td>
      <td class="num" data-col="compliant-policies">
        {row.compliantPolicies}
      </td>
      <td class="num" data-col="noncompliant-clusters">
        {row.atLeast ? '≥ ' : ''}
        {row.nonCompliantClusters}
      </td>
      <td class="detail results" data-col="results">
        {row.results.compliant} compliant · {row.results.nonCompliant} non-compliant · {row.results.pending} pending · {row.results.unknown}{' '}
        unknown
      </td>
    </>
  );
}

/** Standards, each followed by its controls; non-compliant first at both levels. */
function StandardsTable({ policies }: { policies: PolicyObject[] }) {
  const rows = useMemo(() => byStandard(policies), [policies]);
  return (
    <div class="table-wrap">
      <table class="data dense governance-standards">
        <caption class="sr-only">Compliance by standard and control</caption>
        <thead>
          <tr>
            <th scope="col">Standard / control</th>
            <th scope="col">Compliance</th>
            <th scope="col">Policies</th>
            <th scope="col" class="num">
              Non-compliant policies
            </th>
            <th scope="col" class="num">
              Compliant policies
            </th>
            <th scope="col" class="num">
              Non-compliant clusters
            </th>
            <th scope="col" class="results">
              Cluster results <span class="detail">(per policy and cluster)</span>
            </th>
          </tr>
        </thead>
        {rows.map((s) => (
          <tbody key={s.standard} data-standard={s.standard}>
            <tr class="group">
              <th scope="rowgroup">{s.standard}</th>
              <td>
                <ComplianceBadge state={s.compliance} />
              </td>
              <td class="nowrap">{countOf(s.policies.length, 'policy', 'policies')}</td>
              <Counts row={s} />
            </tr>
            {s.controls.map((c) => (
              <tr key={c.control} data-control={c.control}>
                <th scope="row" class="indent">
                  {c.control}
                </th>
                <td>
                  <ComplianceBadge state={c.compliance} />
                </td>
                <td>
                  {c.policies.map((p, i) => (
                    <span key={p} class="nowrap">
                      {i > 0 ? ', ' : ''}
                      <a href={routeHref({ view: 'policy', name: p })}>{p}</a>
                    </span>
                  ))}
                </td>
                <Counts row={c} />
              </tr>
            ))}
          </tbody>
        ))}
      </table>
    </div>
  );
}

type Update = (changes: Record<string, string | undefined>) => void;

/** Every policy with its roll-up and counts, non-compliant first; filtered by state. */
function PoliciesTable({ policies, query, update }: { policies: PolicyObject[]; query: Record<string, string>; update: Update }) {
  const state = isComplianceState(query.state) ? query.state : undefined;
  const sorted = useMemo(() => sortPolicies(policies), [policies]);
  const shown = state ? sorted.filter((p) => p.status?.compliant === state) : sorted;
  const paged = paginate(shown, Number(query.page ?? '1'), GOVERNANCE_PAGE_SIZE);
  return (
    <>
      <div class="toolbar" role="search" aria-label="Filter policies">
        <div class="field narrow">
          <label for="policy-state">Compliance</label>
          <select
            id="policy-state"
            value={state ?? ''}
            onChange={(e) => update({ state: (e.target as HTMLSelectElement).value || undefined })}
          >
            <option value="">All</option>
            {ComplianceOrder.map((s) => (
              <option key={s} value={s}>
                {complianceLabel(s)}
              </option>
            ))}
          </select>
        </div>
        <p class="detail">
          {paged.first}–{paged.last} of {shown.length}
        </p>
      </div>
      <div class="table-wrap">
        <table class="data dense governance-policies">
          <caption class="sr-only">Policies, non-compliant first</caption>
          <thead>
            <tr>
              <th scope="col">Policy</th>
              <th scope="col">Compliance</th>
              <th scope="col">Remediation</th>
              <th scope="col">Severity</th>
              <th scope="col">Standards</th>
              <th scope="col" class="num">
                Non-compliant
              </th>
              <th scope="col" class="num">
                Pending
              </th>
              <th scope="col" class="num">
                Unknown
              </th>
              <th scope="col" class="num">
                Compliant
              </th>
            </tr>
          </thead>
          <tbody>
            {paged.items.map((p) => {
              const s = p.status?.summary;
              return (
                <tr key={p.metadata.name} data-policy={p.metadata.name}>
                  <th scope="row">
                    <a href={routeHref({ view: 'policy', name: p.metadata.name })}>{p.metadata.name}</a>
                  </th>
                  <td>
                    <ComplianceBadge state={p.status?.compliant} />
                  </td>
                  <td>{p.spec?.disabled ? 'disabled' : (p.spec?.remediationAction ?? 'inform')}</td>
                  <td>{p.spec?.severity ?? '—'}</td>
                  <td>{mappingOf(p).standards.join(', ') || '—'}</td>
                  <td class="num" data-col="noncompliant">
                    {s?.nonCompliant ? <Badge tone="bad">{s.nonCompliant}</Badge> : '0'}
                  </td>
                  <td class="num" data-col="pending">
                    {s?.pending ?? 0}
                  </td>
                  <td class="num" data-col="unknown">
                    {s?.unknown ?? 0}
                  </td>
                  <td class="num" data-col="compliant">
                    {s?.compliant ?? 0}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <Pager page={paged.page} pages={paged.pages} label="Policy pages" onPage={(page) => update({ page: String(page) })} />
    </>
  );
}

/** Every cluster with the policies it does not comply with, most first. */
function ClustersTable(props: { policies: PolicyObject[]; clusters: string[]; query: Record<string, string>; update: Update }) {
  const { rows, truncated } = useMemo(() => byCluster(props.policies, props.clusters), [props.policies, props.clusters]);
  const onlyFailing = props.query.state === 'NonCompliant';
  const shown = onlyFailing ? rows.filter((r) => r.nonCompliant.length > 0) : rows;
  const paged = paginate(shown, Number(props.query.page ?? '1'), GOVERNANCE_PAGE_SIZE);
  return (
    <>
      <div class="toolbar" role="search" aria-label="Filter clusters">
        <div class="check">
          <input
            id="only-noncompliant"
            type="checkbox"
            checked={onlyFailing}
            onChange={(e) => props.update({ state: (e.target as HTMLInputElement).checked ? 'NonCompliant' : undefined })}
          />
          <label for="only-noncompliant">Only non-compliant clusters</label>
        </div>
        <p class="detail">
          {paged.first}–{paged.last} of {shown.length}
        </p>
      </div>
      {truncated && (
        <p class="detail">
          Some policies have more non-compliant clusters than their status lists; counts here may be low. Open a policy for its full list.
        </p>
      )}
      <div class="table-wrap">
        <table class="data dense governance-clusters">
          <caption class="sr-only">Clusters, most non-compliant policies first</caption>
          <thead>
            <tr>
              <th scope="col">Cluster</th>
              <th scope="col" class="num">
                Non-compliant policies
              </th>
              <th scope="col">Policies</th>
            </tr>
          </thead>
          <tbody>
            {paged.items.map((r) => (
              <tr key={r.cluster} data-cluster={r.cluster}>
                <th scope="row">
                  <a href={routeHref({ view: 'cluster', name: r.cluster })}>{r.cluster}</a>
                </th>
                <td class="num" data-col="noncompliant">
                  {r.nonCompliant.length ? <Badge tone="bad">{r.nonCompliant.length}</Badge> : '0'}
                </td>
                <td>
                  {r.nonCompliant.length
                    ? r.nonCompliant.map((p, i) => (
                        <span key={p}>
                          {i > 0 ? ', ' : ''}
                          <a href={routeHref({ view: 'policy', name: p })}>{p}</a>
                        </span>
                      ))
                    : '—'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager page={paged.page} pages={paged.pages} label="Cluster pages" onPage={(page) => props.update({ page: String(page) })} />
    </>
  );
}
