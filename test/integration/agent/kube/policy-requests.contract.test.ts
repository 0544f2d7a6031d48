import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { KubeConfig } from '@kubernetes/client-node';
import type { EvaluationContext } from '../../../../agent/governance/evaluate-object.js';
import { evaluateTemplate } from '../../../../agent/governance/evaluate-template.js';
import { selectNamespaces } from '../../../../agent/governance/namespace-selection.js';
import { KubeNotFoundError } from '../../../../agent/kube/errors.js';
import { KubeClientAdapter } from '../../../../agent/kube/node-adapter.js';
import type { DesiredObjectTemplate, DesiredPolicyTemplate } from '../../../../shared/protocol/v1.js';
import { StubApiServer } from '../../../support/stub-apiserver.js';

/**
 * Contract of policy evaluation and enforcement: the exact Kubernetes requests the governance code
 * sends through the client-node adapter (get, list with label selectors, server-side apply with
 * fieldManager=tether-policy&force=true, JSON merge patch, delete), recorded by the stub API server.
 */

function kubeConfig(server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'stub', server, skipTLSVerify: true }],
    users: [{ name: 'agent', token: 't' }],
    contexts: [{ name: 'stub', cluster: 'stub', user: 'agent' }],
    currentContext: 'stub',
  });
  return kc;
}

const CM_PATH = '/api/v1/namespaces/shop/configmaps/audit';
const audit = (data: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'audit', namespace: 'shop' },
  data,
});

function tpl(objectTemplates: Partial<DesiredObjectTemplate>[], more: Partial<DesiredPolicyTemplate> = {}): DesiredPolicyTemplate {
  return {
    name: 't',
    objectTemplates: objectTemplates.map((o) => ({ complianceType: 'musthave', recordDiff: 'InStatus', objectDefinition: {}, ...o })),
    evaluationInterval: { compliant: 600, noncompliant: 120 },
    pruneObjectBehavior: 'None',
    ...more,
  };
}

describe('policy requests against a kube-apiserver (stub)', () => {
  let stub: StubApiServer;
  let api: KubeClientAdapter;
  const ctx = (remediationAction: 'inform' | 'enforce'): EvaluationContext => ({
    api,
    remediationAction,
    reapply: false,
    discover: (a, k) => api.discover(a, k),
    namespaces: (s) => selectNamespaces(api, s),
  });
  const calls = () => stub.calls.map((q) => `${q.method} ${q.path}${[...q.query].length ? `?${q.query}` : ''}`);

  beforeEach(async () => {
    stub = new StubApiServer();
    api = new KubeClientAdapter(kubeConfig(await stub.start()), { env: {} });
  });
  afterEach(async () => {
    await stub.stop();
  });

  it('inform: one GET of the named object, nothing written', async () => {
    await evaluateTemplate(ctx('inform'), tpl([{ objectDefinition: audit({ level: 'full' }) }]));
    expect(calls()).toEqual([`GET ${CM_PATH}`]);
  });

  it('enforce musthave: GET, then PATCH apply-patch with fieldManager=tether-policy&force=true and only the declared fields, then GET', async () => {
    const out = await evaluateTemplate(
      ctx('enforce'),
      tpl([{ objectDefinition: { ...audit({ level: 'full' }), metadata: { name: 'audit', namespace: 'shop', resourceVersion: '7' } } }]),
    );
    expect(calls()).toEqual([`GET ${CM_PATH}`, `PATCH ${CM_PATH}?fieldManager=tether-policy&force=true`, `GET ${CM_PATH}`]);
    const patch = stub.calls[1];
    expect(patch.headers['content-type']).toBe('application/apply-patch+yaml');
    expect(JSON.parse(patch.body)).toEqual(audit({ level: 'full' }));
    expect(out.compliance.objects[0]).toMatchObject({ reason: 'Created' });
  });

  it('enforce mustonlyhave: the apply, then a merge patch (application/merge-patch+json) removing the extra entries', async () => {
    const withExtras = {
      ...audit({ level: 'full', debug: 'true' }),
      metadata: { name: 'audit', namespace: 'shop', labels: { owner: 'ops', stray: 'x' } },
    };
    stub.objects.set(CM_PATH, withExtras);
    // As a real server: the apply answers the merged object, still holding what other managers own.
    stub.answerNext('PATCH', CM_PATH, 200, withExtras);
    const def = { ...audit({ level: 'full' }), metadata: { name: 'audit', namespace: 'shop', labels: { owner: 'ops' } } };
    const out = await evaluateTemplate(ctx('enforce'), tpl([{ complianceType: 'mustonlyhave', objectDefinition: def }]));
    expect(calls()).toEqual([
      `GET ${CM_PATH}`,
      `PATCH ${CM_PATH}?fieldManager=tether-policy&force=true`,
      `PATCH ${CM_PATH}?fieldManager=tether-policy`,
      `GET ${CM_PATH}`,
    ]);
    const merge = stub.calls[2];
    expect(merge.headers['content-type']).toBe('application/merge-patch+json');
    expect(JSON.parse(merge.body)).toEqual({ metadata: { labels: { stray: null } }, data: { debug: null } });
    expect(out.compliance.compliance).toBe('Compliant');
  });

  it('mergePatch sends the patch verbatim as application/merge-patch+json, and a missing object is KubeNotFoundError', async () => {
    stub.objects.set(CM_PATH, audit({ level: 'full', debug: 'true' }));
    const live = await api.mergePatch(
      { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'audit' },
      { data: { debug: null } },
      { fieldManager: 'tether-policy' },
    );
    const [patch] = stub.calls;
    expect(`${patch.method} ${patch.path}?${patch.query}`).toBe(`PATCH ${CM_PATH}?fieldManager=tether-policy`);
    expect(patch.headers['content-type']).toBe('application/merge-patch+json');
    expect(JSON.parse(patch.body)).toEqual({ data: { debug: null } });
    expect(live.data).toEqual({ level: 'full' });
    const missing = await api
      .mergePatch({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'nope' }, { data: {} }, { fieldManager: 'tether-policy' })
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(KubeNotFoundError);
  });

  it('enforce mustnothave: GET, then DELETE with Background propagation', async () => {
    stub.objects.set(CM_PATH, audit({ a: '1' }));
    await evaluateTemplate(ctx('enforce'), tpl([{ complianceType: 'mustnothave', objectDefinition: audit({}) }]));
    expect(calls()).toEqual([`GET ${CM_PATH}`, `DELETE ${CM_PATH}`]);
    expect(JSON.parse(stub.calls[1].body)).toEqual({ apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' });
  });

  it('a namespaceSelector lists Namespaces with the label selector; unnamed objects are listed with their labels as selector', async () => {
    for (const [name, tier] of [
      ['store-1', 'store'],
      ['web', 'web'],
    ]) {
      stub.objects.set(`/api/v1/namespaces/${name}`, { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { tier } } });
    }
    stub.objects.set('/api/v1/namespaces/store-1/pods/bad', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'bad', namespace: 'store-1', labels: { app: 'pos' } },
      spec: { containers: [{ name: 'c', securityContext: { privileged: true } }] },
    });
    const out = await evaluateTemplate(
      ctx('inform'),
      tpl(
        [
          {
            complianceType: 'mustnothave',
            objectDefinition: {
              apiVersion: 'v1',
              kind: 'Pod',
              metadata: { labels: { app: 'pos' } },
              spec: { containers: [{ securityContext: { privileged: true } }] },
            },
          },
        ],
        { namespaceSelector: { matchLabels: { tier: 'store' }, exclude: ['kube-*'] } },
      ),
    );
    expect(calls()).toEqual([
      'GET /api/v1/namespaces?labelSelector=tier%3Dstore&limit=500',
      'GET /api/v1/namespaces/store-1/pods?labelSelector=app%3Dpos&limit=500',
    ]);
    expect(out.compliance.objects.map((o) => [o.namespace, o.name, o.reason])).toEqual([['store-1', 'bad', 'Present']]);
  });

  it('a kind discovery does not know is KindNotFound with no object request', async () => {
    const out = await evaluateTemplate(
      ctx('enforce'),
      tpl([
        { objectDefinition: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'root', namespace: 'argocd' } } },
      ]),
    );
    expect(out.compliance.reason).toBe('KindNotFound');
    expect(stub.calls).toEqual([]);
    expect(stub.requests.map((q) => `${q.method} ${q.path}`)).toEqual(['GET /apis/argoproj.io/v1alpha1']);
  });
});
