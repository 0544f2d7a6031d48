import { describe, expect, it } from '@jest/globals';
import type { Condition } from '../../../../shared/resources/meta.js';
import { clusterState, withState } from '../../../../lambdas/capabilities/clusters/cluster-state.js';
import type { ClusterResource } from '../../../../lambdas/capabilities/clusters/cluster-status.js';

const T0 = '2026-11-01T00:00:00Z';

function cluster(opts: {
  accepted?: boolean;
  phase?: string;
  available?: Pick<Condition, 'status' | 'reason'>;
  deleting?: boolean;
}): ClusterResource {
  const conditions: Condition[] = opts.available ? [{ type: 'Available', message: '', lastTransitionTime: T0, ...opts.available }] : [];
  return {
    apiVersion: 'tether.dev/v1alpha1',
    kind: 'Cluster',
    metadata: {
      name: 'c',
      uid: 'u',
      resourceVersion: '1',
      generation: 1,
      creationTimestamp: T0,
      ...(opts.deleting ? { deletionTimestamp: T0 } : {}),
    },
    spec: { hubAcceptsClient: opts.accepted ?? true, leaseDurationSeconds: 60, taints: [] },
    status: { conditions, ...(opts.phase ? { phase: opts.phase } : {}) },
  };
}

const never = { status: 'Unknown', reason: 'NoLease' } as const;

describe('status.state, the STATUS column', () => {
  it('tells each stage of a cluster apart', () => {
    expect(clusterState(cluster({ accepted: false, phase: 'Pending', available: never }))).toBe('PendingAcceptance');
    expect(
      clusterState(cluster({ accepted: false, phase: 'Denied', available: { status: 'Unknown', reason: 'CredentialsRevoked' } })),
    ).toBe('Denied');
    expect(clusterState(cluster({ phase: 'Accepted', available: never }))).toBe('WaitingForAgent');
    expect(clusterState(cluster({ phase: 'Joined', available: { status: 'True', reason: 'AgentAvailable' } }))).toBe('Available');
    expect(clusterState(cluster({ phase: 'Joined', available: { status: 'False', reason: 'AgentUnhealthy' } }))).toBe('Unavailable');
    expect(clusterState(cluster({ phase: 'Joined', available: { status: 'Unknown', reason: 'LeaseExpired' } }))).toBe('Unknown');
    expect(clusterState(cluster({ phase: 'Detaching', available: { status: 'True', reason: 'AgentAvailable' } }))).toBe('Detaching');
  });

  it('puts the lifecycle before availability', () => {
    // A deleted cluster is detaching whatever its lease says; a denied one is denied though its gate is closed.
    expect(clusterState(cluster({ phase: 'Joined', deleting: true, available: { status: 'True', reason: 'AgentAvailable' } }))).toBe(
      'Detaching',
    );
    expect(clusterState(cluster({ accepted: false, phase: 'Denied' }))).toBe('Denied');
    // A record without an Available condition yet (accepted): waiting for its agent.
    expect(clusterState(cluster({ phase: 'Accepted' }))).toBe('WaitingForAgent');
  });

  it('is added to the status, keeping the rest', () => {
    const c = cluster({ phase: 'Joined', available: { status: 'True', reason: 'AgentAvailable' } });
    expect(withState(c).status).toEqual({ ...c.status, state: 'Available' });
  });
});
