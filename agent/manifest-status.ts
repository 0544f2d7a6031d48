import { setCondition, type Condition } from '../shared/resources/meta.js';
import {
  KubeConflictError,
  KubeForbiddenError,
  KubeInvalidError,
  KubeNotFoundError,
  KubeTimeoutError,
  KubeUnavailableError,
  KubeUnknownKindError,
} from './kube/errors.js';
import { conditionOf, type KubeObject } from './kube/types.js';

/**
 * Conditions of one applied manifest (Applied, Available, Degraded) with reasons and messages a
 * person can act on, and the health of common workload kinds read from their status.
 */

/** The condition types of a manifest and of a work. */
export const ManifestConditions = { Applied: 'Applied', Available: 'Available', Degraded: 'Degraded' } as const;

/** Why an apply failed, as a condition reason and message. */
export interface FailureReason {
  reason: string;
  message: string;
  /** Whether the same apply may work later unchanged (the cluster was busy), as opposed to needing a change. */
  retryable: boolean;
}

/** Explains an apply error in words a person can act on. */
export function explainFailure(err: unknown, target: string): FailureReason {
  if (err instanceof KubeConflictError) {
    // The error's own message names the managers and the fields, and says to set force.
    return { reason: 'ApplyConflict', message: err.message, retryable: false };
  }
  if (err instanceof KubeUnknownKindError) {
    return {
      reason: 'UnknownKind',
      message: `${target}: the cluster does not serve kind ${err.kind} in ${err.apiVersion}; install its CustomResourceDefinition (add it to this work or apply it on the cluster) and the agent will retry`,
      retryable: true,
    };
  }
  if (err instanceof KubeInvalidError) {
    const causes = err.causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
    const quoted = causes.length ? `${err.message} (${causes.join('; ')})` : err.message;
    return { reason: 'Invalid', message: `the API server rejected ${target}: ${quoted}; fix the manifest in the work`, retryable: false };
  }
  if (err instanceof KubeForbiddenError) {
    return {
      reason: 'Forbidden',
      message: `the agent is not allowed to write ${target}: ${err.message}; grant the agent's ServiceAccount this permission (see docs/agent.md, RBAC)`,
      retryable: false,
    };
  }
  if (err instanceof KubeNotFoundError) {
    return {
      reason: 'NotFound',
      message: `${target}: ${err.message}; add the Namespace to this work or create it on the cluster`,
      retryable: true,
    };
  }
  if (err instanceof KubeTimeoutError) return { reason: 'Timeout', message: `${target}: ${err.message}`, retryable: true };
  if (err instanceof KubeUnavailableError) {
    return {
      reason: 'ClusterUnavailable',
      message: `the API server did not answer for ${target}: ${err.message}; the agent will retry`,
      retryable: true,
    };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { reason: 'ApplyFailed', message: `${target}: ${message}`, retryable: true };
}

/** A workload's health as its status reports it. */
export interface Health {
  available: boolean;
  degraded: boolean;
  reason: string;
  message: string;
}

function num(v: unknown): number {
  return typeof v === 'number' ? v : 0;
}

/**
 * Reads availability from an object's status: Deployments, StatefulSets, DaemonSets and Jobs by
 * their counts and conditions; any other object with a `Ready` or `Available` condition by it;
 * anything else is available once it exists.
 */
export function healthOf(live: KubeObject): Health {
  const status = (live.status ?? {}) as Record<string, unknown>;
  const spec = (live.spec ?? {}) as Record<string, unknown>;
  const generation = live.metadata.generation;
  const observed = status.observedGeneration;
  const stale = typeof generation === 'number' && typeof observed === 'number' && observed < generation;
  switch (`${live.apiVersion.split('/')[0]}/${live.kind}`) {
    case 'apps/Deployment': {
      const progressing = conditionOf(live, 'Progressing');
      if (progressing?.status === 'False') {
        return {
          available: false,
          degraded: true,
          reason: progressing.reason ?? 'ProgressDeadlineExceeded',
          message: progressing.message ?? 'the rollout stopped progressing',
        };
      }
      const failure = conditionOf(live, 'ReplicaFailure');
      if (failure?.status === 'True')
        return {
          available: false,
          degraded: true,
          reason: failure.reason ?? 'ReplicaFailure',
          message: failure.message ?? 'replicas cannot be created',
        };
      const available = conditionOf(live, 'Available');
      if (stale)
        return {
          available: false,
          degraded: false,
          reason: 'Progressing',
          message: `waiting for the controller to observe generation ${generation}`,
        };
      if (available?.status === 'True')
        return {
          available: true,
          degraded: false,
          reason: 'MinimumReplicasAvailable',
          message: `${num(status.availableReplicas)} of ${replicasOf(spec)} replicas available`,
        };
      return {
        available: false,
        degraded: false,
        reason: available?.reason ?? 'Progressing',
        message: available?.message ?? `${num(status.availableReplicas)} of ${replicasOf(spec)} replicas available`,
      };
    }
    case 'apps/StatefulSet': {
      const want = replicasOf(spec);
      const ready = num(status.readyReplicas);
      const ok = !stale && ready >= want && typeof observed === 'number';
      return {
        available: ok,
        degraded: false,
        reason: ok ? 'ReplicasReady' : 'Progressing',
        message: `${ready} of ${want} replicas ready`,
      };
    }
    case 'apps/DaemonSet': {
      const want = num(status.desiredNumberScheduled);
      const avail = num(status.numberAvailable);
      const ok = !stale && typeof observed === 'number' && avail >= want;
      return {
        available: ok,
        degraded: false,
        reason: ok ? 'PodsAvailable' : 'Progressing',
        message: `${avail} of ${want} pods available`,
      };
    }
    case 'batch/Job': {
      const failed = conditionOf(live, 'Failed');
      if (failed?.status === 'True')
        return { available: false, degraded: true, reason: failed.reason ?? 'JobFailed', message: failed.message ?? 'the job failed' };
      const complete = conditionOf(live, 'Complete');
      if (complete?.status === 'True')
        return { available: true, degraded: false, reason: 'Complete', message: `${num(status.succeeded)} pods succeeded` };
      return {
        available: false,
        degraded: false,
        reason: 'Running',
        message: `${num(status.active)} active, ${num(status.succeeded)} succeeded`,
      };
    }
  }
  const ready = conditionOf(live, 'Ready') ?? conditionOf(live, 'Available');
  if (ready) {
    const ok = ready.status === 'True';
    return {
      available: ok,
      degraded: false,
      reason: ready.reason ?? (ok ? 'Ready' : 'NotReady'),
      message: ready.message ?? `${ready.type} is ${ready.status}`,
    };
  }
  return { available: true, degraded: false, reason: 'Exists', message: 'the object exists' };
}

function replicasOf(spec: Record<string, unknown>): number {
  return typeof spec.replicas === 'number' ? spec.replicas : 1;
}

/** A condition without its transition time (set by {@link withConditions}). */
export type ConditionInput = Omit<Condition, 'lastTransitionTime'>;

/** Builds a condition list, keeping each type's lastTransitionTime from `previous` when its status did not change. */
export function withConditions(previous: Condition[] | undefined, next: ConditionInput[], now: string): Condition[] {
  let list: Condition[] = [];
  for (const c of next) {
    const prev = previous?.find((p) => p.type === c.type);
    list = setCondition(list, c, now);
    if (prev && prev.status === c.status) list[list.length - 1].lastTransitionTime = prev.lastTransitionTime;
  }
  return list;
}
