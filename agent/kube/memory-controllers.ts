import { canonicalHash } from '../../shared/hash.js';
import { isPlainObject } from './json.js';
import type { KubeObject } from './types.js';

/**
 * The in-memory cluster's stand-in for kube-controller-manager: it makes workloads look as a
 * healthy real cluster reports them, so that feedback and readiness logic can be exercised in
 * simulation. No Pods or ReplicaSets are created; only the workload's status is written.
 *
 * Counts that the real API types mark `omitempty` are left out when zero, as the real API server
 * does: readers must treat a missing count as 0.
 */

/** The manager name the simulated controllers write status under (as the real one does). */
export const CONTROLLER_MANAGER = 'kube-controller-manager';

/** Kinds the simulated controllers write status for. */
export const CONTROLLED_KINDS: ReadonlySet<string> = new Set([
  'apps/v1|Deployment',
  'apps/v1|StatefulSet',
  'apps/v1|DaemonSet',
  'batch/v1|Job',
]);

function spec(obj: KubeObject): Record<string, unknown> {
  return isPlainObject(obj.spec) ? obj.spec : {};
}

function replicasOf(obj: KubeObject): number {
  const r = spec(obj).replicas;
  return typeof r === 'number' && r >= 0 ? r : 1;
}

function withoutZeros(status: Record<string, unknown>): Record<string, unknown> {
  for (const [k, v] of Object.entries(status)) if (v === 0) delete status[k];
  return status;
}

function revisionOf(obj: KubeObject): string {
  return `${obj.metadata.name}-${canonicalHash(spec(obj).template ?? {}).slice(0, 10)}`;
}

/**
 * The status the simulated controller would write now, or undefined when it has nothing to do
 * (not a controlled kind, or the status already reflects the current generation).
 */
export function simulatedStatus(obj: KubeObject, nodeCount: number, now: string): Record<string, unknown> | undefined {
  const key = `${obj.apiVersion}|${obj.kind}`;
  if (!CONTROLLED_KINDS.has(key)) return undefined;
  const previous = isPlainObject(obj.status) ? obj.status : {};
  const generation = obj.metadata.generation;
  if (obj.kind === 'Job') {
    const done = Array.isArray(previous.conditions) && previous.conditions.some((c) => isPlainObject(c) && c.type === 'Complete');
    if (done) return undefined;
    const completions = spec(obj).completions;
    const succeeded = typeof completions === 'number' && completions > 0 ? completions : 1;
    return {
      startTime: now,
      completionTime: now,
      succeeded,
      ready: 0,
      terminating: 0,
      uncountedTerminatedPods: {},
      conditions: [
        {
          type: 'SuccessCriteriaMet',
          status: 'True',
          reason: 'CompletionsReached',
          message: 'Reached expected number of succeeded pods',
          lastProbeTime: now,
          lastTransitionTime: now,
        },
        {
          type: 'Complete',
          status: 'True',
          reason: 'CompletionsReached',
          message: 'Reached expected number of succeeded pods',
          lastProbeTime: now,
          lastTransitionTime: now,
        },
      ],
    };
  }
  if (previous.observedGeneration === generation) return undefined;
  switch (obj.kind) {
    case 'Deployment': {
      const n = replicasOf(obj);
      return {
        observedGeneration: generation,
        ...withoutZeros({ replicas: n, updatedReplicas: n, readyReplicas: n, availableReplicas: n }),
        conditions: [
          {
            type: 'Available',
            status: 'True',
            reason: 'MinimumReplicasAvailable',
            message: 'Deployment has minimum availability.',
            lastUpdateTime: now,
            lastTransitionTime: now,
          },
          {
            type: 'Progressing',
            status: 'True',
            reason: 'NewReplicaSetAvailable',
            message: `ReplicaSet "${revisionOf(obj)}" has successfully progressed.`,
            lastUpdateTime: now,
            lastTransitionTime: now,
          },
        ],
      };
    }
    case 'StatefulSet': {
      // Real StatefulSets report counts and revisions but no conditions.
      const n = replicasOf(obj);
      const revision = revisionOf(obj);
      return {
        observedGeneration: generation,
        replicas: n,
        availableReplicas: n,
        ...withoutZeros({ readyReplicas: n, currentReplicas: n, updatedReplicas: n }),
        currentRevision: revision,
        updateRevision: revision,
        collisionCount: 0,
      };
    }
    case 'DaemonSet':
      // Every node runs one pod (nodeSelector and taints are not simulated).
      return {
        observedGeneration: generation,
        currentNumberScheduled: nodeCount,
        desiredNumberScheduled: nodeCount,
        numberMisscheduled: 0,
        numberReady: nodeCount,
        ...withoutZeros({ numberAvailable: nodeCount, updatedNumberScheduled: nodeCount }),
      };
  }
  return undefined;
}
