import type { ClusterApi } from './cluster-api.js';
import { KubeTimeoutError } from './errors.js';
import { groupOf, isBuiltinApiVersion } from './kinds.js';

/**
 * The order in which a work's manifests are applied and deleted, so that each object finds what it
 * depends on: its namespace, its CRD, the service account and config it mounts.
 */

/** Anything with a kind. */
export interface Kinded {
  apiVersion: string;
  kind: string;
}

/** Apply classes, in apply order. */
const NAMESPACES = 0;
const CRDS = 1;
const FOUNDATION = 2;
const BUILTIN = 3;
const CUSTOM = 4;
const ADMISSION = 5;

/** Kinds that other objects reference by name: identity, permissions, configuration, storage, policy. */
const FOUNDATION_KINDS: ReadonlySet<string> = new Set([
  'ServiceAccount',
  'ClusterRole',
  'ClusterRoleBinding',
  'Role',
  'RoleBinding',
  'ConfigMap',
  'Secret',
  'ResourceQuota',
  'LimitRange',
  'PriorityClass',
  'StorageClass',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'NetworkPolicy',
  'IngressClass',
  'RuntimeClass',
]);

/**
 * Admission webhooks and aggregated APIs go last: registered before the service that backs them
 * is up, they make the API server reject or fail every later request they cover.
 */
const ADMISSION_KINDS: ReadonlySet<string> = new Set(['MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration', 'APIService']);

/** The apply class of a manifest: lower applies earlier. */
export function applyClass(obj: Kinded): number {
  if (!isBuiltinApiVersion(obj.apiVersion)) return CUSTOM;
  const group = groupOf(obj.apiVersion);
  if (group === '' && obj.kind === 'Namespace') return NAMESPACES;
  if (group === 'apiextensions.k8s.io' && obj.kind === 'CustomResourceDefinition') return CRDS;
  if (ADMISSION_KINDS.has(obj.kind)) return ADMISSION;
  if (FOUNDATION_KINDS.has(obj.kind)) return FOUNDATION;
  return BUILTIN;
}

function sortByClass<T extends Kinded>(objects: readonly T[], direction: 1 | -1): T[] {
  return objects
    .map((obj, index) => ({ obj, index, cls: applyClass(obj) }))
    .sort((a, b) => direction * (a.cls - b.cls) || a.index - b.index)
    .map((e) => e.obj);
}

/**
 * Orders manifests for applying: Namespaces, then CRDs, then service accounts, RBAC, ConfigMaps,
 * Secrets and other referenced configuration, then the remaining built-in kinds (workloads,
 * services, ...), then custom resources (their CRDs had time to become established), and admission
 * webhooks last. Stable: objects of one class keep their input order. The input is not modified.
 */
export function orderForApply<T extends Kinded>(objects: readonly T[]): T[] {
  return sortByClass(objects, 1);
}

/**
 * Orders objects for deleting: the reverse of {@link orderForApply} by class (webhooks, custom
 * resources and workloads first; CRDs and Namespaces last), keeping input order within a class.
 */
export function orderForDelete<T extends Kinded>(objects: readonly T[]): T[] {
  return sortByClass(objects, -1);
}

/** Options of {@link waitForCrds}. */
export interface WaitForCrdsOptions {
  /** Give up after this long. Default 60 s. */
  timeoutMs?: number;
  /** Time between checks. Default 500 ms. */
  intervalMs?: number;
  /** Stops waiting early (the wait then rejects with the signal's reason). */
  signal?: AbortSignal;
}

/**
 * Waits until every named CRD is Established, checking at once and then every `intervalMs`.
 *
 * @throws KubeTimeoutError naming the CRDs still not established after `timeoutMs`.
 */
export async function waitForCrds(api: ClusterApi, crdNames: readonly string[], options: WaitForCrdsOptions = {}): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const intervalMs = options.intervalMs ?? 500;
  const deadline = Date.now() + timeoutMs;
  let pending = [...new Set(crdNames)];
  for (;;) {
    options.signal?.throwIfAborted();
    const established = await Promise.all(pending.map((name) => api.isCrdEstablished(name)));
    pending = pending.filter((_, i) => !established[i]);
    if (pending.length === 0) return;
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new KubeTimeoutError(
        `CustomResourceDefinition ${pending.join(', ')} not established after ${timeoutMs} ms; ` +
          'check the CRD status conditions (NamesAccepted, Established) on the cluster',
      );
    }
    await sleep(Math.min(intervalMs, left), options.signal);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
