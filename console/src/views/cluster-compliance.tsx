import { HubProblemError } from '../api.js';
import { ErrorText } from '../components/bits.js';
import { ComplianceBlock } from '../components/compliance.js';
import { loadClusterCompliance } from '../governance-data.js';
import { countStates, sortCompliance } from '../model/governance.js';
import { usePoll } from '../poll.js';

/**
 * A cluster's compliance on its detail page: every policy that chooses it, non-compliant first,
 * each with its violations and diffs (open when not compliant). A hub without governance answers
 * 404 and the panel says so rather than showing an error.
 */
export function ClusterCompliance({ name, now }: { name: string; now: number }) {
  const compliance = usePoll(`cluster-compliance/${name}`, () => loadClusterCompliance(name));
  const unsupported = compliance.cause instanceof HubProblemError && compliance.cause.problem.status === 404;
  const rows = sortCompliance(compliance.value ?? [], 'policy');
  const counts = countStates(rows);
  return (
    <section class="panel" aria-labelledby="compliance-title" id="cluster-compliance">
      <h2 id="compliance-title">Compliance {compliance.value ? `(${rows.length} ${rows.length === 1 ? 'policy' : 'policies'})` : ''}</h2>
      {unsupported ? <p class="muted">This hub does not serve compliance yet.</p> : <ErrorText message={compliance.error} />}
      {!compliance.value && !compliance.error && <p class="muted">Loading compliance…</p>}
      {compliance.value && rows.length === 0 && <p class="muted">No policy applies to this cluster.</p>}
      {rows.length > 0 && (
        <p class="detail" data-compliance-counts>
          {counts.NonCompliant} non-compliant · {counts.Pending} pending · {counts.Unknown} unknown · {counts.Compliant} compliant
        </p>
      )}
      {rows.map((r) => (
        <ComplianceBlock key={r.policy} row={r} by="policy" now={now} />
      ))}
    </section>
  );
}
