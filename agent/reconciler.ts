import { canonicalHash } from '../shared/hash.js';
import type { DesiredWork, DriftEvent, WorkStatusReport } from '../shared/protocol/v1.js';
import { applyClass, orderForApply, orderForDelete, waitForCrds } from './kube/apply-order.js';
import { TETHER_FIELD_MANAGER, type ClusterApi, type ResourceInfo } from './kube/cluster-api.js';
import { isBuiltinApiVersion } from './kube/kinds.js';
import { describeRef, splitApiVersion, type KubeObject } from './kube/types.js';
import { entryRef, InventoryStore, objectKey, type Inventory, type InventoryEntry } from './inventory.js';
import type { AgentLog } from './log.js';
import { isKubeObject, processManifest, type ApplierContext, type ManifestStatus } from './manifest-applier.js';
import { ManifestConditions, withConditions, type ConditionInput } from './manifest-status.js';
import { isOrphaned, parseWorkConfig, type DeleteOption } from './work-config.js';

/**
 * Makes the cluster match the desired works: applies each work's manifests in dependency order,
 * records what it applied in the work's inventory, prunes what a work no longer contains, deletes
 * works that disappeared, corrects drift, and reports per-manifest and per-work status. One failing
 * manifest never stops the others; a cluster error never deletes anything.
 */

/** What the desired state still wants: object keys and namespaces with objects in them. */
interface Wanted {
  keys: Set<string>;
  namespaces: Set<string>;
}

/** Options of {@link Reconciler}. */
export interface ReconcilerOptions {
  api: ClusterApi;
  /** The agent's namespace, where inventories live. */
  namespace: string;
  log: AgentLog;
  now?: () => number;
  /** How long to wait for a work's CRDs to become Established before applying its custom resources. Default 30 s. */
  crdWaitMs?: number;
  /** Called with the duration of every apply or create, in seconds. */
  observeWrite?: (seconds: number) => void;
}

/** The outcome of one pass. */
export interface ReconcileResult {
  works: WorkStatusReport[];
  driftEvents: DriftEvent[];
  /** Objects written (applied or created) in this pass. */
  writes: number;
  /** Objects deleted (pruned or of removed works) in this pass. */
  deletions: number;
}

/** Reconciles desired works against one cluster. Keeps the inventories in memory between passes. */
export class Reconciler {
  private inventories?: Map<string, Inventory>;
  /** Hash of each inventory as last written, to skip writes that change nothing. */
  private readonly written = new Map<string, string>();
  private readonly store: InventoryStore;
  private readonly now: () => number;

  constructor(private readonly options: ReconcilerOptions) {
    this.store = new InventoryStore(options.api, options.namespace, options.log);
    this.now = options.now ?? Date.now;
  }

  /**
   * One pass over every desired work, then removal of works no longer desired.
   * @param previous the last reported status of each work, so that condition transition times stay put.
   * @param signal aborts waiting for CRDs (the pass still finishes).
   */
  async reconcile(
    works: readonly DesiredWork[],
    previous: ReadonlyMap<string, WorkStatusReport> = new Map(),
    signal?: AbortSignal,
  ): Promise<ReconcileResult> {
    const inventories = await this.loadInventories();
    const result: ReconcileResult = { works: [], driftEvents: [], writes: 0, deletions: 0 };
    const desired: Wanted = { keys: new Set(), namespaces: new Set() };
    for (const w of works) {
      for (const m of w.manifests) {
        if (!isKubeObject(m)) continue;
        for (const k of keysOf(m)) desired.keys.add(k);
        if (m.metadata.namespace) desired.namespaces.add(m.metadata.namespace);
      }
    }
    const discovered = new Map<string, ResourceInfo>();
    const ctx: ApplierContext = {
      api: this.options.api,
      fieldManager: TETHER_FIELD_MANAGER,
      now: this.now,
      observeWrite: this.options.observeWrite,
      discover: async (apiVersion, kind) => {
        const key = `${apiVersion}|${kind}`;
        const hit = discovered.get(key);
        if (hit) return hit;
        const info = await this.options.api.discover(apiVersion, kind);
        // Only hits are cached: a CRD applied earlier in this pass makes its kind appear.
        if (info) discovered.set(key, info);
        return info;
      },
    };
    for (const work of works) {
      const report = await this.reconcileWork(ctx, work, inventories.get(work.name), previous.get(work.name), desired, result, signal);
      result.works.push(report);
    }
    const wanted = new Set(works.map((w) => w.name));
    for (const [name, inv] of [...inventories]) {
      if (wanted.has(name)) continue;
      this.options.log.info('removing a work that is no longer desired', { work: name, objects: inv.entries.length });
      result.deletions += await this.deleteWork(inv, desired);
    }
    return result;
  }

  /**
   * Removes every object of every work (honouring each work's delete option) and the inventories,
   * for detach. Objects that could not be deleted stay in their inventory.
   * @returns how many objects are left to delete (0 when done).
   */
  async removeAll(): Promise<number> {
    const inventories = await this.loadInventories();
    let left = 0;
    for (const inv of [...inventories.values()]) {
      await this.deleteWork(inv, { keys: new Set(), namespaces: new Set() });
      left += inventories.get(inv.work)?.entries.length ?? 0;
    }
    return left;
  }

  /** The names of the works with an inventory. */
  async inventoryWorks(): Promise<string[]> {
    return [...(await this.loadInventories()).keys()];
  }

  private async loadInventories(): Promise<Map<string, Inventory>> {
    if (!this.inventories) {
      this.inventories = await this.store.loadAll();
      for (const inv of this.inventories.values()) this.written.set(inv.work, canonicalHash(inv));
    }
    return this.inventories;
  }

  private async reconcileWork(
    ctx: ApplierContext,
    work: DesiredWork,
    inventory: Inventory | undefined,
    previous: WorkStatusReport | undefined,
    desired: Wanted,
    result: ReconcileResult,
    signal: AbortSignal | undefined,
  ): Promise<WorkStatusReport> {
    const log = this.options.log;
    const config = parseWorkConfig(work.manifestConfigs, work.deleteOption);
    for (const p of config.problems) log.warn('work configuration problem', { work: work.name, problem: p });
    const valid = work.manifests.filter(isKubeObject);
    const invalid = work.manifests.filter((m) => !isKubeObject(m));
    const ordered = orderForApply(valid);
    const crdNames = valid
      .filter((m) => m.kind === 'CustomResourceDefinition' && splitApiVersion(m.apiVersion).group === 'apiextensions.k8s.io')
      .map((m) => m.metadata.name);
    const previousEntries = new Map((inventory?.entries ?? []).map((e) => [objectKey(e), e]));
    const entries: InventoryEntry[] = [];
    const statuses: ManifestStatus[] = [];
    let allOk = true;
    let waitedForCrds = false;

    for (const manifest of [...ordered, ...invalid]) {
      if (
        !waitedForCrds &&
        crdNames.length > 0 &&
        isKubeObject(manifest) &&
        applyClass(manifest) > 1 &&
        !isBuiltinApiVersion(manifest.apiVersion)
      ) {
        waitedForCrds = true;
        try {
          await waitForCrds(this.options.api, crdNames, { timeoutMs: this.options.crdWaitMs ?? 30_000, intervalMs: 200, signal });
        } catch (err) {
          log.warn('CRDs of a work are not established yet; its custom resources will be retried', {
            work: work.name,
            crds: crdNames,
            error: err,
          });
        }
      }
      const prevEntry = isKubeObject(manifest)
        ? keysOf(manifest)
            .map((k) => previousEntries.get(k))
            .find(Boolean)
        : undefined;
      const prevStatus = isKubeObject(manifest) ? previous?.manifests.find((s) => sameObject(s, manifest)) : undefined;
      const outcome = await processManifest(ctx, {
        work: work.name,
        manifest,
        configs: config.configs,
        previous: prevEntry,
        previousConditions: prevStatus?.conditions,
      });
      if (outcome.entry && !entries.some((e) => objectKey(e) === objectKey(outcome.entry!))) entries.push(outcome.entry);
      if (outcome.drift) result.driftEvents.push(outcome.drift);
      if (outcome.wrote) result.writes++;
      allOk &&= outcome.ok;
      statuses.push(outcome.status);
    }

    // Prune: what the work applied before and no longer contains.
    const kept = new Set(entries.map(objectKey));
    const gone = (inventory?.entries ?? []).filter((e) => !kept.has(objectKey(e)));
    const pruned = await this.deleteEntries(gone, config.deleteOption, desired, work.name);
    result.deletions += pruned.deleted;
    entries.push(...pruned.failed);

    const next: Inventory = {
      work: work.name,
      uid: work.uid,
      generation: work.generation,
      appliedHash: canonicalHash({
        manifests: work.manifests,
        manifestConfigs: work.manifestConfigs,
        deleteOption: work.deleteOption ?? null,
      }),
      deleteOption: config.deleteOption,
      entries,
    };
    await this.saveInventory(next);
    return this.workReport(work, statuses, previous, config.problems, allOk);
  }

  /** Deletes a removed work's objects, then its inventory; returns how many objects were deleted. */
  private async deleteWork(inv: Inventory, desired: Wanted): Promise<number> {
    const { deleted, failed } = await this.deleteEntries(inv.entries, inv.deleteOption, desired, inv.work);
    if (failed.length === 0) {
      try {
        await this.store.remove(inv.work);
        this.inventories?.delete(inv.work);
        this.written.delete(inv.work);
      } catch (err) {
        this.options.log.warn('could not remove an inventory; will retry', { work: inv.work, error: err });
      }
    } else {
      await this.saveInventory({ ...inv, entries: failed });
    }
    return deleted;
  }

  /**
   * Deletes recorded objects, namespaces last. A Namespace stays when something that stays lives
   * in it (an orphaned object, an object the agent did not create, one another work still wants):
   * deleting it would delete those too.
   * @returns how many were deleted, and the entries to keep for a retry.
   */
  private async deleteEntries(
    entries: InventoryEntry[],
    option: DeleteOption,
    desired: Wanted,
    work: string,
  ): Promise<{ deleted: number; failed: InventoryEntry[] }> {
    const inUse = new Set(desired.namespaces);
    const failed: InventoryEntry[] = [];
    let deleted = 0;
    for (const e of orderForDelete(entries)) {
      if (e.kind === 'Namespace' && e.apiVersion === 'v1' && inUse.has(e.name)) {
        this.options.log.info('leaving a namespace that still holds objects which stay', { work, namespace: e.name });
        continue;
      }
      const outcome = await this.deleteEntry(e, option, desired.keys, work);
      if (outcome === 'deleted') deleted++;
      if (outcome === 'failed') failed.push(e);
      if (outcome !== 'deleted' && e.namespace) inUse.add(e.namespace);
    }
    return { deleted, failed };
  }

  /** Deletes one recorded object if the agent may: it created it, it is not orphaned, and no other work wants it. */
  private async deleteEntry(
    e: InventoryEntry,
    option: DeleteOption,
    desiredKeys: Set<string>,
    work: string,
  ): Promise<'deleted' | 'kept' | 'failed'> {
    const ref = entryRef(e);
    const log = this.options.log;
    if (desiredKeys.has(objectKey(e))) return 'kept';
    if (!e.created || e.strategy === 'ReadOnly') {
      log.info('leaving an object the agent did not create', { work, object: describeRef(ref) });
      return 'kept';
    }
    const { group } = splitApiVersion(e.apiVersion);
    if (isOrphaned(option, { group, resource: e.resource ?? '', namespace: e.namespace ?? '', name: e.name })) {
      log.info("orphaning an object as the work's delete option asks", {
        work,
        object: describeRef(ref),
        policy: option.propagationPolicy,
      });
      return 'kept';
    }
    try {
      const existed = await this.options.api.delete(ref, {
        propagationPolicy: option.propagationPolicy === 'Foreground' ? 'Foreground' : 'Background',
      });
      log.info('deleted an object removed from its work', { work, object: describeRef(ref), existed });
      return existed ? 'deleted' : 'kept';
    } catch (err) {
      log.warn('could not delete an object; will retry', { work, object: describeRef(ref), error: err });
      return 'failed';
    }
  }

  private async saveInventory(inv: Inventory): Promise<void> {
    this.inventories?.set(inv.work, inv);
    const hash = canonicalHash(inv);
    if (this.written.get(inv.work) === hash) return;
    try {
      await this.store.save(inv);
      this.written.set(inv.work, hash);
    } catch (err) {
      // The in-memory inventory stays right; the write is retried on the next pass.
      this.options.log.warn('could not write an inventory; will retry', { work: inv.work, error: err });
    }
  }

  private workReport(
    work: DesiredWork,
    manifests: ManifestStatus[],
    previous: WorkStatusReport | undefined,
    problems: string[],
    allOk: boolean,
  ): WorkStatusReport {
    const count = (type: string, status: string) =>
      manifests.filter((m) => m.conditions.some((c) => c.type === type && c.status === status)).length;
    const firstMessage = (type: string, status: string) =>
      manifests.flatMap((m) =>
        m.conditions.filter((c) => c.type === type && c.status === status).map((c) => `${m.kind} ${m.name}: ${c.message}`),
      )[0];
    const n = manifests.length;
    const applied = count(ManifestConditions.Applied, 'True');
    const available = count(ManifestConditions.Available, 'True');
    const degraded = count(ManifestConditions.Degraded, 'True');
    const gen = { observedGeneration: work.generation };
    const list: ConditionInput[] = [
      applied === n && problems.length === 0
        ? {
            type: ManifestConditions.Applied,
            status: 'True',
            reason: 'AppliedManifestsComplete',
            message: `all ${n} manifests applied`,
            ...gen,
          }
        : {
            type: ManifestConditions.Applied,
            status: 'False',
            reason: 'AppliedManifestsFailed',
            message: [`${applied} of ${n} manifests applied`, firstMessage(ManifestConditions.Applied, 'False'), ...problems]
              .filter(Boolean)
              .join('; '),
            ...gen,
          },
      available === n
        ? {
            type: ManifestConditions.Available,
            status: 'True',
            reason: 'ResourcesAvailable',
            message: `all ${n} resources available`,
            ...gen,
          }
        : {
            type: ManifestConditions.Available,
            status: 'False',
            reason: 'ResourcesNotAvailable',
            message: [`${available} of ${n} resources available`, firstMessage(ManifestConditions.Available, 'False')]
              .filter(Boolean)
              .join('; '),
            ...gen,
          },
      degraded === 0 && allOk
        ? { type: ManifestConditions.Degraded, status: 'False', reason: 'AsExpected', message: 'no problem detected', ...gen }
        : {
            type: ManifestConditions.Degraded,
            status: degraded > 0 ? 'True' : 'False',
            reason: degraded > 0 ? 'ResourcesDegraded' : 'AsExpected',
            message:
              degraded > 0
                ? `${degraded} of ${n} resources degraded; ${firstMessage(ManifestConditions.Degraded, 'True')}`
                : 'no problem detected',
            ...gen,
          },
    ];
    return {
      name: work.name,
      observedGeneration: work.generation,
      conditions: withConditions(previous?.conditions, list, new Date(this.now()).toISOString()),
      manifests: manifests.slice(0, 1000),
    };
  }
}

/**
 * Identity keys of a manifest. Without a namespace it is either cluster-scoped or lands in `default`
 * (which only discovery can tell), so both keys name it.
 */
function keysOf(m: KubeObject): string[] {
  const ref = { apiVersion: m.apiVersion, kind: m.kind, name: m.metadata.name };
  if (m.metadata.namespace) return [objectKey({ ...ref, namespace: m.metadata.namespace })];
  return [objectKey(ref), objectKey({ ...ref, namespace: 'default' })];
}

function sameObject(s: ManifestStatus | WorkStatusReport['manifests'][number], m: KubeObject): boolean {
  if (s.kind !== m.kind || s.name !== m.metadata.name) return false;
  return m.metadata.namespace ? s.namespace === m.metadata.namespace : s.namespace === undefined || s.namespace === 'default';
}
