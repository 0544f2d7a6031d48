import type { LabelSelector } from '../../shared/labels.js';
import type { KubeObject, ObjectRef } from './types.js';

/** The field manager the agent applies with. Ownership in `managedFields` is recorded under this name. */
export const TETHER_FIELD_MANAGER = 'tether-agent';

/** Options of a server-side apply. */
export interface ApplyOptions {
  /** Who owns the applied fields; the agent uses {@link TETHER_FIELD_MANAGER}. */
  fieldManager: string;
  /** Take over fields another manager owns with a different value, instead of failing with a conflict. */
  force: boolean;
  /** Validate and compute the result without persisting anything. */
  dryRun?: boolean;
}

/** Options of a create. */
export interface CreateOptions {
  fieldManager: string;
  dryRun?: boolean;
}

/** What to list. Without `namespace`, a namespaced kind is listed across all namespaces. */
export interface ListQuery {
  apiVersion: string;
  kind: string;
  namespace?: string;
  /** Either the string form (`app=web,tier in (a,b)`) or the structured form. */
  labelSelector?: string | LabelSelector;
  /**
   * A field selector over `metadata.name` and `metadata.namespace` (`=`, `==`, `!=`, comma-ANDed),
   * which every API server supports for every kind, custom resources included. Others are refused.
   */
  fieldSelector?: string;
}

/** Options of a JSON merge patch. */
export interface MergePatchOptions {
  /** Who the changed fields are recorded under (an `Update` entry in managedFields). */
  fieldManager: string;
}

/** How dependents (objects whose ownerReferences name the deleted object) are treated. */
export type PropagationPolicy = 'Foreground' | 'Background' | 'Orphan';

/** Options of a delete. */
export interface DeleteOptions {
  /** Unset: the server's default for the kind (Background for everything the agent touches). */
  propagationPolicy?: PropagationPolicy;
}

/** What discovery says about a kind. */
export interface ResourceInfo {
  namespaced: boolean;
  /** The resource name in URLs, e.g. `deployments`. */
  plural: string;
}

/** The API server's `/version`. */
export interface ServerVersion {
  /** e.g. `v1.33.1`, `v1.33.1-eks-7308294`, `v1.33.1+k3s1`: distributions mark their builds here. */
  gitVersion: string;
  /** The server's OS and architecture, e.g. `linux/amd64` (not the Kubernetes distribution). */
  platform?: string;
  major?: string;
  minor?: string;
}

/**
 * The agent's only way to talk to Kubernetes. Two implementations: the client-node adapter
 * (a real API server) and the in-memory cluster (tests, `tether agent --simulate`, the fleet simulator).
 *
 * Errors are the named errors of `./errors.js`: {@link KubeConflictError}, {@link KubeNotFoundError},
 * {@link KubeAlreadyExistsError}, {@link KubeUnknownKindError}, {@link KubeInvalidError},
 * {@link KubeForbiddenError} and the retryable {@link KubeUnavailableError}.
 *
 * Objects returned are the caller's to keep: implementations never alias their internal state.
 *
 * @example
 * const live = await api.apply(manifest, { fieldManager: TETHER_FIELD_MANAGER, force: false });
 */
export interface ClusterApi {
  /**
   * Server-side apply: creates the object if missing, otherwise merges the given fields and takes
   * ownership of them for `fieldManager`; fields this manager applied before and no longer sets are
   * removed (unless another manager owns them too). System fields (`managedFields`, `resourceVersion`,
   * `uid`, `creationTimestamp`, `generation`) and `status` in `obj` are ignored.
   * A namespaced object without a namespace goes to `default`.
   *
   * @throws KubeConflictError when another manager owns a field with a different value and `force` is false.
   * @throws KubeUnknownKindError when the cluster does not serve the kind (CRD missing or not yet established).
   */
  apply(obj: KubeObject, options: ApplyOptions): Promise<KubeObject>;

  /**
   * Server-side apply of the status subresource (`PATCH .../status`, apply patch): sets the status
   * fields in `obj.status` for `fieldManager`; the rest of `obj` only names the object. Used for
   * kinds whose status the agent itself owns (the ClusterProfiles of the cluster inventory).
   *
   * @throws KubeNotFoundError when the object does not exist (apply the object first).
   * @throws KubeUnknownKindError when the cluster does not serve the kind.
   */
  applyStatus(obj: KubeObject, options: ApplyOptions): Promise<KubeObject>;

  /**
   * Creates the object; never touches an existing one (the CreateOnly update strategy).
   * @throws KubeAlreadyExistsError when it exists.
   */
  create(obj: KubeObject, options: CreateOptions): Promise<KubeObject>;

  /**
   * JSON merge patch (RFC 7386) of an existing object: maps merge, `null` removes a key, lists are
   * replaced whole. Used where server-side apply cannot express a removal: taking out map entries
   * and list items that other field managers own (a `mustonlyhave` policy). The changed fields
   * become owned by `fieldManager`.
   * @throws KubeNotFoundError when the object does not exist.
   * @throws KubeUnknownKindError when the cluster does not serve the kind.
   */
  mergePatch(ref: ObjectRef, patch: Record<string, unknown>, options: MergePatchOptions): Promise<KubeObject>;

  /** Reads one object; undefined when it (or its whole kind) does not exist. */
  get(ref: ObjectRef): Promise<KubeObject | undefined>;

  /**
   * Lists objects of one kind, every page, sorted as the API server returns them (by namespace, then name).
   * @throws KubeUnknownKindError when the cluster does not serve the kind.
   */
  list(query: ListQuery): Promise<KubeObject[]>;

  /** Deletes an object; false when it (or its whole kind) was already gone. */
  delete(ref: ObjectRef, options?: DeleteOptions): Promise<boolean>;

  /** Discovery: how the kind is served, or undefined when the cluster does not know it. */
  discover(apiVersion: string, kind: string): Promise<ResourceInfo | undefined>;

  /** Whether the CustomResourceDefinition `name` (e.g. `widgets.example.com`) exists and is Established. */
  isCrdEstablished(name: string): Promise<boolean>;

  /** The API server's version. */
  serverVersion(): Promise<ServerVersion>;
}
