import type { Problem } from '../shared/api.js';
import { TetherError, ValidationError } from '../shared/errors.js';

/**
 * The CLI's named errors and the exit code each one maps to.
 *
 * Exit codes are part of the CLI's contract (docs/cli.md, `tether --help`): scripts branch on them.
 */
export const ExitCode = {
  /** Everything worked. */
  Ok: 0,
  /** The hub refused or failed the request (API error, any apply document failed). */
  Failed: 1,
  /** Bad flags or arguments, unknown kind, invalid selector: nothing was sent. */
  Usage: 2,
  /** The hub cannot be reached, or no hub/token is configured, or the hub rejected the token as missing. */
  Unreachable: 3,
  /** The named object does not exist. */
  NotFound: 4,
  /** Optimistic-concurrency conflict or the object already exists. */
  Conflict: 5,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** The command line itself is wrong; nothing was sent to the hub. */
export class UsageError extends TetherError {
  static override readonly status = 400;
  static override readonly title = 'Usage error';
  readonly code = 'usage';
}

/** The hub answered with an RFC 9457 problem (or an error status we turned into one). */
export class HubProblemError extends TetherError {
  // 502: what an edge passing this on would answer (its upstream refused); the hub's own status is the instance's `status`, which the exit code follows.
  static override readonly status = 502;
  static override readonly title = 'Hub refused the request';
  readonly code = 'hub-problem';
  constructor(
    readonly problem: Problem,
    /** `METHOD URL` of the request, for verbose output. */
    readonly request: string,
    options?: ErrorOptions,
  ) {
    super(problem.detail || problem.title, options);
  }

  /** The HTTP status the hub answered with. */
  get status(): number {
    return this.problem.status;
  }
}

/** The hub could not be reached at all: connection refused, DNS failure, TLS failure or timeout. */
export class HubUnreachableError extends TetherError {
  // 503: the hub cannot be reached: an upstream fault that may pass.
  static override readonly status = 503;
  static override readonly title = 'Hub unreachable';
  readonly code = 'hub-unreachable';
  constructor(
    readonly hub: string,
    /** Short reason, e.g. `ECONNREFUSED` or `timed out after 30s`. */
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`cannot reach the hub at ${hub}: ${reason}`, options);
  }
}

/** No hub URL or no token is configured (flags, environment and config file all lack it). */
export class AuthMissingError extends TetherError {
  static override readonly status = 401;
  static override readonly title = 'Not logged in';
  readonly code = 'auth-missing';
  constructor(
    readonly missing: ReadonlyArray<'hub' | 'token'>,
    options?: ErrorOptions,
  ) {
    super(`no ${missing.map((m) => (m === 'hub' ? 'hub URL' : 'token')).join(' and no ')} configured`, options);
  }
}

/** The hub answered successfully but with something the CLI cannot understand (wrong shape, not JSON). */
export class HubResponseError extends TetherError {
  // 502: the hub answered something the CLI cannot read: an unexpected upstream answer.
  static override readonly status = 502;
  static override readonly title = 'Bad hub response';
  readonly code = 'hub-bad-response';
}

/** Maps any error thrown by a command to the process exit code. */
export function exitCodeFor(err: unknown): ExitCodeValue {
  if (err instanceof UsageError || err instanceof ValidationError) return ExitCode.Usage;
  if (err instanceof AuthMissingError || err instanceof HubUnreachableError) return ExitCode.Unreachable;
  if (err instanceof HubProblemError) return exitCodeForStatus(err.status);
  return ExitCode.Failed;
}

/** Exit code of a hub problem by its HTTP status. */
export function exitCodeForStatus(status: number): ExitCodeValue {
  if (status === 401) return ExitCode.Unreachable;
  if (status === 404) return ExitCode.NotFound;
  if (status === 409) return ExitCode.Conflict;
  return ExitCode.Failed;
}
