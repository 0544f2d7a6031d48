import { TetherError } from '../../shared/errors.js';

/**
 * Named errors of the agent's Kubernetes layer. Both ClusterApi implementations throw exactly these,
 * so the reconciler can decide (retry, report, give up) without knowing which cluster it talks to.
 */

/** Base of every Kubernetes-layer error. `retryable` says whether the same call may succeed later unchanged. */
export abstract class KubeError extends TetherError {
  readonly retryable: boolean = false;
}

/** One field another manager owns, in the API server's notation (`.spec.replicas`). */
export interface FieldConflict {
  manager: string;
  field: string;
}

/**
 * A server-side apply met fields owned by other field managers with different values, or an
 * optimistic-concurrency conflict. `conflicts` lists manager and field; empty for the latter.
 */
export class KubeConflictError extends KubeError {
  static override readonly status = 409;
  static override readonly title = 'Kubernetes conflict';
  readonly code = 'kube-conflict';
  constructor(
    /** The object, as `describeRef` writes it. */
    readonly target: string,
    readonly conflicts: FieldConflict[],
    options?: ErrorOptions & { serverMessage?: string },
  ) {
    super(conflictMessage(target, conflicts, options?.serverMessage), options);
  }

  /** The other managers involved, each once. */
  get managers(): string[] {
    return [...new Set(this.conflicts.map((c) => c.manager))];
  }
}

function conflictMessage(target: string, conflicts: FieldConflict[], serverMessage?: string): string {
  if (conflicts.length === 0) {
    return `conflict on ${target}: ${serverMessage ?? 'the object was modified concurrently'}; retry with the latest version`;
  }
  const byManager = new Map<string, string[]>();
  for (const c of conflicts) byManager.set(c.manager, [...(byManager.get(c.manager) ?? []), c.field]);
  const parts = [...byManager].map(([manager, fields]) => `field manager "${manager}" owns ${fields.join(', ')}`);
  return (
    `server-side apply of ${target} conflicts: ${parts.join('; ')} with different values. ` +
    `To take these fields over, set force: true in this manifest's manifestConfig ` +
    `(updateStrategy: {type: ServerSideApply, serverSideApply: {force: true}}); ` +
    `or remove the fields from the other manager (stop ${[...byManager.keys()].map((m) => `"${m}"`).join(', ')} from setting them) ` +
    `or from this manifest`
  );
}

/** The object, or a namespace it needs, does not exist. */
export class KubeNotFoundError extends KubeError {
  static override readonly status = 404;
  static override readonly title = 'Kubernetes object not found';
  readonly code = 'kube-not-found';
  constructor(
    message: string,
    readonly target?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Create of an object that already exists (the CreateOnly strategy treats this as success). */
export class KubeAlreadyExistsError extends KubeError {
  static override readonly status = 409;
  static override readonly title = 'Kubernetes object already exists';
  readonly code = 'kube-already-exists';
  constructor(
    readonly target: string,
    options?: ErrorOptions,
  ) {
    super(`${target} already exists`, options);
  }
}

/** The cluster serves no resource type for this kind: usually its CRD is missing or not yet established. */
export class KubeUnknownKindError extends KubeError {
  static override readonly status = 422;
  static override readonly title = 'Unknown Kubernetes kind';
  readonly code = 'kube-unknown-kind';
  constructor(
    readonly apiVersion: string,
    readonly kind: string,
    options?: ErrorOptions,
  ) {
    super(`the cluster has no resource type for kind ${kind} in apiVersion ${apiVersion}; install its CRD first`, options);
  }
}

/** One reason the API server rejected an object. */
export interface InvalidCause {
  /** e.g. `spec.template.metadata.labels`. */
  field?: string;
  message: string;
  /** e.g. `FieldValueRequired`, `FieldValueInvalid`. */
  reason?: string;
}

/** The API server rejected the object (HTTP 400/422): validation failed. `causes` lists each problem. */
export class KubeInvalidError extends KubeError {
  static override readonly status = 422;
  static override readonly title = 'Invalid Kubernetes object';
  readonly code = 'kube-invalid';
  constructor(
    message: string,
    readonly causes: InvalidCause[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The agent's credentials do not allow this (HTTP 401/403); usually missing RBAC. */
export class KubeForbiddenError extends KubeError {
  static override readonly status = 403;
  static override readonly title = 'Kubernetes access forbidden';
  readonly code = 'kube-forbidden';
}

/** The API server could not be reached or failed (network error, timeout, 429, 5xx). Retry later. */
export class KubeUnavailableError extends KubeError {
  // 503: the API server is down, overloaded or unreachable: an upstream fault that may pass.
  static override readonly status = 503;
  static override readonly title = 'Kubernetes API unavailable';
  readonly code = 'kube-unavailable';
  override readonly retryable = true;
  constructor(
    message: string,
    /** From `Retry-After`, when the server sent one. */
    readonly retryAfterSeconds?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Waiting for the cluster (e.g. for CRDs to become established) took longer than allowed. Retry later. */
export class KubeTimeoutError extends KubeError {
  // 504: the cluster did not get ready in time: an upstream timeout.
  static override readonly status = 504;
  static override readonly title = 'Kubernetes API timed out';
  readonly code = 'kube-timeout';
  override readonly retryable = true;
}

/** Any other API server answer the layer has no better name for (e.g. 405, 410). */
export class KubeRequestError extends KubeError {
  // 502: the API server answered something the layer has no name for: an unexpected upstream answer.
  static override readonly status = 502;
  static override readonly title = 'Kubernetes API request failed';
  readonly code = 'kube-request-failed';
  constructor(
    message: string,
    readonly httpStatus: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The agent cannot build a Kubernetes client: missing or unreadable kubeconfig, no current context, no in-cluster service account. */
export class KubeConfigError extends KubeError {
  // 500: the agent cannot build its client: its own setup is broken.
  static override readonly status = 500;
  static override readonly title = 'Kubernetes client not configured';
  readonly code = 'kube-config';
}
