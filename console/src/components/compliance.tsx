import { Badge, Time } from './bits.js';
import {
  complianceLabel,
  complianceTone,
  objectLabel,
  violationCount,
  type ClusterPolicyCompliance,
  type ComplianceState,
} from '../model/governance.js';
import { routeHref } from '../model/route.js';

/**
 * Pieces of the governance views: a compliance badge, and what is wrong with one cluster's
 * compliance with one policy (its templates that are not compliant, each violating object with its
 * reason, message and diff). Diffs are text in a `<pre>`: Preact escapes them, so markup in an
 * object (an annotation holding HTML) shows as text and never runs.
 */

/** A compliance state as a badge; a silent cluster's last answer in its title and text. */
export function ComplianceBadge({ state, lastReported }: { state?: ComplianceState; lastReported?: ComplianceState }) {
  return (
    <Badge tone={complianceTone(state)} title={lastReported ? `The agent is silent; it last reported ${lastReported}` : undefined}>
      {complianceLabel(state)}
      {state === 'Unknown' && lastReported ? ` (last ${complianceLabel(lastReported).toLowerCase()})` : ''}
    </Badge>
  );
}

/** The violations of one row of compliance; nothing when every template complies. */
export function Violations({ row }: { row: ClusterPolicyCompliance }) {
  const templates = row.templates.filter((t) => t.compliance !== 'Compliant');
  if (!templates.length) return <p class="muted">No violations.</p>;
  return (
    <div class="violations">
      {templates.map((t) => {
        const bad = t.objects.filter((o) => !o.compliant);
        return (
          <div key={t.name} class="template" data-template={t.name}>
            <p>
              Template <strong class="mono">{t.name}</strong> <ComplianceBadge state={t.compliance} />
              {t.reason && <span class="detail"> {t.reason}</span>}
              {t.message && <span class="detail">: {t.message}</span>}
            </p>
            {bad.length > 0 && (
              <ul class="violation-list" aria-label={`violations of ${t.name} on ${row.cluster}`}>
                {bad.map((o) => (
                  <li key={`${o.kind}/${o.namespace ?? ''}/${o.name}`} data-object={objectLabel(o)}>
                    <span class="mono">{objectLabel(o)}</span> <strong>{o.reason}</strong>
                    {o.message ? <span class="detail"> {o.message}</span> : null}
                    {o.diff ? (
                      <pre class="diff" aria-label={`diff of ${objectLabel(o)}`}>
                        {o.diff}
                      </pre>
                    ) : null}
                  </li>
                ))}
              </ul>
            )}
            {t.omittedObjects ? <p class="detail">and {t.omittedObjects} more violating objects</p> : null}
          </div>
        );
      })}
    </div>
  );
}

/**
 * One row of compliance as an expandable block: the other side's name (a cluster on a policy's
 * page, a policy on a cluster's), its state, violation count and times; the violations inside,
 * open from the start when the row is not compliant.
 */
export function ComplianceBlock({ row, by, now }: { row: ClusterPolicyCompliance; by: 'cluster' | 'policy'; now: number }) {
  const name = by === 'cluster' ? row.cluster : row.policy;
  const href = by === 'cluster' ? routeHref({ view: 'cluster', name }) : routeHref({ view: 'policy', name });
  const count = violationCount(row);
  return (
    <details class="work compliance" data-row={name} data-compliance={row.compliance} open={row.compliance !== 'Compliant'}>
      <summary>
        <a href={href} class="work-name">
          {name}
        </a>{' '}
        <ComplianceBadge state={row.compliance} lastReported={row.lastReported} />
        <span class="detail">
          {' '}
          · {count} violation{count === 1 ? '' : 's'} · since <Time value={row.since} now={now} /> · evaluated{' '}
          <Time value={row.evaluatedAt} now={now} />
        </span>
      </summary>
      <Violations row={row} />
    </details>
  );
}
