import {
  AuthzDeniedError,
  ConflictError,
  isServerError,
  PayloadTooLargeError,
  statusOf,
  TetherError,
  ThrottledError,
  titleOf,
  UnauthenticatedError,
  ValidationError,
} from '../../shared/errors.js';
import { PROBLEM_BASE, type Problem } from '../../shared/api.js';

/** No route matches the request's path. */
export class RouteNotFoundError extends TetherError {
  static override readonly status = 404;
  static override readonly title = 'No such route';
  readonly code = 'route-not-found';
}

/** A path segment is no name (a dot segment, a bad encoding, a control character, too long). */
export class InvalidPathError extends TetherError {
  static override readonly status = 400;
  static override readonly title = 'Invalid path';
  readonly code = 'invalid-path';
}

/** A route matches the path but not the method; `allowed` becomes the `Allow` header. */
export class MethodNotAllowedError extends TetherError {
  static override readonly status = 405;
  static override readonly title = 'Method not allowed';
  readonly code = 'method-not-allowed';
  constructor(
    message: string,
    readonly allowed: string[],
  ) {
    super(message);
  }
}

/** The request body's content type is not one the route reads. */
export class UnsupportedMediaTypeError extends TetherError {
  static override readonly status = 415;
  static override readonly title = 'Unsupported media type';
  readonly code = 'unsupported-media-type';
}

/**
 * What a caller is told about a server-side failure. The error's own message stays in the log:
 * it names tables, queues and endpoints, which are no business of the caller's.
 */
export const GENERIC_DETAIL = 'The hub failed to handle this request. It has been logged; retry, and report it if it persists.';

/**
 * Converts any thrown value into RFC 9457 problem details, with the status and title the error
 * carries (see `statusOf` in shared/errors.ts). A client error (4xx) keeps its message as the
 * detail; a server error (5xx Tether error, or anything that is no Tether error) gets a generic
 * detail, so no internal message or stack reaches the caller.
 */
export function toProblem(err: unknown, instance?: string): { problem: Problem; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  const status = statusOf(err);
  const code = err instanceof TetherError ? err.code : 'internal';
  const problem: Problem = { type: PROBLEM_BASE + code, title: titleOf(err), status, detail: GENERIC_DETAIL };
  if (instance) problem.instance = instance;
  if (isServerError(err) || !(err instanceof TetherError)) return { problem, headers };
  problem.detail = err.message;
  if (err instanceof ValidationError && err.fieldErrors.length) problem.errors = err.fieldErrors;
  if (err instanceof ConflictError && err.currentResourceVersion) problem.currentResourceVersion = err.currentResourceVersion;
  if (err instanceof PayloadTooLargeError) {
    problem.limitBytes = err.limitBytes;
    problem.actualBytes = err.actualBytes;
  }
  if (err instanceof AuthzDeniedError) {
    problem.authorization = {
      verb: err.verb,
      kind: err.kind,
      ...(err.objectName ? { name: err.objectName } : {}),
      reason: err.reason,
      ...(err.clusterSets ? { clusterSets: [...err.clusterSets] } : {}),
    };
  }
  if (err instanceof MethodNotAllowedError) headers.allow = err.allowed.join(', ');
  if (err instanceof ThrottledError) headers['retry-after'] = String(err.retryAfterSeconds);
  if (err instanceof UnauthenticatedError) headers['www-authenticate'] = 'Bearer';
  return { problem, headers };
}
