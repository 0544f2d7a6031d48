import { splitApiVersion } from './types.js';

/**
 * What the cluster layer knows about built-in Kubernetes kinds, as static tables shared by every
 * in-memory cluster (10,000 simulated clusters hold one copy) and by apply ordering.
 */

/** How a kind is served. */
export interface KindInfo {
  apiVersion: string;
  group: string;
  kind: string;
  /** The resource name in URLs and RBAC rules, e.g. `deployments`. */
  plural: string;
  namespaced: boolean;
  /** Whether the server maintains `metadata.generation` (bumped on changes outside metadata and status). */
  generation: boolean;
  /** Whether lists such as `containers` merge item by item (true for built-ins; custom resources are atomic by default). */
  keyedLists: boolean;
}

type Row = [apiVersion: string, kind: string, plural: string, namespaced: boolean, generation: boolean];

const ROWS: readonly Row[] = [
  ['v1', 'Namespace', 'namespaces', false, false],
  ['v1', 'Node', 'nodes', false, false],
  ['v1', 'ConfigMap', 'configmaps', true, false],
  ['v1', 'Secret', 'secrets', true, false],
  ['v1', 'Service', 'services', true, false],
  ['v1', 'ServiceAccount', 'serviceaccounts', true, false],
  ['v1', 'Pod', 'pods', true, false],
  ['v1', 'PersistentVolumeClaim', 'persistentvolumeclaims', true, false],
  ['v1', 'PersistentVolume', 'persistentvolumes', false, false],
  ['v1', 'ResourceQuota', 'resourcequotas', true, false],
  ['v1', 'LimitRange', 'limitranges', true, false],
  ['apps/v1', 'Deployment', 'deployments', true, true],
  ['apps/v1', 'StatefulSet', 'statefulsets', true, true],
  ['apps/v1', 'DaemonSet', 'daemonsets', true, true],
  ['apps/v1', 'ReplicaSet', 'replicasets', true, true],
  ['batch/v1', 'Job', 'jobs', true, true],
  ['batch/v1', 'CronJob', 'cronjobs', true, true],
  ['autoscaling/v2', 'HorizontalPodAutoscaler', 'horizontalpodautoscalers', true, true],
  ['rbac.authorization.k8s.io/v1', 'Role', 'roles', true, false],
  ['rbac.authorization.k8s.io/v1', 'RoleBinding', 'rolebindings', true, false],
  ['rbac.authorization.k8s.io/v1', 'ClusterRole', 'clusterroles', false, false],
  ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', 'clusterrolebindings', false, false],
  ['apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'customresourcedefinitions', false, true],
  ['networking.k8s.io/v1', 'Ingress', 'ingresses', true, true],
  ['networking.k8s.io/v1', 'IngressClass', 'ingressclasses', false, true],
  ['networking.k8s.io/v1', 'NetworkPolicy', 'networkpolicies', true, true],
  ['policy/v1', 'PodDisruptionBudget', 'poddisruptionbudgets', true, true],
  ['scheduling.k8s.io/v1', 'PriorityClass', 'priorityclasses', false, false],
  ['storage.k8s.io/v1', 'StorageClass', 'storageclasses', false, false],
  ['coordination.k8s.io/v1', 'Lease', 'leases', true, false],
  ['admissionregistration.k8s.io/v1', 'MutatingWebhookConfiguration', 'mutatingwebhookconfigurations', false, true],
  ['admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', 'validatingwebhookconfigurations', false, true],
];

/** The kinds an in-memory cluster serves from birth. */
export const BUILTIN_KINDS: readonly KindInfo[] = Object.freeze(
  ROWS.map(([apiVersion, kind, plural, namespaced, generation]) =>
    Object.freeze({ apiVersion, group: groupOf(apiVersion), kind, plural, namespaced, generation, keyedLists: true }),
  ),
);

const BY_KEY: ReadonlyMap<string, KindInfo> = new Map(BUILTIN_KINDS.map((k) => [kindKey(k.apiVersion, k.kind), k]));

/** The lookup key of a kind in an apiVersion. */
export function kindKey(apiVersion: string, kind: string): string {
  return `${apiVersion}|${kind}`;
}

/** A built-in kind, or undefined. */
export function builtinKind(apiVersion: string, kind: string): KindInfo | undefined {
  return BY_KEY.get(kindKey(apiVersion, kind));
}

/** API groups served by Kubernetes itself; anything else is a custom resource (or an aggregated API). */
const BUILTIN_GROUPS: ReadonlySet<string> = new Set([
  '',
  'apps',
  'batch',
  'autoscaling',
  'policy',
  'networking.k8s.io',
  'rbac.authorization.k8s.io',
  'storage.k8s.io',
  'apiextensions.k8s.io',
  'admissionregistration.k8s.io',
  'apiregistration.k8s.io',
  'scheduling.k8s.io',
  'coordination.k8s.io',
  'discovery.k8s.io',
  'node.k8s.io',
  'certificates.k8s.io',
  'events.k8s.io',
  'flowcontrol.apiserver.k8s.io',
  'resource.k8s.io',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'storagemigration.k8s.io',
  'internal.apiserver.k8s.io',
]);

/** Is this apiVersion served by Kubernetes itself (as opposed to a CRD)? */
export function isBuiltinApiVersion(apiVersion: string): boolean {
  return BUILTIN_GROUPS.has(groupOf(apiVersion));
}

/** The API group of an apiVersion; `''` for the core group. */
export function groupOf(apiVersion: string): string {
  return splitApiVersion(apiVersion).group;
}
