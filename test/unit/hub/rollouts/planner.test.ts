import { describe, expect, it } from '@jest/globals';
import {
  planRolloutWave,
  type ClusterRolloutState,
  type PlanInput,
  type PlanStrategy,
} from '../../../../lambdas/capabilities/rollouts/planner.js';

const MIN = 60_000;
const NOW = Date.parse('2026-11-10T12:00:00Z');

function strategy(over: Partial<PlanStrategy> = {}): PlanStrategy {
  return { type: 'Progressive', minSuccessMs: 0, maxFailures: 0, mandatoryGroups: [], waveDelayMs: 0, ...over };
}

function pending(name: string, group = '', inWindow = true): ClusterRolloutState {
  return { name, group, phase: 'pending', inWindow };
}

function fleet(n: number, group = '', prefix = 'c'): ClusterRolloutState[] {
  return Array.from({ length: n }, (_, i) => pending(`${prefix}-${String(i).padStart(2, '0')}`, group));
}

function plan(over: Partial<PlanInput>): ReturnType<typeof planRolloutWave> {
  return planRolloutWave({
    strategy: strategy(),
    groups: [],
    clusters: [],
    now: NOW,
    paused: false,
    aborted: false,
    failurePaused: false,
    acknowledgedFailures: 0,
    ...over,
  });
}

describe('wave sizes', () => {
  it('All updates every pending cluster at once', () => {
    const p = plan({ strategy: strategy({ type: 'All' }), clusters: fleet(7) });
    expect(p.update).toHaveLength(7);
    expect(p.state).toBe('Progressing');
  });

  it('Progressive keeps at most maxConcurrency clusters in flight, as a number', () => {
    const clusters = fleet(10);
    clusters[0] = { ...clusters[0], phase: 'progressing', updatedAt: NOW - MIN };
    const p = plan({ strategy: strategy({ maxConcurrency: 3 }), clusters });
    expect(p.counts.inFlight).toBe(1);
    expect(p.update).toEqual(['c-01', 'c-02']);
  });

  it('Progressive resolves a percentage against the total, rounding up, at least one', () => {
    expect(plan({ strategy: strategy({ maxConcurrency: '10%' }), clusters: fleet(25) }).update).toHaveLength(3);
    expect(plan({ strategy: strategy({ maxConcurrency: '1%' }), clusters: fleet(5) }).update).toHaveLength(1);
    expect(plan({ strategy: strategy({ maxConcurrency: '100%' }), clusters: fleet(5) }).update).toHaveLength(5);
  });

  it('Progressive defaults to 25% in flight', () => {
    expect(plan({ clusters: fleet(8) }).update).toHaveLength(2);
  });

  it('hands out nothing while the slots are full', () => {
    const clusters = fleet(4).map((c, i) => (i < 2 ? { ...c, phase: 'progressing' as const, updatedAt: NOW } : c));
    const p = plan({ strategy: strategy({ maxConcurrency: 2 }), clusters });
    expect(p.update).toEqual([]);
    expect(p.message).toBe('2 clusters in flight');
  });
});

describe('group order and mandatory groups', () => {
  const groups = ['canary', 'east', 'west'];
  const clusters = [...fleet(2, 'west', 'w'), ...fleet(3, 'east', 'e'), ...fleet(2, 'canary', 'k')];

  it('ProgressivePerGroup updates one group at a time, in decision order', () => {
    const p = plan({ strategy: strategy({ type: 'ProgressivePerGroup' }), groups, clusters });
    expect(p.update).toEqual(['k-00', 'k-01']);
    const afterCanary = clusters.map((c) =>
      c.group === 'canary' ? { ...c, phase: 'available' as const, updatedAt: NOW - MIN, since: NOW - MIN } : c,
    );
    const next = plan({ strategy: strategy({ type: 'ProgressivePerGroup' }), groups, clusters: afterCanary });
    expect(next.update).toEqual(['e-00', 'e-01', 'e-02']);
    expect(next.groups.map((g) => [g.name, g.state])).toEqual([
      ['canary', 'Succeeded'],
      ['east', 'Pending'],
      ['west', 'Pending'],
    ]);
  });

  it('does not start the next group while one cluster of the current group is in flight', () => {
    const state = clusters.map((c) =>
      c.group === 'canary'
        ? {
            ...c,
            phase: (c.name === 'k-01' ? 'progressing' : 'available') as 'progressing' | 'available',
            updatedAt: NOW - MIN,
            since: NOW - MIN,
          }
        : c,
    );
    const p = plan({ strategy: strategy({ type: 'ProgressivePerGroup' }), groups, clusters: state });
    expect(p.update).toEqual([]);
    expect(p.groups[0].state).toBe('Progressing');
  });

  it('mandatory groups go first, in their listed order, whatever the decision order', () => {
    const p = plan({ strategy: strategy({ type: 'ProgressivePerGroup', mandatoryGroups: ['west'] }), groups, clusters });
    expect(p.update).toEqual(['w-00', 'w-01']);
    expect(p.groups.map((g) => [g.name, g.mandatory])).toEqual([
      ['west', true],
      ['canary', false],
      ['east', false],
    ]);
  });

  it('Progressive and All also finish mandatory groups before the rest', () => {
    const prog = plan({ strategy: strategy({ maxConcurrency: 10, mandatoryGroups: ['canary'] }), groups, clusters });
    expect(prog.update).toEqual(['k-00', 'k-01']);
    const all = plan({ strategy: strategy({ type: 'All', mandatoryGroups: ['canary'] }), groups, clusters });
    expect(all.update).toEqual(['k-00', 'k-01']);
    const done = clusters.map((c) =>
      c.group === 'canary' ? { ...c, phase: 'available' as const, updatedAt: NOW - MIN, since: NOW - MIN } : c,
    );
    expect(plan({ strategy: strategy({ type: 'All', mandatoryGroups: ['canary'] }), groups, clusters: done }).update).toEqual([
      'e-00',
      'e-01',
      'e-02',
      'w-00',
      'w-01',
    ]);
  });

  it('a failure in a mandatory group pauses even within maxFailures', () => {
    const state = clusters.map((c) => (c.name === 'k-00' ? { ...c, phase: 'failed' as const, updatedAt: NOW - MIN } : c));
    const p = plan({
      strategy: strategy({ type: 'ProgressivePerGroup', mandatoryGroups: ['canary'], maxFailures: 5 }),
      groups,
      clusters: state,
    });
    expect(p.pause?.reason).toBe('MandatoryGroupFailed');
    expect(p.state).toBe('Failed');
    expect(p.update).toEqual([]);
    // After a resume acknowledged it, the group counts as done and the rollout moves on.
    const resumed = plan({
      strategy: strategy({ type: 'ProgressivePerGroup', mandatoryGroups: ['canary'], maxFailures: 5 }),
      groups,
      clusters: state.map((c) => (c.name === 'k-01' ? { ...c, phase: 'available' as const, updatedAt: NOW - MIN, since: NOW - MIN } : c)),
      acknowledgedFailures: 1,
    });
    expect(resumed.pause).toBeUndefined();
    expect(resumed.update).toEqual(['e-00', 'e-01', 'e-02']);
  });
});

describe('failure thresholds', () => {
  const failedAt = (c: ClusterRolloutState): ClusterRolloutState => ({ ...c, phase: 'failed', updatedAt: NOW - MIN });

  it('maxFailures 0 pauses at the first failure, with a reason', () => {
    const clusters = fleet(5);
    clusters[0] = failedAt(clusters[0]);
    const p = plan({ strategy: strategy({ maxConcurrency: 2 }), clusters });
    expect(p.pause).toEqual({ reason: 'MaxFailuresExceeded', message: '1 cluster failed; maxFailures allows 0' });
    expect(p.update).toEqual([]);
  });

  it('tolerates maxFailures failures and pauses past them', () => {
    const clusters = fleet(6);
    clusters[0] = failedAt(clusters[0]);
    clusters[1] = failedAt(clusters[1]);
    expect(plan({ strategy: strategy({ maxFailures: 2, maxConcurrency: 2 }), clusters }).pause).toBeUndefined();
    clusters[2] = failedAt(clusters[2]);
    expect(plan({ strategy: strategy({ maxFailures: 2, maxConcurrency: 2 }), clusters }).pause?.reason).toBe('MaxFailuresExceeded');
  });

  it('resolves a percentage of maxFailures against the total, rounding down', () => {
    const clusters = fleet(19);
    clusters[0] = failedAt(clusters[0]);
    // 10% of 19 is 1.9: one failure is tolerated, two are not.
    const one = plan({ strategy: strategy({ maxFailures: '10%' }), clusters });
    expect(one.failureThreshold).toBe(1);
    expect(one.pause).toBeUndefined();
    clusters[1] = failedAt(clusters[1]);
    expect(plan({ strategy: strategy({ maxFailures: '10%' }), clusters }).pause?.reason).toBe('MaxFailuresExceeded');
  });

  it('a latched failure pause holds even after the failure cleared, until a resume', () => {
    const p = plan({ clusters: fleet(3), failurePaused: true });
    expect(p.state).toBe('Failed');
    expect(p.update).toEqual([]);
    expect(p.pause).toBeUndefined();
  });

  it('acknowledged failures do not pause again; a new one does', () => {
    const clusters = fleet(6);
    clusters[0] = failedAt(clusters[0]);
    expect(plan({ clusters, acknowledgedFailures: 1 }).pause).toBeUndefined();
    clusters[1] = failedAt(clusters[1]);
    expect(plan({ clusters, acknowledgedFailures: 1 }).pause?.message).toBe('2 clusters failed (1 acknowledged); maxFailures allows 0');
  });
});

describe('minSuccessTime and deadlines', () => {
  it('a cluster counts as succeeded only after being Available for minSuccessTime', () => {
    const c: ClusterRolloutState = {
      name: 'a',
      group: '',
      phase: 'available',
      updatedAt: NOW - 10 * MIN,
      since: NOW - 4 * MIN,
      inWindow: true,
    };
    const early = plan({ strategy: strategy({ minSuccessMs: 5 * MIN }), clusters: [c, pending('b')] });
    expect(early.outcomes.a).toBe('inFlight');
    expect(early.nextCheckAt).toBe(NOW + MIN);
    const later = plan({ strategy: strategy({ minSuccessMs: 5 * MIN }), clusters: [c, pending('b')], now: NOW + MIN });
    expect(later.outcomes.a).toBe('succeeded');
    expect(later.newlySucceeded).toEqual(['a']);
  });

  it('success is sticky: a succeeded cluster that degrades later does not reopen its wave', () => {
    const c: ClusterRolloutState = {
      name: 'a',
      group: '',
      phase: 'degraded',
      updatedAt: NOW - 60 * MIN,
      since: NOW - MIN,
      succeeded: true,
      inWindow: true,
    };
    const p = plan({ strategy: strategy({ progressDeadlineMs: 10 * MIN }), clusters: [c] });
    expect(p.outcomes.a).toBe('succeeded');
    expect(p.complete).toBe(true);
    expect(p.newlySucceeded).toEqual([]);
  });

  it('a cluster that does not succeed within progressDeadline fails', () => {
    const slow: ClusterRolloutState = { name: 'a', group: '', phase: 'progressing', updatedAt: NOW - 10 * MIN, inWindow: true };
    expect(plan({ strategy: strategy({ progressDeadlineMs: 10 * MIN }), clusters: [slow] }).outcomes.a).toBe('failed');
    expect(plan({ strategy: strategy({ progressDeadlineMs: 11 * MIN }), clusters: [slow] }).outcomes.a).toBe('inFlight');
    expect(plan({ strategy: strategy({ progressDeadlineMs: 11 * MIN }), clusters: [slow] }).nextCheckAt).toBe(NOW + MIN);
  });

  it('without a deadline (None) a slow cluster never fails', () => {
    const slow: ClusterRolloutState = {
      name: 'a',
      group: '',
      phase: 'degraded',
      updatedAt: NOW - 1000 * MIN,
      since: NOW - 999 * MIN,
      inWindow: true,
    };
    expect(plan({ clusters: [slow] }).outcomes.a).toBe('inFlight');
  });

  it('Applied=False fails at once, deadline or not', () => {
    const bad: ClusterRolloutState = { name: 'a', group: '', phase: 'failed', updatedAt: NOW, inWindow: true };
    expect(plan({ strategy: strategy({ progressDeadlineMs: 60 * MIN, maxFailures: 1 }), clusters: [bad] }).outcomes.a).toBe('failed');
  });
});

describe('offline clusters', () => {
  it('count as failed only after progressDeadline since they went offline', () => {
    const off = (sinceMin: number): ClusterRolloutState => ({
      name: 'a',
      group: '',
      phase: 'offline',
      updatedAt: NOW - 30 * MIN,
      since: NOW - sinceMin * MIN,
      inWindow: true,
    });
    const s = strategy({ progressDeadlineMs: 10 * MIN });
    const fresh = plan({ strategy: s, clusters: [off(2), pending('b')] });
    expect(fresh.outcomes.a).toBe('inFlight');
    expect(fresh.pause).toBeUndefined();
    expect(fresh.nextCheckAt).toBe(NOW + 8 * MIN);
    const gone = plan({ strategy: s, clusters: [off(10), pending('b')] });
    expect(gone.outcomes.a).toBe('failed');
    expect(gone.pause?.reason).toBe('MaxFailuresExceeded');
  });

  it('converge when they come back: an offline failure that reports Available succeeds', () => {
    const back: ClusterRolloutState = { name: 'a', group: '', phase: 'available', updatedAt: NOW - 60 * MIN, since: NOW, inWindow: true };
    expect(plan({ strategy: strategy({ progressDeadlineMs: 10 * MIN }), clusters: [back] }).outcomes.a).toBe('succeeded');
  });
});

describe('pause, abort, windows, waves and completion', () => {
  it('paused and aborted rollouts hand out nothing', () => {
    expect(plan({ clusters: fleet(3), paused: true })).toMatchObject({ update: [], state: 'Paused' });
    expect(plan({ clusters: fleet(3), aborted: true })).toMatchObject({ update: [], state: 'Aborted' });
  });

  it('clusters outside their window wait as pendingWindow; the override ignores windows', () => {
    const clusters = [pending('a', '', true), { ...pending('b', '', false), windowOpensAt: NOW + 3 * 3600_000 }];
    const p = plan({ strategy: strategy({ type: 'All' }), clusters });
    expect(p.update).toEqual(['a']);
    expect(p.counts.pendingWindow).toBe(1);
    const waiting = plan({ strategy: strategy({ type: 'All' }), clusters: [clusters[1]] });
    expect(waiting).toMatchObject({ state: 'WaitingForWindow', update: [], nextCheckAt: NOW + 3 * 3600_000 });
    expect(plan({ strategy: strategy({ type: 'All' }), clusters, ignoreWindows: true }).update).toEqual(['a', 'b']);
  });

  it('waits waveDelay between waves', () => {
    const s = strategy({ type: 'All', waveDelayMs: 30_000 });
    const p = plan({ strategy: s, clusters: fleet(2), lastWaveAt: NOW - 10_000 });
    expect(p.update).toEqual([]);
    expect(p.nextCheckAt).toBe(NOW + 20_000);
    expect(plan({ strategy: s, clusters: fleet(2), lastWaveAt: NOW - 30_000 }).update).toHaveLength(2);
  });

  it('is complete when nothing is pending or in flight; template errors do not block it but make it CompleteWithFailures', () => {
    const done: ClusterRolloutState[] = [
      { name: 'a', group: '', phase: 'available', updatedAt: NOW - MIN, since: NOW - MIN, inWindow: true },
      { name: 'b', group: '', phase: 'error', inWindow: true },
    ];
    const p = plan({ clusters: done });
    expect(p).toMatchObject({ complete: true, state: 'CompleteWithFailures', message: 'all 2 clusters processed; 1 with template errors' });
    expect(p.counts).toMatchObject({ succeeded: 1, error: 1, total: 2 });
  });

  it('is Complete only when every cluster succeeded; failures within maxFailures make it CompleteWithFailures', () => {
    const ok = (name: string): ClusterRolloutState => ({
      name,
      group: '',
      phase: 'available',
      updatedAt: NOW - MIN,
      since: NOW - MIN,
      inWindow: true,
    });
    expect(plan({ clusters: [ok('a'), ok('b')] })).toMatchObject({
      complete: true,
      state: 'Complete',
      message: 'all 2 clusters processed',
    });
    const withFailure = plan({
      strategy: strategy({ maxFailures: 1 }),
      clusters: [ok('a'), { name: 'b', group: '', phase: 'failed', inWindow: true }],
    });
    expect(withFailure).toMatchObject({ complete: true, state: 'CompleteWithFailures', message: 'all 2 clusters processed; 1 failed' });
  });
});
