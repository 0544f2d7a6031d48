import {
  CLUSTER_PROFILE_API_VERSION,
  CLUSTER_PROFILE_CRD,
  CLUSTER_PROFILE_KIND,
  clusterProfileCrd,
  profileHealth,
  renderClusterProfile,
} from '../shared/cluster-profile.js';
import { canonicalHash } from '../shared/hash.js';
import {
  CLUSTER_MANAGER_LABEL,
  CLUSTER_MANAGER_NAME,
  INVENTORY_EXPORT_LABEL,
  INVENTORY_FIELD_MANAGER,
  type DesiredClusterProfile,
  type DesiredInventory,
} from '../shared/protocol/inventory.js';
import type { ClusterApi } from './kube/cluster-api.js';
import { KubeAlreadyExistsError, KubeUnknownKindError } from './kube/errors.js';
import type { AgentLog } from './log.js';

/**
 * Keeps the ClusterProfiles a receiving cluster holds (the desired state's `inventory` part): one
 * per member, in the namespace its export names, written with server-side apply as field manager
 * `tether-inventory` (the object, then its status subresource). Installs the ClusterProfile CRD
 * only where none exists, and never replaces one. Deletes the Tether profiles no export asks for
 * any more (found by their labels, in every namespace).
 *
 * Work is skipped while nothing changed: the profiles, the namespace set and each member's
 * staleness are hashed, and a pass with the same hash does nothing (so an idle agent makes no
 * Kubernetes calls for the inventory), except a resync every {@link RESYNC_MS} that repairs edits.
 */

/** Full re-apply interval, to repair hand edits of the profiles. */
export const RESYNC_MS = 10 * 60_000;

const CRD_REF = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: CLUSTER_PROFILE_CRD };
const OWNED_SELECTOR = `${CLUSTER_MANAGER_LABEL}=${CLUSTER_MANAGER_NAME},${INVENTORY_EXPORT_LABEL}`;

export interface ClusterProfileKeeperOptions {
  api: ClusterApi;
  log: AgentLog;
  now: () => number;
}

/** What one pass did. */
export interface InventoryPass {
  applied: number;
  deleted: number;
  /** The pass found nothing changed and made no call. */
  skipped: boolean;
}

export class ClusterProfileKeeper {
  private lastHash?: string;
  private lastFullMs = 0;
  private crdInstalled = false;

  constructor(private readonly options: ClusterProfileKeeperOptions) {}

  /**
   * One pass. `confirmedAt` is the time of the last successful poll: profiles not confirmed for
   * their validity window turn Unknown (shared/cluster-profile.ts). Errors are logged and the
   * pass is retried next cycle; they never stop the agent.
   */
  async run(inventory: DesiredInventory, confirmedAt: number): Promise<InventoryPass> {
    const now = this.options.now();
    const profiles = inventory.profiles;
    const stale = profiles.map((p) => profileHealth(p, confirmedAt, now).stale);
    const hash = canonicalHash({ profiles, stale });
    if (hash === this.lastHash && now - this.lastFullMs < RESYNC_MS) return { applied: 0, deleted: 0, skipped: true };
    try {
      const applied = profiles.length ? await this.applyAll(profiles, confirmedAt, now) : 0;
      const deleted = await this.prune(profiles);
      this.lastHash = hash;
      this.lastFullMs = now;
      if (applied || deleted) this.options.log.info('cluster inventory updated', { profiles: profiles.length, applied, deleted });
      return { applied, deleted, skipped: false };
    } catch (err) {
      this.options.log.warn('cannot keep the ClusterProfiles; will retry', { error: err });
      return { applied: 0, deleted: 0, skipped: false };
    }
  }

  /**
   * Detach: deletes every Tether ClusterProfile on the cluster. The CRD stays: other cluster
   * managers' profiles may live in it, and deleting a CRD deletes all of them.
   * @returns false when some could not be deleted yet (the detach is retried).
   */
  async removeAll(): Promise<boolean> {
    try {
      await this.prune([]);
      this.lastHash = undefined;
      return true;
    } catch (err) {
      this.options.log.warn('cannot delete the ClusterProfiles yet; will retry', { error: err });
      return false;
    }
  }

  private async applyAll(profiles: DesiredClusterProfile[], confirmedAt: number, now: number): Promise<number> {
    if (!(await this.ensureCrd())) throw new Error(`the CustomResourceDefinition ${CLUSTER_PROFILE_CRD} is not established yet`);
    const { api } = this.options;
    for (const ns of new Set(profiles.map((p) => p.namespace))) await this.ensureNamespace(ns);
    let applied = 0;
    for (const p of profiles) {
      const ref = { apiVersion: CLUSTER_PROFILE_API_VERSION, kind: CLUSTER_PROFILE_KIND, namespace: p.namespace, name: p.cluster };
      const live = await api.get(ref);
      const obj = renderClusterProfile(p, confirmedAt, now, live?.status);
      const { status, ...rest } = obj;
      const written = await api.apply(rest, { fieldManager: INVENTORY_FIELD_MANAGER, force: true });
      await api.applyStatus(
        { ...rest, metadata: { name: written.metadata.name, namespace: p.namespace }, status },
        { fieldManager: INVENTORY_FIELD_MANAGER, force: true },
      );
      applied++;
    }
    return applied;
  }

  /**
   * Installs the CRD when the cluster has none (create, never apply: an existing definition,
   * whoever installed it, stays as it is). True once the kind is served.
   */
  private async ensureCrd(): Promise<boolean> {
    const { api } = this.options;
    if (this.crdInstalled) return true;
    if (!(await api.get(CRD_REF))) {
      try {
        await api.create(clusterProfileCrd(), { fieldManager: INVENTORY_FIELD_MANAGER });
        this.options.log.info('installed the ClusterProfile CRD', { crd: CLUSTER_PROFILE_CRD });
      } catch (err) {
        if (!(err instanceof KubeAlreadyExistsError)) throw err;
      }
    }
    this.crdInstalled = await api.isCrdEstablished(CLUSTER_PROFILE_CRD);
    return this.crdInstalled;
  }

  private async ensureNamespace(name: string): Promise<void> {
    const { api } = this.options;
    if (await api.get({ apiVersion: 'v1', kind: 'Namespace', name })) return;
    try {
      await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, { fieldManager: INVENTORY_FIELD_MANAGER });
    } catch (err) {
      if (!(err instanceof KubeAlreadyExistsError)) throw err;
    }
  }

  /** Deletes Tether's profiles that no export asks for (members that left, exports deleted or moved). */
  private async prune(profiles: DesiredClusterProfile[]): Promise<number> {
    const { api } = this.options;
    let live;
    try {
      live = await api.list({ apiVersion: CLUSTER_PROFILE_API_VERSION, kind: CLUSTER_PROFILE_KIND, labelSelector: OWNED_SELECTOR });
    } catch (err) {
      // No CRD: no profiles to delete.
      if (err instanceof KubeUnknownKindError) return 0;
      throw err;
    }
    const wanted = new Set(profiles.map((p) => `${p.namespace}/${p.cluster}`));
    let deleted = 0;
    for (const obj of live) {
      if (wanted.has(`${obj.metadata.namespace}/${obj.metadata.name}`)) continue;
      const ref = {
        apiVersion: CLUSTER_PROFILE_API_VERSION,
        kind: CLUSTER_PROFILE_KIND,
        namespace: obj.metadata.namespace,
        name: obj.metadata.name,
      };
      if (await api.delete(ref)) deleted++;
    }
    return deleted;
  }
}
