import { ValidationError } from '../../shared/errors.js';
import { matchesSelector, parseSelector, type LabelSelector } from '../../shared/labels.js';
import type {
  ApplyOptions,
  ClusterApi,
  CreateOptions,
  DeleteOptions,
  ListQuery,
  MergePatchOptions,
  PropagationPolicy,
  ResourceInfo,
  ServerVersion,
} from './cluster-api.js';
import { KubeAlreadyExistsError, KubeForbiddenError, KubeInvalidError, KubeNotFoundError, KubeUnknownKindError } from './errors.js';
import { matchesFieldTerms, parseFieldSelector } from './field-selector.js';
import { isPlainObject, jsonCopy, jsonEqual } from './json.js';
import { applyMergePatch } from './merge-patch.js';
import { builtinKind, kindKey, type KindInfo } from './kinds.js';
import { CONTROLLER_MANAGER, simulatedStatus } from './memory-controllers.js';
import { APISERVER_MANAGER, crdGroupKind, establishedStatus, kindsOfCrd } from './memory-crds.js';
import {
  distributionKind,
  distributionObjects,
  gitVersionOf,
  isoSeconds,
  namespaceObject,
  newUid,
  nodeObjects,
  stableUid,
  type KubeDistribution,
  type NodeSpec,
} from './memory-seed.js';
import { FaultPlan, type CallMatcher, type ClusterCall, type ClusterVerb } from './memory-faults.js';
import { ObjectStore } from './memory-store.js';
import { validateObject } from './memory-validation.js';
import { recordUpdate, sameExceptTimes, serverSideApply } from './server-side-apply.js';
import { conditionOf, describeRef, refOf, withoutServerFields, type KubeObject, type ObjectRef } from './types.js';

export type { KubeDistribution, NodeSpec } from './memory-seed.js';
export type { CallMatcher, ClusterCall, ClusterVerb } from './memory-faults.js';

/** How a new in-memory cluster looks. Every field is optional; one options object may be shared by many clusters. */
export interface MemoryClusterOptions {
  /** Names the cluster: the kube-system UID (the cluster ID) is derived from it, so it is stable across restarts. */
  name?: string;
  /** The kube-system namespace UID; overrides the one derived from `name` (default: random). */
  kubeSystemUid?: string;
  /** Kubernetes version, default `v1.33.1`; the distribution adds its suffix to `gitVersion`. */
  version?: string;
  /** Which distribution's fingerprints to show (version suffix, node provider IDs and labels). Default `generic`. */
  distribution?: KubeDistribution;
  nodes?: NodeSpec;
  /** How long after a CRD is written it becomes Established. Default 0: on the next timer tick, never synchronously. */
  crdEstablishDelayMs?: number;
  /** Whether the simulated controllers write workload status. Default true. */
  simulateControllers?: boolean;
  /** Clock, epoch milliseconds. Default `Date.now`. */
  now?: () => number;
}

/** The field manager out-of-band edits ({@link MemoryCluster.mutate}) are recorded under. */
export const OUT_OF_BAND_MANAGER = 'kubectl-edit';

const DEFAULT_VERSION = 'v1.33.1';
const DEFAULT_NODES: Required<NodeSpec> = { count: 1, cpu: '4', memory: '16Gi', pods: '110' };
const PROTECTED_NAMESPACES: ReadonlySet<string> = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease']);
const NAMESPACE = builtinKind('v1', 'Namespace')!;
const NODE = builtinKind('v1', 'Node')!;
const CRD = builtinKind('apiextensions.k8s.io/v1', 'CustomResourceDefinition')!;

/**
 * A Kubernetes API server in memory, implementing {@link ClusterApi} with the semantics the agent
 * relies on: server-side apply with field ownership and conflicts, resourceVersion and generation,
 * namespaces, CRDs that become Established asynchronously, garbage collection by ownerReferences,
 * and simulated controllers that report workloads healthy. Used by unit tests, `tether agent
 * --simulate` and the fleet simulator (thousands per process: an empty cluster costs a few KB).
 *
 * Stored objects are never modified in place: every write stores a new object, and every object
 * in or out is a deep copy.
 *
 * @example
 * const cluster = new MemoryCluster({ name: 'store-0042', distribution: 'k3s', nodes: { count: 3 } });
 * await cluster.apply(namespace, { fieldManager: 'tether-agent', force: false });
 */
export class MemoryCluster implements ClusterApi {
  private readonly store = new ObjectStore();
  private revision = 0;
  private crdKinds?: Map<string, KindInfo>;
  private timers?: Set<ReturnType<typeof setTimeout>>;
  private faults?: FaultPlan;

  constructor(private readonly options: MemoryClusterOptions = {}) {
    const created = this.timestamp();
    const kubeSystemUid = options.kubeSystemUid ?? (options.name ? stableUid(`tether/kube-system/${options.name}`) : newUid());
    this.store.put(NAMESPACE, namespaceObject('default', newUid(), this.nextVersion(), created));
    this.store.put(NAMESPACE, namespaceObject('kube-system', kubeSystemUid, this.nextVersion(), created));
    // The other namespaces every real cluster starts with.
    this.store.put(NAMESPACE, namespaceObject('kube-public', newUid(), this.nextVersion(), created));
    this.store.put(NAMESPACE, namespaceObject('kube-node-lease', newUid(), this.nextVersion(), created));
    const nodes = { ...DEFAULT_NODES, ...options.nodes };
    const gitVersion = gitVersionOf(options.version ?? DEFAULT_VERSION, options.distribution ?? 'generic');
    const distribution = options.distribution ?? 'generic';
    for (const node of nodeObjects(nodes, distribution, gitVersion, created, () => this.nextVersion(), newUid)) this.store.put(NODE, node);
    for (const [info, obj] of distributionObjects(
      distribution,
      stableUid(`tether/cluster-id/${kubeSystemUid}`),
      () => this.nextVersion(),
      created,
    )) {
      this.store.put(info, obj);
    }
  }

  async apply(obj: KubeObject, options: ApplyOptions): Promise<KubeObject> {
    const info = this.begin('apply', obj);
    const config = this.normalize(obj, info);
    const live = this.lookup(info, config.metadata.namespace, config.metadata.name);
    const merged = serverSideApply({
      live,
      config,
      manager: options.fieldManager,
      force: options.force,
      keyedLists: info.keyedLists,
      now: this.timestamp(),
      target: describeRef(refOf(config)),
    });
    return this.commit(info, live, merged, options.dryRun === true);
  }

  /**
   * As the API server's status subresource with an apply patch: the object must exist; the status
   * fields given replace those this manager set before (top-level status fields it no longer sends
   * are removed when no other manager wrote them), and the write is recorded under the manager for
   * the `status` subresource. Nothing else of the object changes.
   */
  async applyStatus(obj: KubeObject, options: ApplyOptions): Promise<KubeObject> {
    const info = this.begin('apply', obj);
    const namespace = info.namespaced ? (obj.metadata?.namespace ?? 'default') : undefined;
    const live = this.lookup(info, namespace, obj.metadata?.name);
    if (!live) throw new KubeNotFoundError(`${describeRef(refOf(obj))} not found`, describeRef(refOf(obj)));
    const given = isPlainObject(obj.status) ? jsonCopy(obj.status) : {};
    const previous = isPlainObject(live.status) ? live.status : {};
    const mine = new Set(statusFieldsOf(live, options.fieldManager));
    const status: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(previous)) if (!mine.has(k) || k in given) status[k] = v;
    Object.assign(status, given);
    if (jsonEqual(previous, status)) return jsonCopy(live);
    const next: KubeObject = { ...jsonCopy(live), status };
    recordUpdate({
      before: live,
      after: next,
      manager: options.fieldManager,
      apiVersion: obj.apiVersion,
      scope: 'status',
      subresource: 'status',
      keyedLists: info.keyedLists,
      now: this.timestamp(),
    });
    if (options.dryRun) return jsonCopy(next);
    this.write(info, next);
    return jsonCopy(next);
  }

  async create(obj: KubeObject, options: CreateOptions): Promise<KubeObject> {
    const info = this.begin('create', obj);
    const config = this.normalize(obj, info);
    if (this.lookup(info, config.metadata.namespace, config.metadata.name)) throw new KubeAlreadyExistsError(describeRef(refOf(config)));
    recordUpdate({
      before: undefined,
      after: config,
      manager: options.fieldManager,
      apiVersion: config.apiVersion,
      scope: 'main',
      keyedLists: info.keyedLists,
      now: this.timestamp(),
    });
    return this.commit(info, undefined, config, options.dryRun === true);
  }

  async mergePatch(ref: ObjectRef, patch: Record<string, unknown>, options: MergePatchOptions): Promise<KubeObject> {
    this.checkFailure({ verb: 'mergePatch', ...ref });
    const info = this.kindOf(ref.apiVersion, ref.kind);
    if (!info) throw new KubeUnknownKindError(ref.apiVersion, ref.kind);
    const live = this.lookup(info, info.namespaced ? (ref.namespace ?? 'default') : undefined, ref.name);
    if (!live) throw new KubeNotFoundError(`${describeRef(ref)} not found`, describeRef(ref));
    // As the API server: status goes through its subresource, and identity and system metadata stay.
    const body = jsonCopy(patch);
    delete body.status;
    const next = applyMergePatch(live, body) as KubeObject;
    next.apiVersion = live.apiVersion;
    next.kind = live.kind;
    next.metadata = { ...(isPlainObject(next.metadata) ? next.metadata : {}), name: live.metadata.name };
    if (live.metadata.namespace) next.metadata.namespace = live.metadata.namespace;
    next.metadata.managedFields = live.metadata.managedFields;
    if (live.status !== undefined) next.status = jsonCopy(live.status);
    recordUpdate({
      before: live,
      after: next,
      manager: options.fieldManager,
      apiVersion: ref.apiVersion,
      scope: 'main',
      keyedLists: info.keyedLists,
      now: this.timestamp(),
    });
    return this.commit(info, live, next, false);
  }

  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    this.checkFailure({ verb: 'get', ...ref });
    const info = this.kindOf(ref.apiVersion, ref.kind);
    const obj = info && this.lookup(info, info.namespaced ? (ref.namespace ?? 'default') : undefined, ref.name);
    return obj && this.copyOut(obj, ref.apiVersion);
  }

  async list(query: ListQuery): Promise<KubeObject[]> {
    this.checkFailure({ verb: 'list', apiVersion: query.apiVersion, kind: query.kind, namespace: query.namespace });
    const info = this.kindOf(query.apiVersion, query.kind);
    if (!info) throw new KubeUnknownKindError(query.apiVersion, query.kind);
    const selector = selectorOf(query.labelSelector);
    const fields = query.fieldSelector ? parseFieldSelector(query.fieldSelector, info.kind) : [];
    const out: KubeObject[] = [];
    for (const obj of this.store.ofKind(info.group, info.kind)) {
      if (info.namespaced && query.namespace && obj.metadata.namespace !== query.namespace) continue;
      if (!matchesSelector(selector, obj.metadata.labels)) continue;
      if (!matchesFieldTerms(fields, obj)) continue;
      out.push(this.copyOut(obj, query.apiVersion));
    }
    return out;
  }

  async delete(ref: ObjectRef, options: DeleteOptions = {}): Promise<boolean> {
    this.checkFailure({ verb: 'delete', ...ref });
    const info = this.kindOf(ref.apiVersion, ref.kind);
    if (!info) return false;
    if (info === NAMESPACE && PROTECTED_NAMESPACES.has(ref.name)) {
      throw new KubeForbiddenError(`namespaces "${ref.name}" is forbidden: this namespace may not be deleted`);
    }
    const obj = this.lookup(info, info.namespaced ? (ref.namespace ?? 'default') : undefined, ref.name);
    if (!obj) return false;
    this.removeObject(info, obj, options.propagationPolicy ?? 'Background');
    return true;
  }

  async discover(apiVersion: string, kind: string): Promise<ResourceInfo | undefined> {
    this.checkFailure({ verb: 'discover', apiVersion, kind });
    const info = this.kindOf(apiVersion, kind);
    return info && { namespaced: info.namespaced, plural: info.plural };
  }

  async isCrdEstablished(name: string): Promise<boolean> {
    this.checkFailure({ verb: 'isCrdEstablished', name });
    return conditionOf(this.lookup(CRD, undefined, name), 'Established')?.status === 'True';
  }

  async serverVersion(): Promise<ServerVersion> {
    this.checkFailure({ verb: 'serverVersion' });
    const version = this.options.version ?? DEFAULT_VERSION;
    const [major, minor] = version.replace(/^v/, '').split('.');
    return { gitVersion: gitVersionOf(version, this.options.distribution ?? 'generic'), platform: 'linux/amd64', major, minor };
  }

  /**
   * Test hook: the next `times` calls matching `matcher` fail with `error` (or what the factory returns).
   * @example cluster.failNext({ verb: 'apply', kind: 'Deployment' }, new KubeUnavailableError('etcd timeout'))
   */
  failNext(matcher: CallMatcher, error: Error | (() => Error), times = 1): void {
    (this.faults ??= new FaultPlan()).add(matcher, error, times);
  }

  /**
   * Test hook: a person edits an object out of band, as `kubectl edit` would: `edit` changes a copy
   * (or returns a replacement); the changed fields become owned by `kubectl-edit`, taken from their
   * previous owners, without conflict checks. Status may be edited too. Simulated controllers do not react.
   * @throws KubeNotFoundError when the object does not exist.
   */
  mutate(ref: ObjectRef, edit: (obj: KubeObject) => KubeObject | void): KubeObject {
    const { info, live } = this.mustFind(ref);
    const draft = jsonCopy(live);
    const edited = jsonCopy(edit(draft) ?? draft);
    edited.apiVersion = live.apiVersion;
    edited.kind = live.kind;
    edited.metadata = { ...(isPlainObject(edited.metadata) ? edited.metadata : {}), name: live.metadata.name };
    if (live.metadata.namespace) edited.metadata.namespace = live.metadata.namespace;
    else delete edited.metadata.namespace;
    recordUpdate({
      before: live,
      after: edited,
      manager: OUT_OF_BAND_MANAGER,
      apiVersion: live.apiVersion,
      scope: 'all',
      keyedLists: info.keyedLists,
      now: this.timestamp(),
    });
    this.stamp(info, live, edited);
    validateObject(info, edited, live);
    if (sameExceptTimes(live, edited)) return jsonCopy(live);
    this.write(info, edited);
    if (info === CRD) this.scheduleEstablish(edited);
    return jsonCopy(edited);
  }

  /**
   * Test hook: a person deletes an object out of band (`kubectl delete`, background propagation).
   * @throws KubeNotFoundError when the object does not exist.
   */
  remove(ref: ObjectRef): void {
    const { info, live } = this.mustFind(ref);
    this.removeObject(info, live, 'Background');
  }

  /** Cancels pending CRD establishment. The cluster stays usable; pending CRDs simply never become Established. */
  close(): void {
    for (const timer of this.timers ?? []) clearTimeout(timer);
    this.timers?.clear();
  }

  // ---- internals ----

  private now(): number {
    return this.options.now ? this.options.now() : Date.now();
  }

  private timestamp(): string {
    return isoSeconds(this.now());
  }

  private nextVersion(): string {
    return String(++this.revision);
  }

  private kindOf(apiVersion: string, kind: string): KindInfo | undefined {
    return (
      builtinKind(apiVersion, kind) ??
      this.crdKinds?.get(kindKey(apiVersion, kind)) ??
      (this.options.distribution ? distributionKind(this.options.distribution, apiVersion, kind) : undefined)
    );
  }

  private checkFailure(call: ClusterCall): void {
    this.faults?.check(call);
  }

  private begin(verb: ClusterVerb, obj: KubeObject): KindInfo {
    this.checkFailure({
      verb,
      apiVersion: obj?.apiVersion,
      kind: obj?.kind,
      namespace: obj?.metadata?.namespace,
      name: obj?.metadata?.name,
    });
    if (!obj || typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') {
      throw new KubeInvalidError('Object is invalid: apiVersion and kind are required', [{ field: 'kind', message: 'Required value' }]);
    }
    const info = this.kindOf(obj.apiVersion, obj.kind);
    if (!info) throw new KubeUnknownKindError(obj.apiVersion, obj.kind);
    return info;
  }

  /** A private copy of an incoming object, as the port defines it: no status, no server-owned metadata. */
  private normalize(obj: KubeObject, info: KindInfo): KubeObject {
    const copy = withoutServerFields(obj);
    if (!isPlainObject(copy.metadata) || typeof copy.metadata.name !== 'string' || copy.metadata.name === '') {
      throw new KubeInvalidError(`${info.kind} is invalid: metadata.name: Required value`, [
        { field: 'metadata.name', reason: 'FieldValueRequired', message: 'Required value' },
      ]);
    }
    const meta = copy.metadata;
    if (info.namespaced) meta.namespace = meta.namespace || 'default';
    else delete meta.namespace;
    if (info.namespaced && !this.lookup(NAMESPACE, undefined, meta.namespace!)) {
      throw new KubeNotFoundError(`namespaces "${meta.namespace}" not found`, `Namespace ${meta.namespace}`);
    }
    if (info.kind === 'Secret' && info.group === '' && isPlainObject(copy.stringData)) {
      // As the API server: stringData is write-only, merged into data (base64) and never stored.
      const data: Record<string, unknown> = isPlainObject(copy.data) ? copy.data : {};
      for (const [k, v] of Object.entries(copy.stringData)) if (typeof v === 'string') data[k] = Buffer.from(v, 'utf8').toString('base64');
      copy.data = data;
      delete copy.stringData;
    }
    return copy;
  }

  private lookup(info: KindInfo, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.store.get(info, namespace, name);
  }

  private mustFind(ref: ObjectRef): { info: KindInfo; live: KubeObject } {
    const info = this.kindOf(ref.apiVersion, ref.kind);
    const live = info && this.lookup(info, info.namespaced ? (ref.namespace ?? 'default') : undefined, ref.name);
    if (!info || !live) throw new KubeNotFoundError(`${describeRef(ref)} not found`, describeRef(ref));
    return { info, live };
  }

  private write(info: KindInfo, obj: KubeObject): void {
    obj.metadata.resourceVersion = this.nextVersion();
    this.store.put(info, obj);
  }

  /** Server-owned fields of an object about to be written over `live` (or created). */
  private stamp(info: KindInfo, live: KubeObject | undefined, next: KubeObject): void {
    const meta = next.metadata;
    if (live) {
      meta.uid = live.metadata.uid;
      meta.creationTimestamp = live.metadata.creationTimestamp;
      meta.resourceVersion = live.metadata.resourceVersion;
      if (info.generation) meta.generation = (live.metadata.generation ?? 1) + (sameOutsideMetadata(live, next) ? 0 : 1);
    } else {
      meta.uid = newUid();
      meta.creationTimestamp = this.timestamp();
      if (info.generation) meta.generation = 1;
    }
    if (!info.generation) delete meta.generation;
    if (info === NAMESPACE) {
      meta.labels = { ...meta.labels, 'kubernetes.io/metadata.name': meta.name };
      if (!isPlainObject(next.spec)) next.spec = { finalizers: ['kubernetes'] };
      if (!isPlainObject(next.status)) next.status = { phase: 'Active' };
    }
  }

  private commit(info: KindInfo, live: KubeObject | undefined, next: KubeObject, dryRun: boolean): KubeObject {
    this.stamp(info, live, next);
    validateObject(info, next, live);
    // Real API servers do not write (nor bump resourceVersion) when an apply changes nothing.
    if (live && sameExceptTimes(live, next)) return jsonCopy(live);
    if (dryRun) return jsonCopy(next);
    this.write(info, next);
    const result = jsonCopy(next);
    if (info === CRD) this.scheduleEstablish(next);
    if (this.options.simulateControllers !== false) this.runController(info, next);
    return result;
  }

  private runController(info: KindInfo, obj: KubeObject): void {
    const now = this.timestamp();
    const status = simulatedStatus(obj, this.store.count(NODE.group, NODE.kind), now);
    if (status) this.writeStatus(info, obj, status, CONTROLLER_MANAGER, now);
  }

  private writeStatus(info: KindInfo, obj: KubeObject, status: Record<string, unknown>, manager: string, now: string): void {
    const next: KubeObject = { ...obj, metadata: { ...obj.metadata }, status };
    recordUpdate({
      before: obj,
      after: next,
      manager,
      apiVersion: obj.apiVersion,
      scope: 'status',
      subresource: 'status',
      keyedLists: info.keyedLists,
      now,
    });
    this.write(info, next);
  }

  private scheduleEstablish(crd: KubeObject): void {
    const { name, uid } = crd.metadata;
    const timer = setTimeout(() => {
      this.timers?.delete(timer);
      this.establish(name, uid);
    }, this.options.crdEstablishDelayMs ?? 0);
    timer.unref?.();
    (this.timers ??= new Set()).add(timer);
  }

  private establish(name: string, uid: string | undefined): void {
    const crd = this.lookup(CRD, undefined, name);
    if (!crd || crd.metadata.uid !== uid) return;
    const groupKind = crdGroupKind(crd);
    if (!groupKind) return;
    const kinds = (this.crdKinds ??= new Map());
    for (const [key, k] of kinds) if (k.group === groupKind.group && k.kind === groupKind.kind) kinds.delete(key);
    for (const k of kindsOfCrd(crd)) kinds.set(kindKey(k.apiVersion, k.kind), k);
    const now = this.timestamp();
    const status = establishedStatus(crd, now);
    if (!jsonEqual(crd.status, status)) this.writeStatus(CRD, crd, status, APISERVER_MANAGER, now);
  }

  private removeObject(info: KindInfo, obj: KubeObject, policy: PropagationPolicy): void {
    if (!this.store.delete(info, obj)) return;
    this.nextVersion();
    if (info === NAMESPACE) {
      for (const [kind, o] of this.store.all()) {
        if (kind.namespaced && o.metadata.namespace === obj.metadata.name) this.removeObject(kind, o, 'Background');
      }
    }
    const groupKind = info === CRD ? crdGroupKind(obj) : undefined;
    if (groupKind) {
      for (const [key, k] of this.crdKinds ?? []) if (k.group === groupKind.group && k.kind === groupKind.kind) this.crdKinds!.delete(key);
      const kind = this.store.kindOf(groupKind.group, groupKind.kind);
      for (const o of kind ? this.store.ofKind(groupKind.group, groupKind.kind) : []) this.removeObject(kind!, o, 'Background');
    }
    this.collectDependents(obj.metadata.uid, policy);
  }

  /** The garbage collector: dependents lose their reference to a deleted owner, and go when no owner is left. */
  private collectDependents(ownerUid: string | undefined, policy: PropagationPolicy): void {
    if (!ownerUid) return;
    const dependents = this.store.all().filter(([, o]) => o.metadata.ownerReferences?.some((r) => r.uid === ownerUid));
    for (const [info, seen] of dependents) {
      // Earlier steps of this collection may have deleted or rewritten it.
      const dependent = this.store.get(info, seen.metadata.namespace, seen.metadata.name);
      if (!dependent || dependent.metadata.uid !== seen.metadata.uid) continue;
      const remaining = dependent.metadata.ownerReferences!.filter((r) => r.uid !== ownerUid);
      if (policy !== 'Orphan' && !remaining.some((r) => this.store.hasUid(r.uid))) {
        this.removeObject(info, dependent, policy);
        continue;
      }
      const next: KubeObject = { ...dependent, metadata: { ...dependent.metadata, ownerReferences: remaining } };
      if (remaining.length === 0) delete next.metadata.ownerReferences;
      recordUpdate({
        before: dependent,
        after: next,
        manager: CONTROLLER_MANAGER,
        apiVersion: dependent.apiVersion,
        scope: 'main',
        keyedLists: info.keyedLists,
        now: this.timestamp(),
      });
      this.write(info, next);
    }
  }

  private copyOut(obj: KubeObject, apiVersion: string): KubeObject {
    const copy = jsonCopy(obj);
    copy.apiVersion = apiVersion;
    return copy;
  }
}

function sameOutsideMetadata(a: KubeObject, b: KubeObject): boolean {
  const strip = (o: KubeObject) => ({ ...o, apiVersion: undefined, metadata: undefined, status: undefined });
  return jsonEqual(strip(a), strip(b));
}

function selectorOf(selector: string | LabelSelector | undefined): LabelSelector | undefined {
  if (typeof selector !== 'string') return selector;
  try {
    return parseSelector(selector);
  } catch (err) {
    if (err instanceof ValidationError)
      throw new KubeInvalidError(err.message, [{ field: 'labelSelector', message: err.message }], { cause: err });
    throw err;
  }
}

/** Top-level status fields `manager` wrote through the status subresource (from managedFields). */
function statusFieldsOf(obj: KubeObject, manager: string): string[] {
  const entries = Array.isArray(obj.metadata.managedFields) ? obj.metadata.managedFields : [];
  const out: string[] = [];
  for (const e of entries as { manager?: string; subresource?: string; fieldsV1?: Record<string, unknown> }[]) {
    if (e.manager !== manager || e.subresource !== 'status') continue;
    const status = e.fieldsV1?.['f:status'];
    if (isPlainObject(status)) for (const k of Object.keys(status)) if (k.startsWith('f:')) out.push(k.slice(2));
  }
  return out;
}
