import type { ClusterObject } from './clusters.js';
import type { DeploymentObject } from './deployments.js';
import { FLEETDEPLOYMENT_LABEL, workState, type WorkObject, type WorkState } from './works.js';

/**
 * The fleet inventory: what is deployed where. One row per cluster, one column per
 * FleetDeployment (its Works carry `tether.dev/fleetdeployment=<name>`) and per stand-alone Work
 * name; each cell is the state of that work on that cluster.
 */

/** Annotation on a FleetDeployment's Work: the revision it renders. */
export const REVISION_ANNOTATION = 'tether.dev/revision';

/** A column: a FleetDeployment, or a stand-alone work name. */
export interface InventoryColumn {
  key: string;
  label: string;
  source: 'deployment' | 'work';
  /** The deployment's current revision, to spot clusters still on an older one. */
  revision?: number;
}

/** One cell: the work's state, and for deployments whether it is behind the current revision. */
export interface InventoryCell {
  state: WorkState;
  work: string;
  revision?: number;
  outdated: boolean;
}

export interface InventoryRow {
  cluster: ClusterObject;
  cells: Record<string, InventoryCell>;
}

export interface Inventory {
  columns: InventoryColumn[];
  rows: InventoryRow[];
}

/** Builds the matrix; clusters and columns come out sorted by name. */
export function buildInventory(
  clusters: ClusterObject[],
  deployments: DeploymentObject[],
  worksByCluster: Record<string, WorkObject[]>,
): Inventory {
  const columns = new Map<string, InventoryColumn>();
  for (const d of deployments) {
    columns.set(`fd:${d.metadata.name}`, {
      key: `fd:${d.metadata.name}`,
      label: d.metadata.name,
      source: 'deployment',
      revision: d.status?.revision,
    });
  }
  const rows: InventoryRow[] = [];
  for (const cluster of [...clusters].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))) {
    const cells: Record<string, InventoryCell> = {};
    for (const w of worksByCluster[cluster.metadata.name] ?? []) {
      const fd = w.metadata.labels?.[FLEETDEPLOYMENT_LABEL];
      const key = fd ? `fd:${fd}` : `work:${w.metadata.name}`;
      if (!columns.has(key)) columns.set(key, { key, label: fd ?? w.metadata.name, source: fd ? 'deployment' : 'work' });
      const rev = Number(w.metadata.annotations?.[REVISION_ANNOTATION]);
      const revision = Number.isFinite(rev) && rev > 0 ? rev : undefined;
      const current = columns.get(key)?.revision;
      cells[key] = {
        state: workState(w),
        work: w.metadata.name,
        revision,
        outdated: revision !== undefined && current !== undefined && revision < current,
      };
    }
    rows.push({ cluster, cells });
  }
  const sorted = [...columns.values()].sort((a, b) =>
    a.source === b.source ? a.label.localeCompare(b.label) : a.source === 'deployment' ? -1 : 1,
  );
  return { columns: sorted, rows };
}

/** Status filters of the inventory. */
export const InventoryFilters = ['all', 'problems', 'missing'] as const;
export type InventoryFilter = (typeof InventoryFilters)[number];

/** Is this cell a problem (failed, degraded, or behind the current revision)? */
export function isProblem(cell: InventoryCell | undefined): boolean {
  return cell !== undefined && (cell.state === 'Failed' || cell.state === 'Degraded' || cell.outdated);
}

/** Does a row pass the status filter, looking only at the given columns? */
export function rowMatches(row: InventoryRow, columns: InventoryColumn[], filter: InventoryFilter): boolean {
  if (filter === 'all') return true;
  if (filter === 'problems') return columns.some((c) => isProblem(row.cells[c.key]));
  return columns.some((c) => row.cells[c.key] === undefined);
}
