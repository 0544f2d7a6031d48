import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { KubeConfig } from '@kubernetes/client-node';
import { ClusterProfileKeeper } from '../../../../agent/cluster-profiles.js';
import { KubeClientAdapter } from '../../../../agent/kube/node-adapter.js';
import { silentLog } from '../../../../agent/log.js';
import { CLUSTER_PROFILE_CRD } from '../../../../shared/cluster-profile.js';
import type { DesiredClusterProfile } from '../../../../shared/protocol/inventory.js';
import { StubApiServer } from '../../../support/stub-apiserver.js';

/**
 * Contract of the cluster inventory on a receiving cluster: the exact Kubernetes requests the
 * ClusterProfile keeper sends through the client-node adapter (CRD check and create only when
 * absent, namespace, server-side apply of the object and of its status subresource with
 * fieldManager=tether-inventory&force=true, list by the owner labels, delete), recorded by the stub
 * API server.
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

const CRD_PATH = `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${CLUSTER_PROFILE_CRD}`;
const GROUP = 'multicluster.x-k8s.io/v1alpha1';
const PROFILES = `/apis/${GROUP}/namespaces/inventory/clusterprofiles`;
const SELECTOR = 'labelSelector=x-k8s.io%2Fcluster-manager%3Dtether%2Cinventory.tether.dev%2Fexport';

const profile = (cluster: string): DesiredClusterProfile => ({
  export: 'argocd',
  namespace: 'inventory',
  cluster,
  displayName: cluster,
  kubernetesVersion: 'v1.33.1',
  properties: [{ name: 'clusterset.k8s.io', value: 'stores' }],
  health: { status: 'True', reason: 'ClusterAvailable', message: 'ok', since: '2026-11-10T11:00:00Z' },
  validForSeconds: 180,
});

describe('cluster inventory requests against a kube-apiserver (stub)', () => {
  let stub: StubApiServer;
  let keeper: ClusterProfileKeeper;
  const now = Date.parse('2026-11-10T12:00:00Z');
  const calls = () => stub.requests.map((q) => `${q.method} ${q.path}${[...q.query].length ? `?${q.query}` : ''}`);

  beforeEach(async () => {
    stub = new StubApiServer();
    const api = new KubeClientAdapter(kubeConfig(await stub.start()), { env: {} });
    keeper = new ClusterProfileKeeper({ api, log: silentLog(), now: () => now });
  });
  afterEach(async () => {
    await stub.stop();
  });

  /** What the API server does once it accepted a CRD: serve the group and mark it Established. */
  function establish(): void {
    const crd = stub.objects.get(CRD_PATH)!;
    stub.objects.set(CRD_PATH, { ...crd, status: { conditions: [{ type: 'Established', status: 'True' }] } });
    stub.discovery[GROUP] = [
      {
        name: 'clusterprofiles',
        kind: 'ClusterProfile',
        namespaced: true,
        verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
      },
      { name: 'clusterprofiles/status', kind: 'ClusterProfile', namespaced: true, verbs: ['get', 'patch', 'update'] },
    ];
  }

  it('CRD absent: GET, then POST (create, never apply), then waits for Established', async () => {
    await keeper.run({ profiles: [profile('store-1')] }, now);
    expect(calls()).toEqual([
      'GET /apis/apiextensions.k8s.io/v1',
      `GET ${CRD_PATH}`,
      'POST /apis/apiextensions.k8s.io/v1/customresourcedefinitions?fieldManager=tether-inventory',
      `GET ${CRD_PATH}`,
    ]);
    expect(JSON.parse(stub.requests[2].body)).toMatchObject({ metadata: { name: CLUSTER_PROFILE_CRD }, spec: { scope: 'Namespaced' } });
  });

  it('then: namespace, GET, apply of the object, apply of its status subresource, list by owner labels', async () => {
    await keeper.run({ profiles: [profile('store-1')] }, now);
    establish();
    stub.requests.length = 0;
    await keeper.run({ profiles: [profile('store-1')] }, now);
    expect(calls()).toEqual([
      `GET ${CRD_PATH}`,
      `GET ${CRD_PATH}`,
      'GET /api/v1',
      'GET /api/v1/namespaces/inventory',
      'POST /api/v1/namespaces?fieldManager=tether-inventory',
      `GET /apis/${GROUP}`,
      `GET ${PROFILES}/store-1`,
      `PATCH ${PROFILES}/store-1?fieldManager=tether-inventory&force=true`,
      `PATCH ${PROFILES}/store-1/status?fieldManager=tether-inventory&force=true`,
      `GET /apis/${GROUP}/clusterprofiles?${SELECTOR}&limit=500`,
    ]);
    const [apply, status] = stub.requests.filter((q) => q.method === 'PATCH');
    expect(apply.headers['content-type']).toBe('application/apply-patch+yaml');
    expect(JSON.parse(apply.body)).toEqual({
      apiVersion: GROUP,
      kind: 'ClusterProfile',
      metadata: {
        name: 'store-1',
        namespace: 'inventory',
        labels: { 'x-k8s.io/cluster-manager': 'tether', 'inventory.tether.dev/export': 'argocd' },
      },
      spec: { displayName: 'store-1', clusterManager: { name: 'tether' } },
    });
    expect(status.headers['content-type']).toBe('application/apply-patch+yaml');
    expect(JSON.parse(status.body)).toEqual({
      apiVersion: GROUP,
      kind: 'ClusterProfile',
      metadata: { name: 'store-1', namespace: 'inventory' },
      status: {
        version: { kubernetes: 'v1.33.1' },
        properties: [{ name: 'clusterset.k8s.io', value: 'stores' }],
        conditions: [
          {
            type: 'ControlPlaneHealthy',
            status: 'True',
            reason: 'ClusterAvailable',
            message: 'ok',
            lastTransitionTime: '2026-11-10T11:00:00Z',
          },
        ],
      },
    });
  });

  it('a member that left: its profile is deleted; nothing else is written', async () => {
    await keeper.run({ profiles: [profile('store-1')] }, now);
    establish();
    await keeper.run({ profiles: [profile('store-1'), profile('store-2')] }, now);
    stub.requests.length = 0;
    await keeper.run({ profiles: [profile('store-1')] }, now);
    const writes = calls().filter((c) => !c.startsWith('GET'));
    expect(writes).toEqual([
      `PATCH ${PROFILES}/store-1?fieldManager=tether-inventory&force=true`,
      `PATCH ${PROFILES}/store-1/status?fieldManager=tether-inventory&force=true`,
      `DELETE ${PROFILES}/store-2`,
    ]);
  });
});
