import { useEffect, useState } from 'preact/hooks';
import { auditCount, auditCsv, auditDiffSummary, auditObject, auditOutcome } from '../../../shared/audit-view.js';
import type { AuditEvent } from '../../../shared/tenancy.js';
import { describeError, getJson, HubProblemError } from '../api.js';
import { Badge, ErrorText } from '../components/bits.js';
import { replaceQuery } from '../navigation.js';
import { usePoll } from '../poll.js';

/**
 * The audit view, for admins and auditors: who changed what, and which calls were refused,
 * newest first. Filters (user, verb, kind, outcome, time range) live in the URL
 * (`#/audit?outcome=denied&since=7d`) and go to the hub as `GET /v1/audit` parameters; each row
 * expands to the change's redacted diff. "Load older" follows the hub's cursor; the loaded rows
 * export as CSV (the same columns as `tether audit -o csv`).
 */

/** One page of the audit trail as the hub answers it. */
interface AuditPage {
  items: AuditEvent[];
  metadata?: { continue?: string };
}

const VERBS = ['create', 'update', 'patch', 'delete', 'control', 'login'];
const RANGES = [
  { value: '1h', label: 'Last hour' },
  { value: '24h', label: 'Last 24 hours' },
  { value: '7d', label: 'Last 7 days' },
  { value: '30d', label: 'Last 30 days' },
  { value: '366d', label: 'Last year' },
];
const FILTERS = ['user', 'verb', 'kind', 'outcome', 'since'] as const;

/** The hub query of the view's filters (since defaults to the last 24 hours). */
function auditQuery(query: Record<string, string>): URLSearchParams {
  const params = new URLSearchParams({ since: query.since || '24h', limit: '100' });
  for (const f of FILTERS) if (f !== 'since' && query[f]) params.set(f, query[f]);
  return params;
}

export function AuditView({ query }: { query: Record<string, string> }) {
  const params = auditQuery(query);
  const key = params.toString();
  const first = usePoll(`audit?${key}`, () => getJson<AuditPage>(`/v1/audit?${key}`), 15_000);
  // Older pages the user asked for, for the current filters only.
  const [older, setOlder] = useState<{ key: string; items: AuditEvent[]; cursor?: string; error?: string }>({ key, items: [] });
  useEffect(() => setOlder({ key, items: [] }), [key]);
  const update = (changes: Record<string, string | undefined>) => replaceQuery({ view: 'audit' }, { ...query, ...changes });
  const forbidden = first.cause instanceof HubProblemError && first.cause.problem.status === 403;

  const page = first.value;
  const items = page ? [...page.items, ...(older.key === key ? older.items : [])] : undefined;
  const cursor = older.key === key && older.items.length ? older.cursor : page?.metadata?.continue;
  const loadOlder = async () => {
    if (!cursor) return;
    try {
      const next = await getJson<AuditPage>(`/v1/audit?${key}&continue=${encodeURIComponent(cursor)}`);
      setOlder((o) => ({ key, items: [...(o.key === key ? o.items : []), ...next.value.items], cursor: next.value.metadata?.continue }));
    } catch (err) {
      setOlder((o) => ({ ...o, error: describeError(err) }));
    }
  };
  const exportCsv = () => {
    if (!items) return;
    const url = URL.createObjectURL(new Blob([auditCsv(items)], { type: 'text/csv' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = 'tether-audit.csv';
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  return (
    <section aria-labelledby="audit-title">
      <div class="view-head">
        <h1 id="audit-title" tabIndex={-1}>
          Audit trail
        </h1>
        <p class="detail">Every change made through the hub's API and every refused call, newest first. Reads are not recorded.</p>
      </div>
      <div class="toolbar" role="search" aria-label="Filter the audit trail">
        <TextFilter
          id="audit-user"
          label="User"
          value={query.user}
          placeholder="token:ci, alice@example.com"
          onChange={(v) => update({ user: v })}
        />
        <div class="field narrow">
          <label for="audit-verb">Verb</label>
          <select
            id="audit-verb"
            value={query.verb ?? ''}
            onChange={(e) => update({ verb: (e.target as HTMLSelectElement).value || undefined })}
          >
            <option value="">All</option>
            {VERBS.map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
        </div>
        <TextFilter id="audit-kind" label="Kind" value={query.kind} placeholder="Policy, works" onChange={(v) => update({ kind: v })} />
        <div class="field narrow">
          <label for="audit-outcome">Outcome</label>
          <select
            id="audit-outcome"
            value={query.outcome ?? ''}
            onChange={(e) => update({ outcome: (e.target as HTMLSelectElement).value || undefined })}
          >
            <option value="">All</option>
            <option value="allowed">Allowed</option>
            <option value="denied">Denied</option>
          </select>
        </div>
        <div class="field narrow">
          <label for="audit-since">Time</label>
          <select id="audit-since" value={query.since || '24h'} onChange={(e) => update({ since: (e.target as HTMLSelectElement).value })}>
            {RANGES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </select>
        </div>
      </div>
      {forbidden ? (
        <p class="muted" data-audit-forbidden>
          Your role cannot read the audit trail: admins and auditors can. {first.error}
        </p>
      ) : (
        <ErrorText message={first.error} />
      )}
      {!items && !first.error && <p class="muted">Loading the audit trail…</p>}
      {items && items.length === 0 && !cursor && <p class="muted">No audit events match these filters in this time range.</p>}
      {items && (items.length > 0 || cursor) && (
        <>
          <div class="table-wrap">
            <table class="data dense audit">
              <caption>
                {items.length} audit events{cursor ? ' (more are older)' : ''}
              </caption>
              <thead>
                <tr>
                  <th scope="col">Time</th>
                  <th scope="col">User</th>
                  <th scope="col">Verb</th>
                  <th scope="col">Object</th>
                  <th scope="col">Outcome</th>
                  <th scope="col">Changes</th>
                </tr>
              </thead>
              <tbody>
                {items.map((e) => (
                  <AuditRow key={e.auditID} event={e} />
                ))}
              </tbody>
            </table>
          </div>
          <p class="actions">
            {cursor && (
              <button type="button" onClick={() => void loadOlder()}>
                Load older
              </button>
            )}{' '}
            <button type="button" onClick={exportCsv} disabled={!items.length}>
              Export CSV
            </button>
          </p>
          <ErrorText message={older.key === key ? older.error : undefined} />
        </>
      )}
    </section>
  );
}

/**
 * A text filter applied when the user commits it (Enter or leaving the field), not per keystroke.
 * What is typed is kept in the field's own state, so a re-render (a poll's answer) never wipes it.
 */
function TextFilter(props: { id: string; label: string; value?: string; placeholder: string; onChange: (v: string | undefined) => void }) {
  const [draft, setDraft] = useState(props.value ?? '');
  useEffect(() => setDraft(props.value ?? ''), [props.value]);
  const commit = () => {
    const next = draft.trim() || undefined;
    if (next !== props.value) props.onChange(next);
  };
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        type="search"
        value={draft}
        placeholder={props.placeholder}
        onInput={(e) => setDraft((e.target as HTMLInputElement).value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
        }}
        onBlur={commit}
      />
    </div>
  );
}

function AuditRow({ event: e }: { event: AuditEvent }) {
  const denied = auditOutcome(e) === 'denied';
  const count = auditCount(e);
  const summary = auditDiffSummary(e, 4);
  const hasDiff = e.diff !== undefined && e.diff !== null;
  return (
    <tr data-audit-id={e.auditID}>
      <td>
        <time dateTime={e.stageTimestamp}>{e.stageTimestamp.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}</time>
      </td>
      <td>
        {e.user.username}
        {e.user.groups?.length ? <span class="detail"> ({e.user.groups.join(', ')})</span> : null}
      </td>
      <td>{e.verb}</td>
      <td>
        {auditObject(e)}
        {e.clusterSets?.length ? <span class="detail"> · sets {e.clusterSets.join(', ')}</span> : null}
      </td>
      <td>
        <Badge tone={denied ? 'bad' : 'good'} title={e.decision?.reason}>
          {denied ? (count > 1 ? `denied ×${count}` : 'denied') : 'allowed'} {e.responseStatus.code}
        </Badge>
        {denied && e.decision?.reason ? <span class="detail"> {e.decision.reason}</span> : null}
      </td>
      <td>
        {hasDiff ? (
          <details class="audit-diff">
            <summary>{summary || 'no field changed'}</summary>
            <pre>{JSON.stringify(e.diff, null, 2)}</pre>
          </details>
        ) : (
          summary
        )}
      </td>
    </tr>
  );
}
