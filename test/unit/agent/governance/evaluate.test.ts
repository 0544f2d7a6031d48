import { describe, expect, it } from '@jest/globals';
import { POLICY_FIELD_MANAGER } from '../../../../agent/governance/enforce-object.js';
import type { EvaluationContext } from '../../../../agent/governance/evaluate-object.js';
import { evaluateTemplate } from '../../../../agent/governance/evaluate-template.js';
import { selectNamespaces } from '../../../../agent/governance/namespace-selection.js';
import type { ClusterApi } from '../../../../agent/kube/cluster-api.js';
import { MemoryCluster } from '../../../../agent/kube/memory-cluster.js';
import type { KubeObject } from '../../../../agent/kube/types.js';
import type { DesiredObjectTemplate, DesiredPolicyTemplate } from '../../../../shared/protocol/v1.js';

/** One template evaluated (and enforced) on the in-memory API server, the way the governor does it. */

function counting(cluster: MemoryCluster): { api: ClusterApi; writes: string[] } {
  const writes: string[] = [];
  const api: ClusterApi = {
    apply: (o, opt) => (writes.push(`apply ${o.kind} ${o.metadata.name}`), cluster.apply(o, opt)),
    applyStatus: (o, opt) => (writes.push(`applyStatus ${o.kind} ${o.metadata.name}`), cluster.applyStatus(o, opt)),
    create: (o, opt) => (writes.push(`create ${o.kind} ${o.metadata.name}`), cluster.create(o, opt)),
    mergePatch: (r, p, opt) => (writes.push(`patch ${r.kind} ${r.name}`), cluster.mergePatch(r, p, opt)),
    delete: (r, opt) => (writes.push(`delete ${r.kind} ${r.name}`), cluster.delete(r, opt)),
    get: (r) => cluster.get(r),
    list: (q) => cluster.list(q),
    discover: (a, k) => cluster.discover(a, k),
    isCrdEstablished: (n) => cluster.isCrdEstablished(n),
    serverVersion: () => cluster.serverVersion(),
  };
  return { api, writes };
}

async function setup() {
  const cluster = new MemoryCluster();
  for (const ns of ['shop', 'store-1', 'store-2']) {
    await cluster.apply(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { tier: ns === 'shop' ? 'web' : 'store' } } },
      { fieldManager: 'setup', force: true },
    );
  }
  const { api, writes } = counting(cluster);
  writes.length = 0;
  const ctx = (remediationAction: 'inform' | 'enforce', reapply = false): EvaluationContext => ({
    api,
    remediationAction,
    reapply,
    discover: (a, k) => api.discover(a, k),
    namespaces: (s) => selectNamespaces(api, s),
  });
  return { cluster, writes, ctx };
}

function tpl(objectTemplates: Partial<DesiredObjectTemplate>[], more: Partial<DesiredPolicyTemplate> = {}): DesiredPolicyTemplate {
  return {
    name: 't1',
    objectTemplates: objectTemplates.map((o) => ({ complianceType: 'musthave', recordDiff: 'InStatus', objectDefinition: {}, ...o })),
    evaluationInterval: { compliant: 600, noncompliant: 120 },
    pruneObjectBehavior: 'None',
    ...more,
  };
}

const audit = (data: Record<string, string>, namespace = 'shop') => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'audit', namespace },
  data,
});
const ref = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'audit' };

describe('evaluating and enforcing a template', () => {
  it('inform: a missing object is NonCompliant/Missing and nothing is written', async () => {
    const { ctx, writes } = await setup();
    const out = await evaluateTemplate(ctx('inform'), tpl([{ objectDefinition: audit({ level: 'full' }) }]));
    expect(out.compliance).toMatchObject({ compliance: 'NonCompliant', reason: 'Violation' });
    expect(out.compliance.objects).toEqual([
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        namespace: 'shop',
        name: 'audit',
        compliant: false,
        reason: 'Missing',
        message: 'ConfigMap shop/audit is missing',
      },
    ]);
    expect(writes).toEqual([]);
  });

  it('enforce musthave: creates the object with the tether-policy field manager, and records it as created', async () => {
    const { ctx, cluster } = await setup();
    const out = await evaluateTemplate(ctx('enforce'), tpl([{ objectDefinition: audit({ level: 'full' }) }]));
    expect(out.compliance.compliance).toBe('Compliant');
    expect(out.compliance.objects[0]).toMatchObject({ reason: 'Created', createdByPolicy: true, compliant: true });
    expect(out.created).toEqual([ref]);
    const live = await cluster.get(ref);
    expect(live?.data).toEqual({ level: 'full' });
    expect(live?.metadata.managedFields?.map((m) => [m.manager, m.operation])).toEqual([[POLICY_FIELD_MANAGER, 'Apply']]);
  });

  it('enforce musthave: drift is corrected, only the declared fields are taken over', async () => {
    const { ctx, cluster } = await setup();
    await cluster.apply({ ...audit({ level: 'full', other: 'keep' }) }, { fieldManager: 'helm', force: true });
    cluster.mutate(ref, (o) => void ((o.data as Record<string, string>).level = 'none'));
    const inform = await evaluateTemplate(ctx('inform'), tpl([{ objectDefinition: audit({ level: 'full' }) }]));
    expect(inform.compliance.objects[0]).toMatchObject({ reason: 'Mismatch', diff: 'data.level: want "full", got "none"' });
    const out = await evaluateTemplate(ctx('enforce'), tpl([{ objectDefinition: audit({ level: 'full' }) }]));
    expect(out.compliance.objects[0]).toMatchObject({ compliant: true, reason: 'Updated' });
    expect(out.created).toEqual([]);
    expect((await cluster.get(ref))?.data).toEqual({ level: 'full', other: 'keep' });
  });

  it('enforce musthave: an item removed from the policy is removed from the object (no stale list entries)', async () => {
    const { ctx, cluster } = await setup();
    const dep = (env: { name: string; value: string }[]) => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'shop' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx', env }] } },
      },
    });
    await evaluateTemplate(
      ctx('enforce', true),
      tpl([
        {
          objectDefinition: dep([
            { name: 'A', value: '1' },
            { name: 'B', value: '2' },
          ]),
        },
      ]),
    );
    // Someone else adds an env var of their own: it must survive.
    await cluster.apply(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'shop' },
        spec: { template: { spec: { containers: [{ name: 'web', env: [{ name: 'C', value: '3' }] }] } } },
      },
      { fieldManager: 'other', force: false },
    );
    const out = await evaluateTemplate(ctx('enforce', true), tpl([{ objectDefinition: dep([{ name: 'A', value: '1' }]) }]));
    expect(out.compliance.compliance).toBe('Compliant');
    const live = (await cluster.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' })) as KubeObject;
    const env = ((live.spec as any).template.spec.containers[0].env as { name: string }[]).map((e) => e.name);
    expect(env.sort()).toEqual(['A', 'C']);
  });

  it('enforce mustonlyhave: removes entries other managers own, and re-evaluates', async () => {
    const { ctx, cluster, writes } = await setup();
    await cluster.apply(
      { ...audit({ level: 'full' }), metadata: { ...audit({}).metadata, labels: { owner: 'ops' } } },
      { fieldManager: 'helm', force: true },
    );
    cluster.mutate(ref, (o) => {
      (o.data as Record<string, string>).debug = 'true';
      o.metadata.labels = { ...o.metadata.labels, stray: 'x' };
    });
    const def = { ...audit({ level: 'full' }), metadata: { ...audit({}).metadata, labels: { owner: 'ops' } } };
    const before = await evaluateTemplate(ctx('inform'), tpl([{ complianceType: 'mustonlyhave', objectDefinition: def }]));
    expect(before.compliance.objects[0].diff).toBe(
      ['metadata.labels.stray: want <absent>, got "x"', 'data.debug: want <absent>, got "true"'].join('\n'),
    );
    writes.length = 0;
    const out = await evaluateTemplate(ctx('enforce'), tpl([{ complianceType: 'mustonlyhave', objectDefinition: def }]));
    expect(out.compliance.compliance).toBe('Compliant');
    expect(writes).toEqual(['apply ConfigMap audit', 'patch ConfigMap audit']);
    const live = await cluster.get(ref);
    expect(live?.data).toEqual({ level: 'full' });
    expect(live?.metadata.labels).toEqual({ owner: 'ops' });
  });

  it('mustnothave: inform reports Present; enforce deletes; absent complies', async () => {
    const { ctx, cluster } = await setup();
    await cluster.apply(audit({ a: '1' }), { fieldManager: 'x', force: true });
    const t = tpl([{ complianceType: 'mustnothave', objectDefinition: audit({}) }]);
    expect((await evaluateTemplate(ctx('inform'), t)).compliance.objects[0]).toMatchObject({ compliant: false, reason: 'Present' });
    expect((await evaluateTemplate(ctx('enforce'), t)).compliance.objects[0]).toMatchObject({ compliant: true, reason: 'Deleted' });
    expect(await cluster.get(ref)).toBeUndefined();
    expect((await evaluateTemplate(ctx('inform'), t)).compliance).toMatchObject({ compliance: 'Compliant' });
  });

  it('mustnothave without a name: every object matching the given fields is a violation (no privileged pods)', async () => {
    const { ctx, cluster } = await setup();
    const podOf = (name: string, privileged: boolean) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: 'store-1' },
      spec: { containers: [{ name: 'c', image: 'x', securityContext: { privileged } }] },
    });
    await cluster.apply(podOf('good', false), { fieldManager: 'x', force: true });
    await cluster.apply(podOf('bad', true), { fieldManager: 'x', force: true });
    const t = tpl(
      [
        {
          complianceType: 'mustnothave',
          objectDefinition: { apiVersion: 'v1', kind: 'Pod', spec: { containers: [{ securityContext: { privileged: true } }] } },
        },
      ],
      { namespaceSelector: { include: ['store-*'] } },
    );
    const out = await evaluateTemplate(ctx('inform'), t);
    expect(out.compliance.compliance).toBe('NonCompliant');
    expect(out.compliance.objects.map((o) => [o.namespace, o.name, o.reason])).toEqual([['store-1', 'bad', 'Present']]);
  });

  it('a kind the cluster does not have is KindNotFound, never a crash', async () => {
    const { ctx } = await setup();
    const out = await evaluateTemplate(
      ctx('enforce'),
      tpl([
        { objectDefinition: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'root', namespace: 'argocd' } } },
      ]),
    );
    expect(out.compliance).toMatchObject({ compliance: 'NonCompliant', reason: 'KindNotFound' });
    expect(out.compliance.objects[0].message).toContain('no resource type for kind Application');
  });

  it('a mustnothave of a kind the cluster does not have is KindNotFound too, so a typo never passes an audit', async () => {
    const { ctx } = await setup();
    const out = await evaluateTemplate(
      ctx('inform'),
      tpl([{ complianceType: 'mustnothave', objectDefinition: { apiVersion: 'v1', kind: 'Podd', metadata: { namespace: 'default' } } }]),
    );
    expect(out.compliance).toMatchObject({ compliance: 'NonCompliant', reason: 'KindNotFound' });
    expect(out.compliance.objects[0]).toMatchObject({ compliant: false, reason: 'KindNotFound' });
  });

  it('a namespaced object without namespace or selector is NonCompliant with a clear message; a selector spreads it', async () => {
    const { ctx } = await setup();
    const def = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'audit' }, data: { level: 'full' } };
    const none = await evaluateTemplate(ctx('inform'), tpl([{ objectDefinition: def }]));
    expect(none.compliance.objects[0]).toMatchObject({ reason: 'NoNamespace', compliant: false });
    expect(none.compliance.objects[0].message).toContain('namespaceSelector');
    const spread = await evaluateTemplate(
      ctx('enforce'),
      tpl([{ objectDefinition: def }], { namespaceSelector: { matchLabels: { tier: 'store' } } }),
    );
    expect(spread.compliance.compliance).toBe('Compliant');
    expect(spread.created.map((r) => r.namespace)).toEqual(['store-1', 'store-2']);
  });

  it('recordDiff None keeps the diff out; Secret diffs never hold values', async () => {
    const { ctx, cluster } = await setup();
    await cluster.apply(
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'shop' }, stringData: { password: 'old-pass' } },
      { fieldManager: 'x', force: true },
    );
    const def = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'shop' }, stringData: { password: 'new-pass' } };
    const withDiff = await evaluateTemplate(ctx('inform'), tpl([{ objectDefinition: def }]));
    const text = JSON.stringify(withDiff);
    expect(withDiff.compliance.objects[0].diff).toBe('data.password: want <redacted>, got <redacted>');
    for (const s of ['old-pass', 'new-pass', Buffer.from('old-pass').toString('base64'), Buffer.from('new-pass').toString('base64')])
      expect(text).not.toContain(s);
    const noDiff = await evaluateTemplate(ctx('inform'), tpl([{ objectDefinition: def, recordDiff: 'None' }]));
    expect(noDiff.compliance.objects[0]).not.toHaveProperty('diff');
    expect(noDiff.compliance.objects[0].reason).toBe('Mismatch');
  });

  it('an enforced Secret with stringData complies after enforcement', async () => {
    const { ctx } = await setup();
    const def = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'shop' }, stringData: { password: 'p' } };
    const out = await evaluateTemplate(ctx('enforce'), tpl([{ objectDefinition: def }]));
    expect(out.compliance.compliance).toBe('Compliant');
  });
});
