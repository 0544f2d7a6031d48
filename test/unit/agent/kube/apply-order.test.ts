import { describe, expect, it } from '@jest/globals';
import { applyClass, orderForApply, orderForDelete, waitForCrds } from '../../../../agent/kube/apply-order.js';
import type { ClusterApi } from '../../../../agent/kube/cluster-api.js';
import { KubeTimeoutError } from '../../../../agent/kube/errors.js';
import { MemoryCluster } from '../../../../agent/kube/memory-cluster.js';

const m = (apiVersion: string, kind: string, name = kind.toLowerCase()) => ({ apiVersion, kind, name });
const names = (objs: { name: string }[]) => objs.map((o) => o.name);

const MANIFESTS = [
  m('apps/v1', 'Deployment', 'web'),
  m('example.com/v1', 'Widget', 'w1'),
  m('v1', 'Service', 'web-svc'),
  m('admissionregistration.k8s.io/v1', 'ValidatingWebhookConfiguration', 'hook'),
  m('v1', 'ConfigMap', 'settings'),
  m('rbac.authorization.k8s.io/v1', 'ClusterRole', 'reader'),
  m('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'widgets.example.com'),
  m('v1', 'Namespace', 'shop'),
  m('v1', 'ServiceAccount', 'agent'),
  m('v1', 'Secret', 'creds'),
  m('apps/v1', 'StatefulSet', 'db'),
  m('v1', 'Namespace', 'tools'),
];

describe('orderForApply', () => {
  it('puts namespaces, then CRDs, then RBAC/service accounts/config, then the rest, custom resources and webhooks last', () => {
    expect(names(orderForApply(MANIFESTS))).toEqual([
      'shop',
      'tools',
      'widgets.example.com',
      'settings',
      'reader',
      'agent',
      'creds',
      'web',
      'web-svc',
      'db',
      'w1',
      'hook',
    ]);
  });

  it('is stable within a class and does not modify its input', () => {
    const input = [m('v1', 'ConfigMap', 'b'), m('v1', 'Secret', 'a'), m('v1', 'ConfigMap', 'a')];
    const copy = [...input];
    expect(names(orderForApply(input))).toEqual(['b', 'a', 'a']);
    expect(orderForApply(input)[1].kind).toBe('Secret');
    expect(input).toEqual(copy);
  });

  it('classifies by group as well as kind: a custom kind named Namespace is a custom resource', () => {
    expect(applyClass(m('example.com/v1', 'Namespace'))).toBe(applyClass(m('example.com/v1', 'Widget')));
    expect(applyClass(m('v1', 'Namespace'))).toBeLessThan(applyClass(m('example.com/v1', 'Namespace')));
  });
});

describe('orderForDelete', () => {
  it('deletes webhooks, custom resources and workloads first, CRDs and namespaces last', () => {
    expect(names(orderForDelete(MANIFESTS))).toEqual([
      'hook',
      'w1',
      'web',
      'web-svc',
      'db',
      'settings',
      'reader',
      'agent',
      'creds',
      'widgets.example.com',
      'shop',
      'tools',
    ]);
  });
});

describe('waitForCrds', () => {
  const crd = (plural: string) => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.example.com` },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { kind: plural, plural },
      versions: [{ name: 'v1', served: true, storage: true }],
    },
  });

  it('resolves once every CRD is Established', async () => {
    const cluster = new MemoryCluster({ crdEstablishDelayMs: 20 });
    await cluster.apply(crd('widgets'), { fieldManager: 'tether-agent', force: false });
    await cluster.apply(crd('gadgets'), { fieldManager: 'tether-agent', force: false });
    await waitForCrds(cluster, ['widgets.example.com', 'gadgets.example.com'], { timeoutMs: 2000, intervalMs: 5 });
    expect(await cluster.isCrdEstablished('gadgets.example.com')).toBe(true);
  });

  it('fails with a retryable KubeTimeoutError naming the CRDs still pending', async () => {
    const cluster = new MemoryCluster();
    await cluster.apply(crd('widgets'), { fieldManager: 'tether-agent', force: false });
    const err = (await waitForCrds(cluster, ['widgets.example.com', 'missing.example.com'], { timeoutMs: 60, intervalMs: 10 }).catch(
      (e: unknown) => e,
    )) as KubeTimeoutError;
    expect(err).toBeInstanceOf(KubeTimeoutError);
    expect(err.retryable).toBe(true);
    expect(err.message).toContain('missing.example.com not established after 60 ms');
    expect(err.message).not.toContain('widgets');
  });

  it('checks immediately and stops when aborted', async () => {
    let calls = 0;
    const api = { isCrdEstablished: async () => (++calls, false) } as unknown as ClusterApi;
    const controller = new AbortController();
    const waiting = waitForCrds(api, ['x.example.com'], { intervalMs: 10_000, signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 10));
    controller.abort(new Error('agent stopping'));
    await expect(waiting).rejects.toThrow('agent stopping');
    expect(calls).toBe(1);
  });
});
