/**
 * Failure injection for the in-memory cluster: tests make chosen calls fail the way a real API
 * server or network would (`KubeUnavailableError`, `KubeForbiddenError`, ...).
 */

/** The operations a failure can be injected into. */
export type ClusterVerb = 'apply' | 'create' | 'mergePatch' | 'get' | 'list' | 'delete' | 'discover' | 'isCrdEstablished' | 'serverVersion';

/** One call, as failure matchers see it. */
export interface ClusterCall {
  verb: ClusterVerb;
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
}

/** Selects calls: every given field must match, or a predicate. */
export type CallMatcher = Partial<ClusterCall> | ((call: ClusterCall) => boolean);

interface Fault {
  matcher: CallMatcher;
  error: Error | (() => Error);
  times: number;
}

function matches(matcher: CallMatcher, call: ClusterCall): boolean {
  if (typeof matcher === 'function') return matcher(call);
  return Object.entries(matcher).every(([k, v]) => v === undefined || call[k as keyof ClusterCall] === v);
}

/** Pending injected failures, consumed in the order they were added. */
export class FaultPlan {
  private readonly faults: Fault[] = [];

  /** The next `times` calls matching `matcher` fail with `error` (or what the factory returns). */
  add(matcher: CallMatcher, error: Error | (() => Error), times: number): void {
    this.faults.push({ matcher, error, times });
  }

  /** Throws the injected failure for this call, if one matches. */
  check(call: ClusterCall): void {
    const i = this.faults.findIndex((f) => matches(f.matcher, call));
    if (i < 0) return;
    const fault = this.faults[i];
    if (--fault.times <= 0) this.faults.splice(i, 1);
    throw typeof fault.error === 'function' ? fault.error() : fault.error;
  }
}
