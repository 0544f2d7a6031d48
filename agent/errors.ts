import { TetherError } from '../shared/errors.js';

/**
 * Named errors of the agent's conversation with the hub. The poll loop decides on the class alone:
 * {@link HubUnavailableError} and {@link HubProtocolError} back off, {@link JoinPendingError} waits,
 * {@link CredentialRejectedError} stops polling. None of them ever leads to deleting a workload.
 */

/** The hub could not be reached or answered 408, 429 or 5xx: retry later, honouring `retryAfterMs`. */
export class HubUnavailableError extends TetherError {
  // 503: the hub is down, overloaded or unreachable: an upstream fault that may pass (the hub's own answer, if any, is the instance's `status`).
  static override readonly status = 503;
  static override readonly title = 'Hub unavailable';
  readonly code = 'hub-unavailable';
  constructor(
    message: string,
    /** From `Retry-After` (seconds or HTTP date), in milliseconds, when the hub sent one. */
    readonly retryAfterMs?: number,
    /** The HTTP status, when there was an answer at all. */
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * The hub refused the credential or bootstrap token (401 or 403): it was revoked (deny, detach,
 * delete), has expired, or belongs to another cluster. Retrying with the same secret cannot succeed.
 */
export class CredentialRejectedError extends TetherError {
  static override readonly status = 401;
  static override readonly title = 'Credential rejected';
  readonly code = 'credential-rejected';
  constructor(
    message: string,
    readonly status: 401 | 403,
    /** The hub's problem detail, for the log line a person reads. */
    readonly detail?: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The cluster is not accepted yet (join answered 202): wait and try again. */
export class JoinPendingError extends TetherError {
  static override readonly status = 409;
  static override readonly title = 'Join pending';
  readonly code = 'join-pending';
  constructor(
    message: string,
    /** How long the hub asked the agent to wait. */
    readonly retryAfterMs: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * The hub answered something the agent does not understand: an unexpected status (400, 404, 409,
 * 422, ...) or a body that fails the protocol schema. Usually a hub/agent version mismatch.
 */
export class HubProtocolError extends TetherError {
  // 502: the hub answered something the agent does not understand: an upstream answer, usually a version mismatch (the hub's status, if any, is the instance's `status`).
  static override readonly status = 502;
  static override readonly title = 'Hub protocol error';
  readonly code = 'hub-protocol';
  constructor(
    message: string,
    readonly status?: number,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The agent's own configuration is unusable (bad hub URL, missing cluster name). */
export class AgentConfigError extends TetherError {
  // 500: the agent's own configuration is unusable: the server side of any exchange is broken.
  static override readonly status = 500;
  static override readonly title = 'Agent misconfigured';
  readonly code = 'agent-config';
}
