import { jsonCopy } from './json.js';

/**
 * The shapes the agent's Kubernetes layer speaks: a Kubernetes object as plain JSON, and a
 * reference to one. Deliberately untyped beyond the envelope: the agent applies whatever
 * manifests the hub sends, including custom resources it has never heard of.
 */

/** An owner of an object, for garbage collection (`metadata.ownerReferences[]`). */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/**
 * Field ownership in the API server's `FieldsV1` encoding: nested objects whose keys are
 * `f:<field>` (a map field), `k:<json>` (an item of a keyed list) and `.` (the node itself).
 */
export interface FieldsV1 {
  [token: string]: FieldsV1;
}

/** One entry of `metadata.managedFields`: the fields one manager owns through one operation. */
export interface ManagedFieldsEntry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  time?: string;
  fieldsType: 'FieldsV1';
  fieldsV1: FieldsV1;
  subresource?: string;
}

/** Object metadata as the API server returns it. System fields are absent on objects not yet stored. */
export interface KubeObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: ManagedFieldsEntry[];
  [field: string]: unknown;
}

/** Any Kubernetes object, as plain JSON. Fields other than the envelope are free-form. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: KubeObjectMeta;
  [field: string]: unknown;
}

/** Identifies one object. `namespace` is ignored for cluster-scoped kinds. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

/** Metadata the API server owns; an applied configuration must not carry it (resourceVersion would act as a precondition). */
export const SERVER_OWNED_METADATA: readonly string[] = [
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
];

/**
 * A deep copy of an object ready to send as an applied configuration or a create: server-owned
 * metadata and `status` removed (status belongs to controllers and is written through its own subresource).
 */
export function withoutServerFields(obj: KubeObject): KubeObject {
  const copy = jsonCopy(obj);
  if (copy.metadata && typeof copy.metadata === 'object') {
    for (const field of SERVER_OWNED_METADATA) delete copy.metadata[field];
  }
  delete copy.status;
  return copy;
}

/** The reference of an object. */
export function refOf(obj: KubeObject): ObjectRef {
  const ref: ObjectRef = { apiVersion: obj.apiVersion, kind: obj.kind, name: obj.metadata?.name };
  if (obj.metadata?.namespace) ref.namespace = obj.metadata.namespace;
  return ref;
}

/** A short human-readable name of an object, for messages: `Deployment shop/web`, `Namespace shop`. */
export function describeRef(ref: ObjectRef): string {
  return ref.namespace ? `${ref.kind} ${ref.namespace}/${ref.name}` : `${ref.kind} ${ref.name}`;
}

/** Splits an apiVersion into group and version; the core group is `''`. */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** Reads a `status.conditions[]` entry of an object by type. */
export function conditionOf(
  obj: KubeObject | undefined,
  type: string,
): { type: string; status: string; reason?: string; message?: string } | undefined {
  const status = obj?.status as { conditions?: unknown } | undefined;
  if (!status || !Array.isArray(status.conditions)) return undefined;
  return (status.conditions as { type: string; status: string }[]).find((c) => c && c.type === type);
}
