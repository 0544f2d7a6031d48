/**
 * Named errors shared by the hub, the agent and the CLI.
 *
 * Each error carries what a caller needs to act on it. At the HTTP edge they become
 * RFC 9457 problem+json in exactly one place (lambdas/http/problem.ts).
 */

/** One failing field of a validation error, addressed by a JSON-pointer-like dotted path. */
export interface FieldError {
  /** Dotted path of the failing field, e.g. `metadata.labels.tier` or `spec.taints.0.effect`. */
  path: string;
  /** What is wrong, in words a person can act on. */
  message: string;
}

/** Base class: every Tether error has a stable machine-readable `code`. */
export abstract class TetherError extends Error {
  abstract readonly code: string;
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Input failed schema or semantic validation. */
export class ValidationError extends TetherError {
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
  readonly code = 'conflict';
  constructor(
    message: string,
    readonly currentResourceVersion?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Input larger than the hub accepts. */
export class PayloadTooLargeError extends TetherError {
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
  readonly code = 'unauthenticated';
}

/** Credentials were presented but do not grant this request. */
export class ForbiddenError extends TetherError {
  readonly code = 'forbidden';
}

/** The request is valid but the object's state does not allow it now (e.g. accept a detaching cluster). */
export class StateError extends TetherError {
  readonly code = 'invalid-state';
}

/** Too many requests; retry after the given number of seconds. */
export class ThrottledError extends TetherError {
  readonly code = 'throttled';
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
