import {
  AlreadyExistsError,
  ConflictError,
  ForbiddenError,
  MalformedInputError,
  NotFoundError,
  PayloadTooLargeError,
  StateError,
  TetherError,
  ThrottledError,
  UnauthenticatedError,
  ValidationError,
} from '../../shared/errors.js';
import { PROBLEM_BASE, type Problem } from '../../shared/api.js';

/** HTTP-level errors the router raises itself (unknown route, wrong method, unsupported media type). */
export class RouteNotFoundError extends TetherError {
  readonly code = 'route-not-found';
}
export class MethodNotAllowedError extends TetherError {
  readonly code = 'method-not-allowed';
  constructor(
    message: string,
    readonly allowed: string[],
  ) {
    super(message);
  }
}
export class UnsupportedMediaTypeError extends TetherError {
  readonly code = 'unsupported-media-type';
}

const TITLES: Record<string, [number, string]> = {
  'validation-failed': [422, 'Validation failed'],
  'malformed-input': [400, 'Malformed request body'],
  'not-found': [404, 'Not found'],
  'route-not-found': [404, 'No such route'],
  'method-not-allowed': [405, 'Method not allowed'],
  'unsupported-media-type': [415, 'Unsupported media type'],
  'already-exists': [409, 'Already exists'],
  conflict: [409, 'Conflict'],
  'payload-too-large': [413, 'Payload too large'],
  unauthenticated: [401, 'Unauthenticated'],
  forbidden: [403, 'Forbidden'],
  'invalid-state': [409, 'Invalid state'],
  throttled: [429, 'Too many requests'],
  'bad-request': [400, 'Bad request'],
  internal: [500, 'Internal error'],
};

/**
 * Converts any thrown value into RFC 9457 problem details. Known Tether errors keep their message;
 * anything else becomes a 500 whose detail does not leak internals.
 */
export function toProblem(err: unknown, instance?: string): { problem: Problem; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  if (err instanceof TetherError) {
    const [status, title] = TITLES[err.code] ?? [400, 'Bad request'];
    const problem: Problem = { type: PROBLEM_BASE + err.code, title, status, detail: err.message };
    if (instance) problem.instance = instance;
    if (err instanceof ValidationError && err.fieldErrors.length) problem.errors = err.fieldErrors;
    if (err instanceof ConflictError && err.currentResourceVersion) problem.currentResourceVersion = err.currentResourceVersion;
    if (err instanceof PayloadTooLargeError) {
      problem.limitBytes = err.limitBytes;
      problem.actualBytes = err.actualBytes;
    }
    if (err instanceof MethodNotAllowedError) headers.allow = err.allowed.join(', ');
    if (err instanceof ThrottledError) headers['retry-after'] = String(err.retryAfterSeconds);
    if (err instanceof UnauthenticatedError) headers['www-authenticate'] = 'Bearer';
    return { problem, headers };
  }
  const problem: Problem = {
    type: PROBLEM_BASE + 'internal',
    title: 'Internal error',
    status: 500,
    detail: 'The hub failed to handle this request. It has been logged; retry, and report it if it persists.',
  };
  if (instance) problem.instance = instance;
  return { problem, headers };
}

/** True when the error is a known, client-facing error (anything else is logged as a bug). */
export function isClientError(err: unknown): boolean {
  return (
    err instanceof TetherError &&
    !(err instanceof ThrottledError) &&
    [
      ValidationError,
      MalformedInputError,
      NotFoundError,
      AlreadyExistsError,
      ConflictError,
      PayloadTooLargeError,
      UnauthenticatedError,
      ForbiddenError,
      StateError,
      RouteNotFoundError,
      MethodNotAllowedError,
      UnsupportedMediaTypeError,
    ].some((c) => err instanceof c)
  );
}
