import { useFleet } from '../fleet-data.js';
import { useStale } from '../hub-health.js';
import { fleetSummary } from '../model/fleet.js';
import { routeHref } from '../model/route.js';
import { stateLabel, stateTone } from '../model/deployments.js';
import { AVAILABILITY_TONES } from '../views/availability.js';
import { AVAILABILITY_LABELS } from '../model/clusters.js';
import { useNow } from '../poll.js';

/**
 * The fleet at a glance, above every view: clusters by availability and rollouts by state, problems
 * first. Each count links to the list filtered to it (`#/clusters?state=Unknown`).
 */
export function FleetSummaryBar() {
  const { clusters, deployments, deploymentsUnsupported } = useFleet();
  const now = useNow();
  const stale = useStale();
  const summary = fleetSummary(clusters.value, deployments.value, now);
  return (
    <nav class={stale ? 'summary-bar stale' : 'summary-bar'} aria-label="Fleet summary">
      <div class="summary-group">
        <a class="summary-title" href={routeHref({ view: 'clusters' })}>
          {clusters.value ? `${summary.clusters.total} clusters` : 'Clusters'}
        </a>
        <ul>
          {summary.clusters.byState.map((s) => (
            <li key={s.state}>
              <a
                class={`count ${s.count ? AVAILABILITY_TONES[s.state as keyof typeof AVAILABILITY_TONES] : 'zero'}`}
                href={routeHref({ view: 'clusters' }, { state: s.state })}
                data-summary-cluster={s.state}
              >
                <strong>{clusters.value ? s.count : '…'}</strong>{' '}
                {AVAILABILITY_LABELS[s.state as keyof typeof AVAILABILITY_LABELS].toLowerCase()}
              </a>
            </li>
          ))}
        </ul>
      </div>
      {!deploymentsUnsupported && (
        <div class="summary-group">
          <a class="summary-title" href={routeHref({ view: 'deployments' })}>
            {deployments.value ? `${summary.rollouts.total} rollouts` : 'Rollouts'}
          </a>
          <ul>
            {summary.rollouts.byState.map((s) => (
              <li key={s.state}>
                <a
                  class={`count ${stateTone(s.state)}`}
                  href={routeHref({ view: 'deployments' }, { state: s.state })}
                  data-summary-rollout={s.state}
                >
                  <strong>{s.count}</strong> {stateLabel(s.state).toLowerCase()}
                </a>
              </li>
            ))}
            {deployments.value && summary.rollouts.total === 0 && <li class="muted">none yet</li>}
          </ul>
        </div>
      )}
    </nav>
  );
}
