import { describe, expect, it } from '@jest/globals';
import { statusChanged, statusSummary, workStatusFromReport } from '../../../../lambdas/capabilities/works/work-status.js';
import type { DriftEvent, WorkStatusReport } from '../../../../shared/protocol/v1.js';
import { MAX_DRIFT_EVENTS } from '../../../../shared/resources/work.js';

const T0 = '2026-11-24T12:00:00Z';
const T1 = '2026-11-24T12:05:00Z';
const T2 = '2026-11-24T14:30:00Z';

const cond = (type: string, status: 'True' | 'False' | 'Unknown', reason: string, message = '') => ({
  type,
  status,
  reason,
  message,
  lastTransitionTime: '2026-11-24T11:59:58Z',
});

function report(extra: Partial<WorkStatusReport> = {}): WorkStatusReport {
  return {
    name: 'web',
    observedGeneration: 2,
    conditions: [
      cond('Applied', 'True', 'AppliedManifestComplete', 'all 2 manifests applied'),
      cond('Available', 'False', 'ResourcesNotAvailable', '1 of 2 not available'),
      cond('Degraded', 'False', 'AsExpected'),
    ],
    manifests: [
      {
        group: 'apps',
        version: 'v1',
        kind: 'Deployment',
        resource: 'deployments',
        namespace: 'shop',
        name: 'web',
        conditions: [cond('Applied', 'True', 'Applied'), cond('Available', 'False', 'MinimumReplicasUnavailable', '1 of 3 ready')],
        feedback: [
          { name: 'readyReplicas', value: 1 },
          { name: 'replicas', value: 3 },
        ],
      },
      {
        group: '',
        version: 'v1',
        kind: 'ConfigMap',
        namespace: 'shop',
        name: 'web-config',
        conditions: [cond('Applied', 'True', 'Applied')],
      },
    ],
    ...extra,
  };
}

function drift(time: string, extra: Partial<DriftEvent> = {}): DriftEvent {
  return {
    work: 'web',
    kind: 'Deployment',
    namespace: 'shop',
    name: 'web',
    change: 'Modified',
    fields: ['spec.replicas'],
    corrected: true,
    time,
    ...extra,
  };
}

describe('workStatusFromReport', () => {
  it('turns a first report into work conditions, per-manifest conditions and feedback', () => {
    const s = workStatusFromReport(undefined, report(), [], T0);
    expect(s.observedGeneration).toBe(2);
    expect(s.lastReportTime).toBe(T0);
    expect(s.conditions.map((c) => [c.type, c.status, c.reason, c.observedGeneration])).toEqual([
      ['Applied', 'True', 'AppliedManifestComplete', 2],
      ['Available', 'False', 'ResourcesNotAvailable', 2],
      ['Degraded', 'False', 'AsExpected', 2],
    ]);
    // Transition times are the hub's, when it learned of the transition.
    expect(s.conditions.every((c) => c.lastTransitionTime === T0)).toBe(true);
    expect(s.resourceStatus?.manifests[0]).toEqual({
      resourceMeta: { group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', namespace: 'shop', name: 'web' },
      conditions: [
        { type: 'Applied', status: 'True', reason: 'Applied', message: '', lastTransitionTime: T0 },
        { type: 'Available', status: 'False', reason: 'MinimumReplicasUnavailable', message: '1 of 3 ready', lastTransitionTime: T0 },
      ],
      statusFeedback: {
        values: [
          { name: 'readyReplicas', value: 1 },
          { name: 'replicas', value: 3 },
        ],
      },
    });
    expect(s.resourceStatus?.manifests[1].statusFeedback).toBeUndefined();
    expect(s.driftEvents).toBeUndefined();
    expect(s.conditions.some((c) => c.type === 'Drifted')).toBe(false);
  });

  it('keeps transition times of conditions whose status holds, moves the others', () => {
    const first = workStatusFromReport(undefined, report(), [], T0);
    const r2 = report();
    r2.conditions[1] = cond('Available', 'True', 'ResourcesAvailable', 'all available');
    const second = workStatusFromReport(first, r2, [], T1);
    expect(second.conditions.find((c) => c.type === 'Applied')?.lastTransitionTime).toBe(T0);
    expect(second.conditions.find((c) => c.type === 'Available')).toMatchObject({ status: 'True', lastTransitionTime: T1 });
    expect(second.resourceStatus?.manifests[0].conditions[0].lastTransitionTime).toBe(T0);
  });

  it('an identical report changes nothing (no write), and keeps the report time', () => {
    const first = workStatusFromReport(undefined, report(), [], T0);
    const again = workStatusFromReport(first, report(), [], T1);
    expect(statusChanged(first, again)).toBe(false);
    expect(again.lastReportTime).toBe(T0);
    expect(statusSummary(first)).toBe(statusSummary(again));
  });

  it('records drift events and sets Drifted with what changed', () => {
    const s = workStatusFromReport(undefined, report(), [drift('2026-11-24T11:59:00Z')], T0);
    expect(s.driftEvents).toEqual([
      {
        kind: 'Deployment',
        namespace: 'shop',
        name: 'web',
        change: 'Modified',
        fields: ['spec.replicas'],
        corrected: true,
        time: '2026-11-24T11:59:00Z',
      },
    ]);
    const d = s.conditions.find((c) => c.type === 'Drifted');
    expect(d).toMatchObject({ status: 'True', reason: 'DriftCorrected' });
    expect(d?.message).toBe(
      '1 change made on the cluster in the last hour; latest: Deployment shop/web changed (spec.replicas) on the cluster at 2026-11-24T11:59:00Z; the agent re-applied it',
    );
  });

  it('an uncorrected deletion is DriftDetected; drift arrives without a work report too', () => {
    const first = workStatusFromReport(undefined, report(), [], T0);
    const s = workStatusFromReport(
      first,
      undefined,
      [drift(T1, { change: 'Deleted', fields: [], corrected: false, kind: 'ConfigMap', name: 'web-config' })],
      T1,
    );
    expect(s.observedGeneration).toBe(2);
    expect(s.resourceStatus?.manifests).toHaveLength(2);
    expect(s.conditions.find((c) => c.type === 'Drifted')).toMatchObject({ status: 'True', reason: 'DriftDetected' });
    expect(s.conditions.find((c) => c.type === 'Drifted')?.message).toContain('ConfigMap shop/web-config was deleted');
  });

  it('uncorrected drift carries the reason the agent gave, and says no more than "not corrected" without one', () => {
    const why =
      'server-side apply of Deployment shop/web conflicts: field manager "kubectl" owns .spec.replicas with different values. To take these fields over, set force: true';
    const s = workStatusFromReport(undefined, undefined, [drift(T1, { corrected: false, reason: why })], T1);
    expect(s.driftEvents?.[0]).toMatchObject({ corrected: false, reason: why });
    expect(s.conditions.find((c) => c.type === 'Drifted')?.message).toBe(
      `1 change made on the cluster in the last hour; latest: Deployment shop/web changed (spec.replicas) on the cluster at ${T1}; not corrected: ${why}`,
    );
    const old = workStatusFromReport(undefined, undefined, [drift(T1, { corrected: false })], T1);
    expect(old.conditions.find((c) => c.type === 'Drifted')?.message).toMatch(/; not corrected$/);
  });

  it('Drifted turns False once the last drift is over an hour old; events stay', () => {
    const s1 = workStatusFromReport(undefined, report(), [drift(T0)], T0);
    const s2 = workStatusFromReport(s1, report(), [], T2);
    expect(s2.conditions.find((c) => c.type === 'Drifted')).toMatchObject({
      status: 'False',
      reason: 'NoRecentDrift',
      lastTransitionTime: T2,
    });
    expect(s2.driftEvents).toHaveLength(1);
  });

  it('keeps the newest 50 drift events, oldest first, without duplicates', () => {
    let s = workStatusFromReport(undefined, report(), [], T0);
    const events = Array.from({ length: 70 }, (_, i) => drift(new Date(Date.parse(T0) + i * 1000).toISOString()));
    s = workStatusFromReport(s, undefined, events.slice(0, 40), T1);
    s = workStatusFromReport(s, undefined, events.slice(30), T1);
    expect(s.driftEvents).toHaveLength(MAX_DRIFT_EVENTS);
    expect(s.driftEvents?.[0].time).toBe(events[20].time);
    expect(s.driftEvents?.[49].time).toBe(events[69].time);
  });

  it('the summary moves with conditions and generation, not with feedback', () => {
    const first = workStatusFromReport(undefined, report(), [], T0);
    const r2 = report();
    r2.manifests[0].feedback = [{ name: 'readyReplicas', value: 2 }];
    const second = workStatusFromReport(first, r2, [], T1);
    expect(statusChanged(first, second)).toBe(true);
    expect(statusSummary(first)).toBe(statusSummary(second));
    const third = workStatusFromReport(second, report({ observedGeneration: 3 }), [], T1);
    expect(statusSummary(third)).not.toBe(statusSummary(second));
  });
});
