import { apiPath, getJson, HubProblemError } from '../api.js';
import { ErrorText, Time } from '../components/bits.js';
import { ComplianceBadge, ComplianceBlock } from '../components/compliance.js';
import { Pager } from '../components/pager.js';
import { YamlView } from '../components/yaml-view.js';
import { loadPolicyCompliance } from '../governance-data.js';
import { paginate } from '../model/fleet.js';
import {
  complianceLabel,
  ComplianceOrder,
  countStates,
  isComplianceState,
  mappingOf,
  sortCompliance,
  templateTypes,
  type PolicyObject,
} from '../model/governance.js';
import { routeHref } from '../model/route.js';
import { replaceQuery } from '../navigation.js';
import { scaledInterval, useNow, usePoll } from '../poll.js';

/**
 * One policy: what it demands (remediation, severity, mapping, placement, dependencies, templates),
 * its roll-up, and every cluster's compliance, non-compliant first, with the violating objects and
 * their diffs. The clusters are read page by page from `/v1/policies/{name}/compliance` and shown
 * 50 at a time; the state filter and page live in the URL (`#/policies/pci?state=NonCompliant`).
 */

/** Clusters per page: each carries its violations, so pages are short. */
export const POLICY_CLUSTERS_PAGE_SIZE = 50;

function isNotFound(err: unknown): boolean {
  return err instanceof HubProblemError && err.problem.status === 404;
}

const list = (values: readonly string[]) => (values.length ? values.join(', ') : '—');

export function PolicyDetailView({ name, query }: { name: string; query: Record<string, string> }) {
  const policy = usePoll(`policy/${name}`, () => getJson<PolicyObject>(apiPath('policies', name)));
  const compliance = usePoll(
    `policy-compliance/${name}`,
    () => loadPolicyCompliance(name),
    (rows) => scaledInterval((rows?.length ?? 0) / 500),
  );
  const now = useNow();
  const p = policy.value;
  const state = isComplianceState(query.state) ? query.state : undefined;
  const update = (changes: Record<string, string | undefined>) => {
    const next: Record<string, string | undefined> = { ...query, ...changes };
    if (!('page' in changes)) delete next.page;
    replaceQuery({ view: 'policy', name }, next);
  };

  if (isNotFound(policy.cause)) {
    return (
      <section aria-labelledby="policy-title">
        <h1 id="policy-title" tabIndex={-1}>
          {name}
        </h1>
        <p>
          This policy does not exist (any more). <a href={routeHref({ view: 'governance' }, { tab: 'policies' })}>Back to policies</a>
        </p>
      </section>
    );
  }

  const rows = sortCompliance(compliance.value ?? [], 'cluster');
  const counts = countStates(rows);
  const shown = state ? rows.filter((r) => r.compliance === state) : rows;
  const paged = paginate(shown, Number(query.page ?? '1'), POLICY_CLUSTERS_PAGE_SIZE);
  const mapping = p ? mappingOf(p) : undefined;
  const templates = p?.spec?.policyTemplates ?? [];
  const summary = p?.status?.summary;

  return (
    <section aria-labelledby="policy-title">
      <p class="crumbs">
        <a href={routeHref({ view: 'governance' }, { tab: 'policies' })}>Governance</a> / {name}
      </p>
      <div class="view-head">
        <h1 id="policy-title" tabIndex={-1}>
          {name} {p && <ComplianceBadge state={p.status?.compliant} />}
        </h1>
      </div>
      <ErrorText message={policy.error} />
      {!p && !policy.error && <p class="muted">Loading…</p>}
      {p && mapping && (
        <>
          <div class="grid">
            <section class="panel" aria-labelledby="policy-spec-title">
              <h2 id="policy-spec-title">Policy</h2>
              <dl class="facts">
                <dt>Remediation</dt>
                <dd data-fact="remediation">
                  {p.spec?.remediationAction ?? 'inform'}
                  {p.spec?.disabled ? ' (disabled: not evaluated)' : ''}
                </dd>
                <dt>Severity</dt>
                <dd>{p.spec?.severity ?? '—'}</dd>
                <dt>Standards</dt>
                <dd data-fact="standards">{list(mapping.standards)}</dd>
                <dt>Categories</dt>
                <dd>{list(mapping.categories)}</dd>
                <dt>Controls</dt>
                <dd data-fact="controls">{list(mapping.controls)}</dd>
                <dt>Placement</dt>
                <dd>
                  {p.spec?.placementRef?.name ? (
                    <a href={routeHref({ view: 'placement', name: p.spec.placementRef.name })}>{p.spec.placementRef.name}</a>
                  ) : (
                    '— (only policy sets that list it)'
                  )}
                </dd>
                <dt>Dependencies</dt>
                <dd>
                  {p.spec?.dependencies?.length
                    ? p.spec.dependencies.map((d, i) => (
                        <span key={d.name}>
                          {i > 0 ? '; ' : ''}
                          <a href={routeHref({ view: 'policy', name: d.name })}>{d.name}</a> must be {d.compliance ?? 'Compliant'}
                        </span>
                      ))
                    : '—'}
                </dd>
                {p.spec?.description && (
                  <>
                    <dt>Description</dt>
                    <dd>{p.spec.description}</dd>
                  </>
                )}
                <dt>Created</dt>
                <dd>
                  <Time value={p.metadata.creationTimestamp} now={now} />
                </dd>
              </dl>
            </section>
            <section class="panel" aria-labelledby="policy-rollup-title">
              <h2 id="policy-rollup-title">Compliance</h2>
              <dl class="facts" data-rollup>
                <dt>Roll-up</dt>
                <dd>
                  <ComplianceBadge state={p.status?.compliant} />
                </dd>
                <dt>Clusters</dt>
                <dd data-fact="clusters">{summary?.clusters ?? 0}</dd>
                <dt>Non-compliant</dt>
                <dd data-fact="noncompliant">{summary?.nonCompliant ?? 0}</dd>
                <dt>Pending</dt>
                <dd data-fact="pending">{summary?.pending ?? 0}</dd>
                <dt>Unknown</dt>
                <dd data-fact="unknown">{summary?.unknown ?? 0}</dd>
                <dt>Compliant</dt>
                <dd data-fact="compliant">{summary?.compliant ?? 0}</dd>
              </dl>
            </section>
          </div>
          <section class="panel" aria-labelledby="policy-templates-title">
            <h2 id="policy-templates-title">Templates</h2>
            <div class="table-wrap">
              <table class="data compact">
                <thead>
                  <tr>
                    <th scope="col">Template</th>
                    <th scope="col">Objects</th>
                    <th scope="col">Kinds</th>
                    <th scope="col">Prune</th>
                    <th scope="col">Interval (compliant / not)</th>
                  </tr>
                </thead>
                <tbody>
                  {templates.map((t, i) => (
                    <tr key={i}>
                      <th scope="row" class="mono">
                        {t.name ?? `${name}-${i + 1}`}
                      </th>
                      <td>{templateTypes(t) || '—'}</td>
                      <td class="mono">
                        {[...new Set((t.objectTemplates ?? []).map((o) => o.objectDefinition?.kind ?? '?'))].join(', ') || '—'}
                      </td>
                      <td>{t.pruneObjectBehavior ?? 'None'}</td>
                      <td>
                        {t.evaluationInterval?.compliant ?? '10m'} / {t.evaluationInterval?.noncompliant ?? '2m'}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
          <section class="panel" aria-labelledby="policy-clusters-title">
            <h2 id="policy-clusters-title">Clusters {compliance.value ? `(${rows.length})` : ''}</h2>
            <ErrorText message={compliance.error} />
            {!compliance.value && !compliance.error && <p class="muted">Loading compliance…</p>}
            {compliance.value && rows.length === 0 && <p class="muted">No cluster is chosen by this policy yet.</p>}
            {rows.length > 0 && (
              <div class="toolbar" role="search" aria-label="Filter clusters of the policy">
                <div class="field narrow">
                  <label for="policy-cluster-state">Compliance</label>
                  <select
                    id="policy-cluster-state"
                    value={state ?? ''}
                    onChange={(e) => update({ state: (e.target as HTMLSelectElement).value || undefined })}
                  >
                    <option value="">All ({rows.length})</option>
                    {ComplianceOrder.map((s) => (
                      <option key={s} value={s}>
                        {complianceLabel(s)} ({counts[s]})
                      </option>
                    ))}
                  </select>
                </div>
                <p class="detail">
                  {paged.first}–{paged.last} of {shown.length}
                </p>
              </div>
            )}
            {paged.items.map((r) => (
              <ComplianceBlock key={r.cluster} row={r} by="cluster" now={now} />
            ))}
            <Pager page={paged.page} pages={paged.pages} label="Cluster pages" onPage={(page) => update({ page: String(page) })} />
          </section>
          <YamlView value={p} />
        </>
      )}
    </section>
  );
}
