import { afterEach, describe, expect, test } from '@jest/globals';
import { canonicalHash } from '../../../shared/hash.js';
import type { DesiredPolicy, DesiredPolicyTemplate, PolicyComplianceReport } from '../../../shared/protocol/v1.js';
import { POLICY_STATE_CONFIGMAP } from '../../../agent/state-store.js';
import { rig, type Rig } from './support/harness.js';

/**
 * The agent with policies in its desired state, over the in-memory cluster and the fake hub:
 * evaluation, enforcement, dependencies, pruning, reporting only on change, and the debounce.
 */

const cmRef = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'audit' };
const auditCm = (data: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'audit', namespace: 'default' },
  data,
});

function template(objectDefinition: Record<string, unknown>, more: Partial<DesiredPolicyTemplate> = {}): DesiredPolicyTemplate {
  return {
    name: 'audit-config',
    objectTemplates: [{ complianceType: 'musthave', objectDefinition, recordDiff: 'InStatus' }],
    evaluationInterval: { compliant: 600, noncompliant: 120 },
    pruneObjectBehavior: 'None',
    ...more,
  };
}

function policy(name: string, templates: DesiredPolicyTemplate[], more: Partial<DesiredPolicy> = {}): DesiredPolicy {
  const body = { remediationAction: 'inform' as const, disabled: false, dependencies: [], templates, ...more };
  return { name, uid: `uid-${name}`, generation: 1, hash: canonicalHash(body), ...body };
}

/** Policy reports the hub received, flattened, in order. */
function policyReports(r: Rig, name?: string): PolicyComplianceReport[] {
  return r.hub.reports.flatMap((x) => x.policies ?? []).filter((p) => !name || p.name === name);
}

/** Cluster writes outside the agent's own namespace. */
function watchWrites(r: Rig): string[] {
  const writes: string[] = [];
  for (const verb of ['apply', 'create', 'mergePatch', 'delete'] as const) {
    const original = r.cluster[verb].bind(r.cluster) as (...a: unknown[]) => Promise<unknown>;
    (r.cluster as unknown as Record<string, unknown>)[verb] = (...args: unknown[]) => {
      const target = args[0] as { metadata?: { namespace?: string; name?: string }; namespace?: string; name?: string; kind: string };
      const ns = target.metadata?.namespace ?? target.namespace;
      if (ns !== 'tether-agent') writes.push(`${verb} ${target.kind} ${target.metadata?.name ?? target.name}`);
      return original(...args);
    };
  }
  return writes;
}

describe('Agent: governance', () => {
  let r: Rig;
  afterEach(async () => {
    await r?.close();
  });

  test('inform, then enforce, then drift back, then enforce again; reports only on change; inform never writes', async () => {
    r = await rig();
    await r.agent.runOnce(); // joined
    const writes = watchWrites(r);
    const inform = policy('audit', [template(auditCm({ level: 'full' }))]);
    r.hub.setDesired({ policies: [inform] });
    await r.agent.runOnce();
    expect(policyReports(r, 'audit')).toHaveLength(1);
    expect(policyReports(r, 'audit')[0]).toMatchObject({ compliance: 'NonCompliant', uid: 'uid-audit', generation: 1 });
    expect(policyReports(r, 'audit')[0].templates[0].objects[0]).toMatchObject({ reason: 'Missing', compliant: false });
    expect(writes).toEqual([]);

    // Nothing changes: evaluations at the interval, and no report.
    for (let i = 0; i < 6; i++) {
      r.clock.advance(30_000);
      await r.agent.runOnce();
    }
    expect(policyReports(r, 'audit')).toHaveLength(1);
    expect(writes).toEqual([]);
    expect(r.agent.metrics.policyEvaluations).toBeGreaterThanOrEqual(2);

    // Enforce.
    r.clock.advance(60_000);
    r.hub.setDesired({ policies: [policy('audit', inform.templates, { remediationAction: 'enforce', generation: 2 })] });
    await r.agent.runOnce();
    expect(writes).toEqual(['apply ConfigMap audit']);
    const enforced = policyReports(r, 'audit').at(-1)!;
    expect(enforced).toMatchObject({ compliance: 'Compliant', generation: 2 });
    expect(enforced.templates[0].objects[0]).toMatchObject({ reason: 'Created', createdByPolicy: true });

    // Drift: someone edits it. The next evaluation (noncompliant... it was compliant: 10 min) puts it back.
    r.clock.advance(60_000);
    r.cluster.mutate(cmRef, (o) => void ((o.data as Record<string, string>).level = 'off'));
    r.clock.advance(11 * 60_000);
    await r.agent.runOnce();
    const corrected = policyReports(r, 'audit').at(-1)!;
    expect(corrected.compliance).toBe('Compliant');
    expect(corrected.templates[0].objects[0]).toMatchObject({ reason: 'Updated' });
    expect((await r.cluster.get(cmRef))?.data).toEqual({ level: 'full' });
    // The policy's record of what it created is in the agent's own namespace.
    expect(
      await r.cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'tether-agent', name: POLICY_STATE_CONFIGMAP }),
    ).toBeDefined();
  });

  test('an idle poll with policies stays one hub request and no cluster write', async () => {
    r = await rig();
    r.hub.setDesired({ policies: [policy('audit', [template(auditCm({ level: 'full' }))], { remediationAction: 'enforce' })] });
    await r.agent.runOnce();
    await r.agent.runOnce();
    const writes = watchWrites(r);
    const before = r.hub.requests.length;
    r.clock.advance(30_000);
    await r.agent.runOnce();
    expect(r.hub.requests.slice(before).map((q) => `${q.method} ${q.path}`)).toEqual(['GET /agent/v1/desired']);
    expect(writes).toEqual([]);
  });

  test('an unmet dependency makes the policy Pending and leaves its objects alone; it runs once the dependency is met', async () => {
    r = await rig();
    await r.cluster.apply(auditCm({ level: 'manual' }), { fieldManager: 'kubectl', force: true });
    const base = policy('base', [template({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'stores' } }, { name: 'ns' })]);
    const dependent = policy('audit', [template(auditCm({ level: 'full' }), { pruneObjectBehavior: 'DeleteAll' })], {
      remediationAction: 'enforce',
      dependencies: [{ name: 'base', compliance: 'Compliant' }],
    });
    r.hub.setDesired({ policies: [dependent, base] });
    await r.agent.runOnce();
    const pending = policyReports(r, 'audit').at(-1)!;
    expect(pending.compliance).toBe('Pending');
    expect(pending.templates[0]).toMatchObject({ compliance: 'Pending', reason: 'DependencyNotMet' });
    expect(pending.templates[0].message).toContain('base is NonCompliant, needs Compliant');
    expect((await r.cluster.get(cmRef))?.data).toEqual({ level: 'manual' });

    // A dependency on a policy the cluster does not have is unmet too.
    const ghost = policy('ghost-dep', [template(auditCm({ x: '1' }))], { dependencies: [{ name: 'nope', compliance: 'Compliant' }] });
    r.hub.setDesired({ policies: [dependent, base, ghost] });
    await r.agent.runOnce();
    expect(policyReports(r, 'ghost-dep').at(-1)!.templates[0].message).toContain('nope is not on this cluster');

    // The namespace appears: base complies, audit is evaluated (and enforced) in the same pass.
    await r.cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'stores' } }, { fieldManager: 'kubectl', force: true });
    r.clock.advance(3 * 60_000);
    await r.agent.runOnce();
    expect(policyReports(r, 'base').at(-1)!.compliance).toBe('Compliant');
    expect(policyReports(r, 'audit').at(-1)!.compliance).toBe('Compliant');
    expect((await r.cluster.get(cmRef))?.data).toEqual({ level: 'full' });
  });

  test('a dependency cycle is Pending with a clear message', async () => {
    r = await rig();
    const a = policy('a', [template(auditCm({ a: '1' }))], { dependencies: [{ name: 'b', compliance: 'Compliant' }] });
    const b = policy('b', [template(auditCm({ b: '1' }))], { dependencies: [{ name: 'a', compliance: 'Compliant' }] });
    r.hub.setDesired({ policies: [a, b] });
    await r.agent.runOnce();
    expect(policyReports(r, 'a').at(-1)!.templates[0].message).toContain('dependency cycle: a → b → a');
  });

  test.each([
    ['None', true, true],
    ['DeleteIfCreated', false, true],
    ['DeleteAll', false, false],
  ] as const)(
    'removing an enforced policy with pruneObjectBehavior %s, across a restart',
    async (behavior, createdStays, existingStays) => {
      r = await rig();
      await r.cluster.apply(
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'existing', namespace: 'default' }, data: { a: '1' } },
        { fieldManager: 'kubectl', force: true },
      );
      const p = policy(
        'cfg',
        [
          {
            name: 'both',
            objectTemplates: [
              { complianceType: 'musthave', recordDiff: 'InStatus', objectDefinition: auditCm({ level: 'full' }) },
              {
                complianceType: 'musthave',
                recordDiff: 'InStatus',
                objectDefinition: {
                  apiVersion: 'v1',
                  kind: 'ConfigMap',
                  metadata: { name: 'existing', namespace: 'default' },
                  data: { a: '1' },
                },
              },
            ],
            evaluationInterval: { compliant: 600, noncompliant: 120 },
            pruneObjectBehavior: behavior,
          },
        ],
        { remediationAction: 'enforce' },
      );
      r.hub.setDesired({ policies: [p] });
      await r.agent.runOnce();
      expect(await r.cluster.get(cmRef)).toBeDefined();
      await r.agent.stop();

      // The policy goes away while the agent is down; a new agent process prunes from what it stored.
      r.hub.setDesired({ policies: [] });
      const again = r.restart();
      await again.runOnce();
      expect(Boolean(await r.cluster.get(cmRef))).toBe(createdStays);
      expect(Boolean(await r.cluster.get({ ...cmRef, name: 'existing' }))).toBe(existingStays);
      const removals = r.hub.reports.filter((x) => x.removedPolicies?.includes('cfg'));
      expect(removals).toHaveLength(1);
      await again.runOnce();
      expect(r.hub.reports.filter((x) => x.removedPolicies?.includes('cfg'))).toHaveLength(1);
    },
  );

  test('an inform policy prunes nothing when removed; a disabled policy is not evaluated and not pruned', async () => {
    r = await rig();
    const p = policy('cfg', [template(auditCm({ level: 'full' }), { pruneObjectBehavior: 'DeleteAll' })], { remediationAction: 'enforce' });
    r.hub.setDesired({ policies: [p] });
    await r.agent.runOnce();
    r.hub.setDesired({ policies: [policy('cfg', p.templates, { remediationAction: 'enforce', disabled: true })] });
    await r.agent.runOnce();
    expect(await r.cluster.get(cmRef)).toBeDefined();
    expect(r.hub.reports.at(-1)!.removedPolicies).toEqual(['cfg']);
    r.cluster.mutate(cmRef, (o) => void ((o.data as Record<string, string>).level = 'off'));
    r.clock.advance(30 * 60_000);
    await r.agent.runOnce();
    expect((await r.cluster.get(cmRef))?.data).toEqual({ level: 'off' });
  });

  test('a policy that failed to render is NonCompliant/TemplateError and touches nothing', async () => {
    r = await rig();
    await r.agent.runOnce();
    const writes = watchWrites(r);
    r.hub.setDesired({
      policies: [policy('broken', [], { remediationAction: 'enforce', renderError: 'template: no such claim "region"' })],
    });
    await r.agent.runOnce();
    const report = policyReports(r, 'broken').at(-1)!;
    expect(report.compliance).toBe('NonCompliant');
    expect(report.templates).toEqual([
      { name: 'broken', compliance: 'NonCompliant', reason: 'TemplateError', message: 'template: no such claim "region"', objects: [] },
    ]);
    expect(writes).toEqual([]);
  });

  test('a kind the cluster lacks is KindNotFound, and the other policies go on', async () => {
    r = await rig();
    const argo = policy(
      'argo',
      [template({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'root', namespace: 'argocd' } })],
      {
        remediationAction: 'enforce',
      },
    );
    const ok = policy('ok', [template(auditCm({ a: '1' }))], { remediationAction: 'enforce' });
    r.hub.setDesired({ policies: [argo, ok] });
    await r.agent.runOnce();
    expect(policyReports(r, 'argo').at(-1)!.templates[0]).toMatchObject({ compliance: 'NonCompliant', reason: 'KindNotFound' });
    expect(policyReports(r, 'ok').at(-1)!.compliance).toBe('Compliant');
  });

  test('a bootstrap chain completes in seconds: the CRD one policy installs is retried for the next one after 15 s, not a whole interval', async () => {
    r = await rig();
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'applications.argoproj.io' },
      spec: {
        group: 'argoproj.io',
        scope: 'Namespaced',
        names: { kind: 'Application', plural: 'applications', singular: 'application', listKind: 'ApplicationList' },
        versions: [
          {
            name: 'v1alpha1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          },
        ],
      },
    };
    const install = policy('install', [template(crd, { name: 'crd' })], { remediationAction: 'enforce' });
    const app = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'root', namespace: 'default' },
      spec: { project: 'default' },
    };
    const root = policy('root', [template(app, { name: 'app' })], {
      remediationAction: 'enforce',
      dependencies: [{ name: 'install', compliance: 'Compliant' }],
    });
    r.hub.setDesired({ policies: [install, root] });
    await r.agent.runOnce();
    // The CRD is created but not yet Established when the dependant runs in the same pass.
    expect(policyReports(r, 'install').at(-1)!.compliance).toBe('Compliant');
    expect(policyReports(r, 'root').at(-1)!.templates[0]).toMatchObject({ compliance: 'NonCompliant', reason: 'KindNotFound' });
    await new Promise((resolve) => setTimeout(resolve, 10)); // the API server establishes the CRD
    r.clock.advance(16_000);
    await r.agent.runOnce();
    r.clock.advance(61_000); // the report of the same policy within 60 s is held by the debounce
    await r.agent.runOnce();
    expect(policyReports(r, 'root').at(-1)!.compliance).toBe('Compliant');
    expect(
      await r.cluster.get({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', namespace: 'default', name: 'root' }),
    ).toBeDefined();
  });

  test('a flapping object is reported at most once per window, never once per poll', async () => {
    r = await rig();
    const p = policy('flap', [template(auditCm({ level: 'full' }), { evaluationInterval: { compliant: 10, noncompliant: 10 } })]);
    await r.cluster.apply(auditCm({ level: 'full' }), { fieldManager: 'kubectl', force: true });
    r.hub.setDesired({ policies: [p] });
    await r.agent.runOnce();
    expect(policyReports(r, 'flap')).toHaveLength(1);
    // Someone flips the value every poll for 30 minutes.
    for (let i = 1; i <= 60; i++) {
      r.cluster.mutate(cmRef, (o) => void ((o.data as Record<string, string>).level = i % 2 ? 'off' : 'full'));
      r.clock.advance(30_000);
      await r.agent.runOnce();
    }
    const sent = policyReports(r, 'flap');
    // 60 changes in 30 minutes: the first few within 60 s windows, then one per 10 minutes.
    expect(sent.length).toBeLessThanOrEqual(6);
    expect(sent.length).toBeGreaterThanOrEqual(3);
    const times = sent.map((x) => Date.parse(x.evaluatedAt));
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(60_000);
  });

  test('a rejoin sends every policy report again', async () => {
    r = await rig();
    r.hub.setDesired({ policies: [policy('audit', [template(auditCm({ level: 'full' }))])] });
    await r.agent.runOnce();
    expect(policyReports(r, 'audit')).toHaveLength(1);
    r.hub.revokeAll();
    r.hub.bootstrapTokens.add(r.bootstrapToken);
    await r.agent.runOnce();
    await r.agent.runOnce();
    expect(policyReports(r, 'audit')).toHaveLength(2);
  });
});
