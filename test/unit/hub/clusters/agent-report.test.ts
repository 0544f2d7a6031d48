import { describe, expect, it } from '@jest/globals';
import { ValidationError } from '../../../../shared/errors.js';
import { getCondition, type Condition } from '../../../../shared/resources/meta.js';
import { validateClaims, withAgentFacts, withHealth, withJoined } from '../../../../lambdas/capabilities/clusters/agent-report.js';
import type { ClusterResource } from '../../../../lambdas/capabilities/clusters/cluster-status.js';
import { upgradeStarted, withReportedVersion, withUpgradeDeadline } from '../../../../lambdas/capabilities/clusters/upgrade.js';

const T0 = '2026-11-01T00:00:00Z';
const T1 = '2026-11-01T00:05:00Z';

function cluster(status: Partial<ClusterResource['status']> = {}, agentVersion?: string): ClusterResource {
  return {
    apiVersion: 'tether.dev/v1alpha1',
    kind: 'Cluster',
    metadata: { name: 'c', uid: 'u', resourceVersion: '1', generation: 1, creationTimestamp: T0 },
    spec: { hubAcceptsClient: true, leaseDurationSeconds: 60, taints: [], ...(agentVersion ? { agent: { version: agentVersion } } : {}) },
    status: { conditions: [], ...status },
  };
}

const cond = (r: ClusterResource, type: string) => getCondition(r.status?.conditions, type);

describe('claims', () => {
  it('accepts well-formed claims and refuses bad names, values and duplicates', () => {
    expect(() =>
      validateClaims([
        { name: 'id.k8s.io', value: 'abc' },
        { name: 'region_1', value: '' },
        // A ClusterFeature the agent found (agent/features.ts): a prefixed name, as label keys have.
        { name: 'feature.tether.dev/pci', value: '{"tier":"store"}' },
      ]),
    ).not.toThrow();
    for (const bad of ['/pci', 'Feature.tether.dev/pci', 'feature.tether.dev/', 'a/b/c', 'feature..tether.dev/-x']) {
      expect(() => validateClaims([{ name: bad, value: '' }])).toThrow(ValidationError);
    }
    expect(() => validateClaims(undefined)).not.toThrow();
    try {
      validateClaims([
        { name: '-x', value: 'a' },
        { name: 'y', value: 'x'.repeat(1025) },
        { name: 'y', value: 'b' },
      ]);
      throw new Error('expected a ValidationError');
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).fieldErrors.map((e) => e.path)).toEqual(['claims.0.name', 'claims.1.value', 'claims.2.name']);
    }
  });

  it('records claims sorted, the Kubernetes version and the agent version', () => {
    const { record, conflict } = withAgentFacts(
      cluster(),
      {
        agentVersion: '0.1.0',
        claims: [
          { name: 'kubeversion.tether.dev', value: 'v1.31.0' },
          { name: 'id.k8s.io', value: 'A' },
        ],
      },
      T1,
    );
    expect(conflict).toBeUndefined();
    expect(record.status?.claims).toEqual([
      { name: 'id.k8s.io', value: 'A' },
      { name: 'kubeversion.tether.dev', value: 'v1.31.0' },
    ]);
    expect(record.status?.version?.kubernetes).toBe('v1.31.0');
    expect(record.status?.agentVersion).toBe('0.1.0');
  });

  it('keeps the recorded cluster ID and flags a different claimed one; clears the flag when they match again', () => {
    const first = withAgentFacts(cluster(), { agentVersion: '0.1.0', claims: [{ name: 'id.k8s.io', value: 'A' }] }, T0).record;
    const { record, conflict } = withAgentFacts(
      first,
      {
        agentVersion: '0.1.0',
        claims: [
          { name: 'id.k8s.io', value: 'B' },
          { name: 'x', value: '1' },
        ],
      },
      T1,
    );
    expect(conflict).toEqual({ recorded: 'A', claimed: 'B' });
    expect(record.status?.claims).toEqual([
      { name: 'id.k8s.io', value: 'A' },
      { name: 'x', value: '1' },
    ]);
    expect(cond(record, 'ClusterIdConflict')).toMatchObject({ status: 'True', reason: 'ClusterIdChanged' });
    expect(cond(record, 'ClusterIdConflict')?.message).toContain('claims cluster ID B, but this cluster was registered with A');
    const healed = withAgentFacts(record, { agentVersion: '0.1.0', claims: [{ name: 'id.k8s.io', value: 'A' }] }, T1).record;
    expect(cond(healed, 'ClusterIdConflict')).toMatchObject({ status: 'False', reason: 'ClusterIdMatches' });
  });

  it('keeps the recorded ID when a report leaves it out', () => {
    const first = withAgentFacts(cluster(), { agentVersion: '0.1.0', claims: [{ name: 'id.k8s.io', value: 'A' }] }, T0).record;
    const { record, conflict } = withAgentFacts(first, { agentVersion: '0.1.0', claims: [] }, T1);
    expect(conflict).toBeUndefined();
    expect(record.status?.claims).toEqual([{ name: 'id.k8s.io', value: 'A' }]);
  });
});

describe('join and health', () => {
  it('sets Joined once, keeping its first transition', () => {
    const joined = withJoined(cluster(), '0.1.0', T0);
    expect(cond(joined, 'Joined')).toMatchObject({
      status: 'True',
      reason: 'AgentJoined',
      message: 'agent 0.1.0 joined',
      lastTransitionTime: T0,
    });
    expect(withJoined(joined, '0.2.0', T1)).toBe(joined);
  });

  it('moves Available with health only while the lease is live', () => {
    const live = cluster({
      conditions: [{ type: 'Available', status: 'True', reason: 'AgentAvailable', message: '', lastTransitionTime: T0 }],
    });
    const sick = withHealth(live, false, 'etcd slow', true, T1);
    expect(cond(sick, 'Available')).toMatchObject({ status: 'False', reason: 'AgentUnhealthy', message: 'etcd slow' });
    expect(sick.spec.taints?.map((t) => t.key)).toEqual(['tether.dev/unavailable']);
    expect(cond(withHealth(sick, true, undefined, true, T1), 'Available')).toMatchObject({ status: 'True' });
    const lost = cluster({
      conditions: [{ type: 'Available', status: 'Unknown', reason: 'LeaseExpired', message: '', lastTransitionTime: T0 }],
    });
    const remembered = withHealth(lost, false, 'etcd slow', false, T1);
    expect(cond(remembered, 'Available')).toMatchObject({ status: 'Unknown' });
    expect(remembered.status?.agentHealth).toEqual({ healthy: false, message: 'etcd slow' });
  });
});

describe('upgrade tracking', () => {
  const withCond = (c: Partial<Condition>, running: string, target: string) =>
    cluster(
      {
        agentVersion: running,
        conditions: [{ type: 'AgentUpgraded', status: 'False', reason: 'Upgrading', message: '', lastTransitionTime: T0, ...c }],
      },
      target,
    );

  it('starts as Upgrading, or Upgraded when the agent already runs the version', () => {
    expect(upgradeStarted(cluster({ agentVersion: '0.1.0' }), '0.2.0')).toMatchObject({
      status: 'False',
      reason: 'Upgrading',
      message: 'upgrading from 0.1.0 to 0.2.0',
    });
    expect(upgradeStarted(cluster({}), '0.2.0').message).toBe('upgrading from an unknown version to 0.2.0');
    expect(upgradeStarted(cluster({ agentVersion: '0.2.0' }), '0.2.0')).toMatchObject({ status: 'True', reason: 'Upgraded' });
  });

  it('turns Upgraded when the reported version reaches the desired one', () => {
    const r = withCond({}, '0.1.0', '0.2.0');
    expect(withReportedVersion(r, '0.1.0', T1)).toBe(r);
    expect(cond(withReportedVersion(r, '0.2.0', T1), 'AgentUpgraded')).toMatchObject({ status: 'True', reason: 'Upgraded' });
  });

  it('fails at the deadline only the upgrade still in progress', () => {
    const r = withCond({}, '0.1.0', '0.2.0');
    expect(cond(withUpgradeDeadline(r, '0.2.0', 600, T1), 'AgentUpgraded')).toMatchObject({ status: 'False', reason: 'UpgradeFailed' });
    expect(withUpgradeDeadline(r, '0.3.0', 600, T1)).toBe(r);
    const reached = withCond({ status: 'True', reason: 'Upgraded' }, '0.2.0', '0.2.0');
    expect(withUpgradeDeadline(reached, '0.2.0', 600, T1)).toBe(reached);
  });
});
