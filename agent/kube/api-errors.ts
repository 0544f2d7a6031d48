import {
  KubeAlreadyExistsError,
  KubeConflictError,
  KubeForbiddenError,
  KubeInvalidError,
  KubeNotFoundError,
  KubeRequestError,
  KubeUnavailableError,
  type FieldConflict,
  type InvalidCause,
  type KubeError,
} from './errors.js';
import { isPlainObject } from './json.js';

/**
 * Turns an API server's failed answer (HTTP status + `Status` body) into the layer's named errors.
 * Pure, so that the mapping is testable without a server and shared by every transport.
 */

/** A failed HTTP answer. `body` is the raw text or the parsed JSON. */
export interface FailedResponse {
  status: number;
  body: unknown;
  headers?: Readonly<Record<string, string>>;
}

/** The parts of a Kubernetes `Status` object the mapping reads. */
interface KubeStatus {
  message?: string;
  reason?: string;
  causes: InvalidCause[];
}

function parseStatus(body: unknown): KubeStatus {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return { message: body.trim() || undefined, causes: [] };
    }
  }
  if (!isPlainObject(value)) return { causes: [] };
  const details = isPlainObject(value.details) ? value.details : {};
  const causes = (Array.isArray(details.causes) ? details.causes : []).filter(isPlainObject).map((c) => {
    const cause: InvalidCause = { message: typeof c.message === 'string' ? c.message : '' };
    if (typeof c.field === 'string') cause.field = c.field;
    if (typeof c.reason === 'string') cause.reason = c.reason;
    return cause;
  });
  return {
    message: typeof value.message === 'string' ? value.message : undefined,
    reason: typeof value.reason === 'string' ? value.reason : undefined,
    causes,
  };
}

/** Field-manager conflicts from a 409's causes: `conflict with "kubectl-edit" using apps/v1` on `.spec.replicas`. */
function conflictsOf(status: KubeStatus): FieldConflict[] {
  return status.causes
    .filter((c) => c.reason === 'FieldManagerConflict')
    .map((c) => ({ manager: /conflict with "([^"]*)"/.exec(c.message)?.[1] ?? c.message, field: c.field ?? '' }));
}

function retryAfterOf(headers: Readonly<Record<string, string>> | undefined): number | undefined {
  const raw = headers?.['retry-after'];
  if (raw === undefined) return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000));
}

/**
 * The named error for a failed answer about `target` (`Deployment shop/web`).
 * 409 → conflict or already-exists, 404 → not found, 400/422 → invalid, 401/403 → forbidden,
 * 408/429/5xx → unavailable (retryable), anything else → KubeRequestError.
 */
export function errorFromResponse(response: FailedResponse, target: string, options?: ErrorOptions): KubeError {
  const status = parseStatus(response.body);
  const message = status.message ?? `HTTP ${response.status}`;
  const code = response.status;
  if (code === 409) {
    if (status.reason === 'AlreadyExists') return new KubeAlreadyExistsError(target, options);
    return new KubeConflictError(target, conflictsOf(status), { ...options, serverMessage: message });
  }
  if (code === 404) return new KubeNotFoundError(status.message ?? `${target} not found`, target, options);
  if (code === 400 || code === 422) return new KubeInvalidError(message, status.causes, options);
  if (code === 401) {
    return new KubeForbiddenError(`the API server rejected the agent's credentials (401 Unauthorized): ${message}`, options);
  }
  if (code === 403) return new KubeForbiddenError(message, options);
  if (code === 408 || code === 429 || code >= 500) {
    return new KubeUnavailableError(`the API server failed (${code}) on ${target}: ${message}`, retryAfterOf(response.headers), options);
  }
  return new KubeRequestError(`the API server answered ${code} on ${target}: ${message}`, code, options);
}
