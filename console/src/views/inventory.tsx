import { useMemo, useState } from 'preact/hooks';
import { apiPath, HubProblemError, listAll, type Fetched } from '../api.js';
import { Badge, ErrorText } from '../components/bits.js';
import { matchesText, type ClusterObject } from '../model/clusters.js';
import type { DeploymentObject } from '../model/deployments.js';
import { buildInventory, InventoryFilters, rowMatches, type InventoryCell, type InventoryFilter } from '../model/inventory.js';
import { routeHref } from '../model/route.js';
import { countOf } from '../model/words.js';
import { workTone, type WorkObject } from '../model/works.js';
import { scaledInterval, useNow, usePoll } from '../poll.js';
import { SelectorField, useSelector } from './selector-field.js';

/**
 * The fleet inventory: a matrix of clusters by deployment, each cell the state of that
 * deployment's work on that cluster. It needs one works list per cluster, so it refreshes less
 * often than the other views (every 15 s, or one second per cluster for bigger fleets) and only
 * while it is shown.
 */

/** At least 15 s between refreshes, and about one works list per second on average. */
const INVENTORY_POLL_MS = 15_000;
/** Concurrent per-cluster works requests. */
const PARALLEL = 6;

interface InventoryData {
  clusters: ClusterObject[];
  deployments: DeploymentObject[];
  works: Record<string, WorkObject[]>;
}

async function orEmpty<T>(load: Promise<Fetched<T[]>>): Promise<Fetched<T[]>> {
  try {
    return await load;
  } catch (err) {
    // A hub without the kind (404) has none of it; anything else is a real failure.
    if (err instanceof HubProblemError && err.problem.status === 404) return { value: [], changed: false };
    throw err;
  }
}

async function loadInventory(): Promise<Fetched<InventoryData>> {
  const [clusters, deployments] = await Promise.all([
    listAll<ClusterObject>('/v1/clusters'),
    orEmpty(listAll<DeploymentObject>('/v1/fleetdeployments')),
  ]);
  let changed = clusters.changed || deployments.changed;
  const works: Record<string, WorkObject[]> = {};
  const queue = clusters.value.map((c) => c.metadata.name);
  const worker = async () => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      const page = await orEmpty(listAll<WorkObject>(apiPath('clusters', name, 'works')));
      changed ||= page.changed;
      works[name] = page.value;
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  return { value: { clusters: clusters.value, deployments: deployments.value, works }, changed };
}

const FILTER_LABELS: Record<InventoryFilter, string> = {
  all: 'All clusters',
  problems: 'Failed, degraded or outdated',
  missing: 'Not deployed everywhere',
};

function Cell({ cell }: { cell?: InventoryCell }) {
  if (!cell)
    return (
      <span class="muted" title="not deployed here">
        —
      </span>
    );
  return (
    <Badge
      tone={cell.outdated ? 'warn' : workTone(cell.state)}
      title={`work ${cell.work}${cell.revision ? `, revision ${cell.revision}` : ''}`}
    >
      {cell.state}
      {cell.outdated ? ` (rev ${cell.revision})` : ''}
    </Badge>
  );
}

export function InventoryView() {
  const data = usePoll('inventory', loadInventory, (v) => Math.max(INVENTORY_POLL_MS, scaledInterval(v?.clusters.length ?? 0, 1000)));
  const now = useNow();
  const selector = useSelector();
  const [text, setText] = useState('');
  const [column, setColumn] = useState('');
  const [filter, setFilter] = useState<InventoryFilter>('all');

  const inventory = useMemo(
    () => (data.value ? buildInventory(data.value.clusters, data.value.deployments, data.value.works) : undefined),
    [data.value],
  );
  const columns = inventory ? inventory.columns.filter((c) => !column || c.key === column) : [];
  const rows = inventory
    ? inventory.rows.filter(
        (r) =>
          (selector.compiled.ok ? selector.compiled.matches(r.cluster.metadata.labels) : true) &&
          matchesText(r.cluster, text, now) &&
          rowMatches(r, columns, filter),
      )
    : [];

  return (
    <section aria-labelledby="inventory-title">
      <div class="view-head">
        <h1 id="inventory-title" tabIndex={-1}>
          Fleet inventory
        </h1>
      </div>
      <ErrorText message={data.error} />
      <div class="toolbar" role="search" aria-label="Filter the inventory">
        <SelectorField id="inventory-selector" state={selector} label="Clusters (label selector)" />
        <div class="field">
          <label for="inventory-text">Search clusters</label>
          <input id="inventory-text" type="search" value={text} onInput={(e) => setText((e.target as HTMLInputElement).value)} />
        </div>
        <div class="field">
          <label for="inventory-column">Deployment</label>
          <select id="inventory-column" value={column} onChange={(e) => setColumn((e.target as HTMLSelectElement).value)}>
            <option value="">All deployments</option>
            {inventory?.columns.map((c) => (
              <option key={c.key} value={c.key}>
                {c.source === 'work' ? `work ${c.label}` : c.label}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="inventory-filter">Show</label>
          <select
            id="inventory-filter"
            value={filter}
            onChange={(e) => setFilter((e.target as HTMLSelectElement).value as InventoryFilter)}
          >
            {InventoryFilters.map((f) => (
              <option key={f} value={f}>
                {FILTER_LABELS[f]}
              </option>
            ))}
          </select>
        </div>
      </div>
      {!inventory && !data.error && <p class="muted">Loading the inventory…</p>}
      {inventory && inventory.columns.length === 0 && <p class="muted">Nothing is deployed yet.</p>}
      {inventory && inventory.columns.length > 0 && (
        <div class="matrix-wrap" tabIndex={0} aria-label="inventory matrix (scrolls)">
          <table class="data matrix">
            <caption>
              {rows.length} of {countOf(inventory.rows.length, 'cluster')} × {countOf(columns.length, 'deployment')}
            </caption>
            <thead>
              <tr>
                <th scope="col">Cluster</th>
                {columns.map((c) => (
                  <th scope="col" key={c.key}>
                    {c.source === 'work' ? <span class="detail">work </span> : null}
                    {c.label}
                    {c.revision ? <span class="detail"> rev {c.revision}</span> : null}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.cluster.metadata.name}>
                  <th scope="row">
                    <a href={routeHref({ view: 'cluster', name: r.cluster.metadata.name })}>{r.cluster.metadata.name}</a>
                  </th>
                  {columns.map((c) => (
                    <td key={c.key}>
                      <Cell cell={r.cells[c.key]} />
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
