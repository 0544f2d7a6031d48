import { describe, expect, it } from '@jest/globals';
import type { ClusterSpec, ClusterStatus } from '../../../../shared/resources/cluster.js';
import { getCondition, type Condition } from '../../../../shared/resources/meta.js';
import { headStateForGate } from '../../../../lambdas/capabilities/clusters/cluster-behaviour.js';
import {
  availabilityFor,
  hubTaintFor,
  withAvailable,
  withHeadState,
  withHubTaints,
  withTaintsOf,
  type ClusterResource,
} from '../../../../lambdas/capabilities/clusters/cluster-status.js';

const T0 = '2026-11-01T00:00:00Z';
const T1 = '2026-11-01T00:05:00Z';

function cluster(
  available?: Partial<Condition>,
  extra: { spec?: Partial<ClusterSpec>; status?: Partial<ClusterStatus> } = {},
): ClusterResource {
  const conditions: Condition[] = available
    ? [{ type: 'Available', status: 'Unknown', reason: 'NoLease', message: '', lastTransitionTime: T0, ...available }]
    : [];
  return {
    apiVersion: 'tether.dev/v1alpha1',
    kind: 'Cluster',
    metadata: { name: 'c', uid: 'u', resourceVersion: '1', generation: 1, creationTimestamp: T0 },
    spec: { hubAcceptsClient: true, leaseDurationSeconds: 60, taints: [], ...extra.spec },
    status: { conditions, ...extra.status },
  };
}

const available = (r: ClusterResource) => getCondition(r.status?.conditions, 'Available');

describe('availability transitions', () => {
  it('a live lease makes a cluster Available', () => {
    expect(availabilityFor(cluster({ status: 'Unknown', reason: 'NoLease' }), true)).toMatchObject({
      status: 'True',
      reason: 'AgentAvailable',
    });
    expect(availabilityFor(cluster({ status: 'Unknown', reason: 'LeaseExpired' }), true)).toMatchObject({ status: 'True' });
  });

  it('a live lease keeps an unhealthy agent Available=False', () => {
    const r = cluster({ status: 'Unknown', reason: 'LeaseExpired' }, { status: { agentHealth: { healthy: false, message: 'disk full' } } });
    expect(availabilityFor(r, true)).toEqual({ status: 'False', reason: 'AgentUnhealthy', message: 'disk full' });
  });

  it('a lost lease turns a seen cluster Unknown, with how long it was silent', () => {
    expect(availabilityFor(cluster({ status: 'True' }), false, 95)).toEqual({
      status: 'Unknown',
      reason: 'LeaseExpired',
      message: 'no heartbeat for 95 s',
    });
    expect(availabilityFor(cluster({ status: 'False' }), false)).toMatchObject({
      status: 'Unknown',
      message: 'no heartbeat within three lease durations',
    });
  });

  it('a lost lease leaves a never-seen or already-Unknown cluster alone', () => {
    expect(availabilityFor(cluster({ status: 'Unknown', reason: 'NoLease' }), false)).toBeUndefined();
    expect(availabilityFor(cluster({ status: 'Unknown', reason: 'LeaseExpired' }), false, 500)).toBeUndefined();
  });
});

describe('hub taints', () => {
  it('follow the Available condition', () => {
    expect(hubTaintFor(undefined)).toBeUndefined();
    expect(hubTaintFor({ type: 'Available', status: 'True', reason: 'x', message: '', lastTransitionTime: T0 })).toBeUndefined();
    expect(hubTaintFor({ type: 'Available', status: 'False', reason: 'x', message: '', lastTransitionTime: T0 })).toBe(
      'tether.dev/unavailable',
    );
    expect(hubTaintFor({ type: 'Available', status: 'Unknown', reason: 'LeaseExpired', message: '', lastTransitionTime: T0 })).toBe(
      'tether.dev/unreachable',
    );
    // Never reported (imported, not accepted or no agent yet): unreachable too, as in OCM, so
    // placements do not choose a store whose hardware has not arrived.
    expect(hubTaintFor({ type: 'Available', status: 'Unknown', reason: 'NoLease', message: '', lastTransitionTime: T0 })).toBe(
      'tether.dev/unreachable',
    );
  });

  it('are added and removed without touching user taints', () => {
    const user = { key: 'example.com/maintenance', effect: 'NoSelect' as const };
    const lost = withAvailable(
      cluster({ status: 'True' }, { spec: { taints: [user] } }),
      { status: 'Unknown', reason: 'LeaseExpired', message: 'm' },
      T1,
    );
    expect(lost.spec.taints).toEqual([user, { key: 'tether.dev/unreachable', effect: 'NoSelect', timeAdded: T1 }]);
    expect(available(lost)).toMatchObject({ status: 'Unknown', lastTransitionTime: T1 });
    const back = withAvailable(lost, { status: 'True', reason: 'AgentAvailable', message: 'm' }, T1);
    expect(back.spec.taints).toEqual([user]);
    const sick = withAvailable(back, { status: 'False', reason: 'AgentUnhealthy', message: 'm' }, T1);
    expect(sick.spec.taints).toEqual([user, { key: 'tether.dev/unavailable', effect: 'NoSelect', timeAdded: T1 }]);
  });

  it('come back when a user removes one the condition still calls for, keeping an existing timeAdded', () => {
    const r = cluster({ status: 'Unknown', reason: 'LeaseExpired' });
    expect(withHubTaints(r, T1).spec.taints).toEqual([{ key: 'tether.dev/unreachable', effect: 'NoSelect', timeAdded: T1 }]);
    const kept = cluster(
      { status: 'Unknown', reason: 'LeaseExpired' },
      { spec: { taints: [{ key: 'tether.dev/unreachable', effect: 'NoSelect', timeAdded: T0 }] } },
    );
    expect(withHubTaints(kept, T1)).toBe(kept);
  });

  it("are the hub's on a user's write: one left out stays with its timeAdded, one added is dropped", () => {
    const hubTaint = { key: 'tether.dev/unreachable', effect: 'NoSelect' as const, timeAdded: T0 };
    const user = { key: 'example.com/maintenance', effect: 'NoSelect' as const };
    const stored = cluster({ status: 'Unknown', reason: 'NoLease' }, { spec: { taints: [hubTaint] } });
    const applied = cluster(
      { status: 'Unknown', reason: 'NoLease' },
      { spec: { taints: [user, { key: 'tether.dev/unavailable', effect: 'NoSelect' }] } },
    );
    expect(withTaintsOf(applied, stored).spec.taints).toEqual([user, hubTaint]);
    expect(withTaintsOf(cluster({ status: 'True' }), cluster({ status: 'True' }, { spec: { taints: [user] } })).spec.taints).toEqual([]);
  });
});

describe('head states on the record', () => {
  it('sets phase and acceptance per state', () => {
    const pending = withHeadState(cluster(), { state: 'Pending' }, T1);
    expect(pending.status?.phase).toBe('Pending');
    expect(getCondition(pending.status?.conditions, 'HubAccepted')).toMatchObject({ status: 'False', reason: 'AwaitingAcceptance' });
    const joined = withHeadState(cluster(), { state: 'Joined' }, T1);
    expect(joined.status?.phase).toBe('Joined');
    expect(getCondition(joined.status?.conditions, 'HubAccepted')).toMatchObject({ status: 'True' });
    expect(withHeadState(cluster(), { state: 'Detaching' }, T1).status?.phase).toBe('Detaching');
  });

  it('a deny cuts the agent off on the record too', () => {
    const denied = withHeadState(cluster({ status: 'True' }), { state: 'Denied' }, T1);
    expect(denied.status?.phase).toBe('Denied');
    expect(getCondition(denied.status?.conditions, 'HubAccepted')).toMatchObject({ status: 'False', reason: 'HubClusterAdminDenied' });
    expect(getCondition(denied.status?.conditions, 'Joined')).toMatchObject({ status: 'False', reason: 'CredentialsRevoked' });
    expect(available(denied)).toMatchObject({ status: 'Unknown', reason: 'CredentialsRevoked' });
    expect(denied.spec.taints?.map((t) => t.key)).toEqual(['tether.dev/unreachable']);
  });
});

describe('the acceptance gate', () => {
  it('admits pending and denied clusters, denies admitted ones, and leaves the rest', () => {
    expect(headStateForGate('Pending', true)).toBe('Accepted');
    expect(headStateForGate('Denied', true)).toBe('Accepted');
    expect(headStateForGate('Joined', true)).toBe('Joined');
    expect(headStateForGate('Accepted', false)).toBe('Denied');
    expect(headStateForGate('Joined', false)).toBe('Denied');
    expect(headStateForGate('Pending', false)).toBe('Pending');
    expect(headStateForGate('Detaching', true)).toBe('Detaching');
    expect(headStateForGate('Detaching', false)).toBe('Detaching');
  });
});
