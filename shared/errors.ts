/**
 * Named errors shared by the hub, the agent and the CLI.
 *
 * Each error carries what a caller needs to act on it, and its class carries the HTTP status and
 * title it stands for. At the HTTP edge they become RFC 9457 problem+json in exactly one place
 * (lambdas/http/problem.ts), which reads the status from the error instead of a table of codes.
 */

/** One failing field of a validation error, addressed by a JSON-pointer-like dotted path. */
export interface FieldError {
  /** Dotted path of the failing field, e.g. `metadata.labels.tier` or `spec.taints.0.effect`. */
  path: string;
  /** What is wrong, in words a person can act on. */
  message: string;
}

/**
 * Base class: every Tether error has a stable machine-readable `code`, and its class a `status` and
 * a `title`.
 *
 * `status` is the HTTP status the error stands for: 4xx when the caller can fix the request, 5xx
 * when the fault is the server's or a system it depends on (those are answered with a generic
 * detail and logged with their cause). Both are static, so they are facts of the class that
 * cannot clash with fields some errors already have (e.g. the hub's answer an agent error carries
 * as `status`). Every concrete class declares its own; the base's 500 is what a class that forgot
 * gets, which is the safe answer. Read them with {@link statusOf} and {@link titleOf}.
 */
export abstract class TetherError extends Error {
  /** The HTTP status this class of error stands for. */
  static readonly status: number = 500;
  /** Short, fixed summary of the problem type (RFC 9457 `title`). */
  static readonly title: string = 'Internal error';
  abstract readonly code: string;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Input failed schema or semantic validation. */
export class ValidationError extends TetherError {
  static override readonly status = 422;
  static override readonly title = 'Validation failed';
  readonly code = 'validation-failed';
  constructor(
    message: string,
    readonly fieldErrors: FieldError[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The request body or file could not be parsed at all (bad JSON or YAML). */
export class MalformedInputError extends TetherError {
  static override readonly status = 400;
  static override readonly title = 'Malformed request body';
  readonly code = 'malformed-input';
  constructor(
    message: string,
    readonly line?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A named object does not exist. */
export class NotFoundError extends TetherError {
  static override readonly status = 404;
  static override readonly title = 'Not found';
  readonly code = 'not-found';
  constructor(
    readonly kind: string,
    readonly objectName: string,
    options?: ErrorOptions,
  ) {
    super(`${kind} "${objectName}" not found`, options);
  }
}

/** Create of an object that already exists. */
export class AlreadyExistsError extends TetherError {
  static override readonly status = 409;
  static override readonly title = 'Already exists';
  readonly code = 'already-exists';
  constructor(
    readonly kind: string,
    readonly objectName: string,
    options?: ErrorOptions,
  ) {
    super(`${kind} "${objectName}" already exists`, options);
  }
}

/** Optimistic-concurrency conflict: the object changed since the caller read it. */
export class ConflictError extends TetherError {
  static override readonly status = 409;
  static override readonly title = 'Conflict';
  readonly code = 'conflict';
  constructor(
    message: string,
    readonly currentResourceVersion?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * A conflict that no retry can resolve (the object is being deleted): whoever retries on conflict
 * gives up at once on this one.
 */
export class PermanentConflictError extends ConflictError {
  readonly permanent = true;
}

/** Input larger than the hub accepts. */
export class PayloadTooLargeError extends TetherError {
  static override readonly status = 413;
  static override readonly title = 'Payload too large';
  readonly code = 'payload-too-large';
  constructor(
    readonly limitBytes: number,
    readonly actualBytes: number,
    what = 'request body',
    options?: ErrorOptions,
  ) {
    super(`${what} is ${actualBytes} bytes; the limit is ${limitBytes} bytes`, options);
  }
}

/** No credentials were presented. */
export class UnauthenticatedError extends TetherError {
  static override readonly status = 401;
  static override readonly title = 'Unauthenticated';
  readonly code = 'unauthenticated';
}

/** Credentials were presented but do not grant this request. */
export class ForbiddenError extends TetherError {
  static override readonly status = 403;
  static override readonly title = 'Forbidden';
  readonly code = 'forbidden';
}

/**
 * An authorization refusal: which verb on which kind (and object) was refused, and the decision
 * with the rule that refused it (`deny wins: ...`). Problem+json carries them as `authorization`.
 */
export class AuthzDeniedError extends ForbiddenError {
  constructor(
    readonly verb: string,
    readonly kind: string,
    readonly reason: string,
    readonly objectName?: string,
    readonly clusterSets?: readonly string[],
  ) {
    super(`${verb} ${kind}${objectName ? ` "${objectName}"` : ''} refused: ${reason}`);
  }
}

/** The request is valid but the object's state does not allow it now (e.g. accept a detaching cluster). */
export class StateError extends TetherError {
  static override readonly status = 409;
  static override readonly title = 'Invalid state';
  readonly code = 'invalid-state';
}

/** Too many requests; retry after the given number of seconds. */
export class ThrottledError extends TetherError {
  static override readonly status = 429;
  static override readonly title = 'Too many requests';
  readonly code = 'throttled';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The HTTP status an error stands for: its class's `status` for a Tether error, 500 for anything else. */
export function statusOf(err: unknown): number {
  return err instanceof TetherError ? (err.constructor as typeof TetherError).status : 500;
}

/** The problem title of an error: its class's `title` for a Tether error, `Internal error` for anything else. */
export function titleOf(err: unknown): string {
  return err instanceof TetherError ? (err.constructor as typeof TetherError).title : TetherError.title;
}

/**
 * True when the error is the server's fault (its status is 5xx, or it is no Tether error at all):
 * such an error is answered with a generic detail and logged with its cause.
 */
export function isServerError(err: unknown): boolean {
  return statusOf(err) >= 500;
}
