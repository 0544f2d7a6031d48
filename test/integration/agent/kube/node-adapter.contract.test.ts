import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { KubeConfig } from '@kubernetes/client-node';
import { createServer } from 'node:net';
import { TETHER_FIELD_MANAGER } from '../../../../agent/kube/cluster-api.js';
import {
  KubeAlreadyExistsError,
  KubeConflictError,
  KubeForbiddenError,
  KubeInvalidError,
  KubeNotFoundError,
  KubeRequestError,
  KubeUnavailableError,
  KubeUnknownKindError,
} from '../../../../agent/kube/errors.js';
import { KubeClientAdapter } from '../../../../agent/kube/node-adapter.js';
import type { KubeObject } from '../../../../agent/kube/types.js';
import { statusBody, StubApiServer } from '../../../support/stub-apiserver.js';

/**
 * Contract of the client-node adapter: the exact HTTP requests it sends to a kube-apiserver, and
 * how it maps the server's answers to the layer's named errors. The stub server records requests
 * verbatim and answers like kube-apiserver.
 */

const TOKEN = 'contract-test-token';

function kubeConfig(server: string, extra: { proxyUrl?: string } = {}): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'stub', server, skipTLSVerify: true, ...extra }],
    users: [{ name: 'agent', token: TOKEN }],
    contexts: [{ name: 'stub', cluster: 'stub', user: 'agent' }],
    currentContext: 'stub',
  });
  return kc;
}

function deployment(): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'web',
      namespace: 'shop',
      labels: { app: 'web' },
      uid: 'stale-uid',
      resourceVersion: '41',
      generation: 3,
      creationTimestamp: '2026-01-01T00:00:00Z',
      managedFields: [{ manager: 'x', operation: 'Apply', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: {} }],
    },
    spec: {
      replicas: 2,
      // A field newer than client-node's models: must reach the server untouched.
      futureField: { enabled: true },
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: 'nginx:1.27', futureContainerField: 'x' }] },
      },
    },
    status: { readyReplicas: 2 },
  };
}

const DEPLOYMENT_PATH = '/apis/apps/v1/namespaces/shop/deployments/web';

describe('KubeClientAdapter contract (stub kube-apiserver)', () => {
  let stub: StubApiServer;
  let api: KubeClientAdapter;

  beforeEach(async () => {
    stub = new StubApiServer();
    api = new KubeClientAdapter(kubeConfig(await stub.start()), { env: {} });
  });

  afterEach(async () => {
    await stub.stop();
  });

  describe('apply (server-side apply)', () => {
    it('sends one discovery GET, then PATCH with fieldManager, force and the apply-patch content type', async () => {
      await api.apply(deployment(), { fieldManager: TETHER_FIELD_MANAGER, force: false });

      expect(stub.requests.map((q) => `${q.method} ${q.path}`)).toEqual(['GET /apis/apps/v1', `PATCH ${DEPLOYMENT_PATH}`]);
      const patch = stub.requests[1];
      expect([...patch.query.entries()]).toEqual([
        ['fieldManager', 'tether-agent'],
        ['force', 'false'],
      ]);
      expect(patch.headers['content-type']).toBe('application/apply-patch+yaml');
      expect(patch.headers.authorization).toBe(`Bearer ${TOKEN}`);
    });

    it('strips server-owned metadata and status from the body but keeps every other field verbatim', async () => {
      await api.apply(deployment(), { fieldManager: TETHER_FIELD_MANAGER, force: false });

      const body = JSON.parse(stub.requests[1].body) as KubeObject;
      expect(body.metadata).toEqual({ name: 'web', namespace: 'shop', labels: { app: 'web' } });
      expect(body).not.toHaveProperty('status');
      expect(body.spec).toEqual(deployment().spec);
    });

    it('returns the server answer verbatim: unknown fields kept, timestamps as strings', async () => {
      const live = await api.apply(deployment(), { fieldManager: TETHER_FIELD_MANAGER, force: false });

      expect(live.metadata.creationTimestamp).toBe('2026-11-01T10:00:00Z');
      expect(live.metadata.resourceVersion).toBe('101');
      expect(live.status).toEqual({ observedGeneration: 1, someFutureField: { nested: true } });
      expect((live.spec as { futureField: unknown }).futureField).toEqual({ enabled: true });
    });

    it('sends force=true when forcing, dryRun=All for a dry run, and discovers each apiVersion only once', async () => {
      await api.apply(deployment(), { fieldManager: TETHER_FIELD_MANAGER, force: true });
      await api.apply(deployment(), { fieldManager: TETHER_FIELD_MANAGER, force: false, dryRun: true });

      expect(stub.requests.filter((q) => q.path === '/apis/apps/v1')).toHaveLength(1);
      const [forced, dry] = stub.calls;
      expect(forced.query.get('force')).toBe('true');
      expect(forced.query.has('dryRun')).toBe(false);
      expect([...dry.query.entries()]).toEqual([
        ['dryRun', 'All'],
        ['fieldManager', 'tether-agent'],
        ['force', 'false'],
      ]);
    });

    it('builds cluster-scoped URLs without a namespace and defaults namespaced objects to the context namespace', async () => {
      await api.apply(
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
        { fieldManager: TETHER_FIELD_MANAGER, force: false },
      );
      await api.apply(
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { a: '1' } },
        { fieldManager: TETHER_FIELD_MANAGER, force: false },
      );

      expect(stub.calls.map((q) => `${q.method} ${q.path}`)).toEqual([
        'PATCH /api/v1/namespaces/shop',
        'PATCH /api/v1/namespaces/default/configmaps/settings',
      ]);
    });

    it('fails with KubeUnknownKindError, sending no PATCH, when discovery does not know the group or the kind', async () => {
      const widget = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'shop' } };
      await expect(api.apply(widget, { fieldManager: TETHER_FIELD_MANAGER, force: false })).rejects.toThrow(KubeUnknownKindError);
      const gadget = { apiVersion: 'apps/v1', kind: 'Gadget', metadata: { name: 'g', namespace: 'shop' } };
      const err = await api.apply(gadget, { fieldManager: TETHER_FIELD_MANAGER, force: false }).catch((e: unknown) => e);

      expect(err).toBeInstanceOf(KubeUnknownKindError);
      expect((err as Error).message).toBe('the cluster has no resource type for kind Gadget in apiVersion apps/v1; install its CRD first');
      expect(stub.calls).toEqual([]);
      expect(stub.requests.map((q) => q.path)).toEqual(['/apis/example.com/v1', '/apis/apps/v1']);
    });
  });

  describe('create, get, list, delete', () => {
    it('create POSTs JSON to the collection with the field manager; an existing object is KubeAlreadyExistsError', async () => {
      const cm: KubeObject = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'once', namespace: 'shop', resourceVersion: '9' },
        data: { a: '1' },
      };
      await api.create(cm, { fieldManager: TETHER_FIELD_MANAGER });
      const err = await api.create(cm, { fieldManager: TETHER_FIELD_MANAGER }).catch((e: unknown) => e);

      const [post] = stub.calls;
      expect(`${post.method} ${post.path}?${post.query}`).toBe('POST /api/v1/namespaces/shop/configmaps?fieldManager=tether-agent');
      expect(post.headers['content-type']).toBe('application/json');
      expect(JSON.parse(post.body)).toEqual({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'once', namespace: 'shop' },
        data: { a: '1' },
      });
      expect(err).toBeInstanceOf(KubeAlreadyExistsError);
      expect((err as Error).message).toBe('ConfigMap shop/once already exists');
    });

    it('get GETs the object URL and answers undefined on 404', async () => {
      await api.apply(deployment(), { fieldManager: TETHER_FIELD_MANAGER, force: false });
      const live = await api.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' });
      const missing = await api.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'nope' });
      const unknownKind = await api.get({ apiVersion: 'example.com/v1', kind: 'Widget', namespace: 'shop', name: 'w' });

      expect(stub.calls.slice(1).map((q) => `${q.method} ${q.path}`)).toEqual([
        `GET ${DEPLOYMENT_PATH}`,
        'GET /apis/apps/v1/namespaces/shop/deployments/nope',
      ]);
      expect(live?.metadata.uid).toBe('uid-100');
      expect(missing).toBeUndefined();
      expect(unknownKind).toBeUndefined();
    });

    it('list sends labelSelector and limit, follows continue tokens, and fills in apiVersion and kind of items', async () => {
      for (const [name, app] of [
        ['a', 'web'],
        ['b', 'db'],
        ['c', 'web'],
        ['d', 'web'],
      ]) {
        await api.apply(
          { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'shop', labels: { app } } },
          { fieldManager: TETHER_FIELD_MANAGER, force: false },
        );
      }
      stub.pageSize = 2;
      stub.requests.length = 0;
      const items = await api.list({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', labelSelector: 'app=web' });

      expect(stub.calls.map((q) => `${q.method} ${q.path}?${q.query}`)).toEqual([
        'GET /api/v1/namespaces/shop/configmaps?labelSelector=app%3Dweb&limit=500',
        'GET /api/v1/namespaces/shop/configmaps?labelSelector=app%3Dweb&limit=500&continue=2',
      ]);
      expect(items.map((o) => [o.apiVersion, o.kind, o.metadata.name])).toEqual([
        ['v1', 'ConfigMap', 'a'],
        ['v1', 'ConfigMap', 'c'],
        ['v1', 'ConfigMap', 'd'],
      ]);
    });

    it('list formats a structured selector and lists across namespaces without one', async () => {
      await api.list({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        labelSelector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }] },
      });

      expect(stub.calls.map((q) => `${q.path}?${q.query}`)).toEqual([
        '/apis/apps/v1/deployments?labelSelector=app%3Dweb%2Ctier+in+%28a%2Cb%29&limit=500',
      ]);
    });

    it('delete sends DELETE with a DeleteOptions body naming the propagation policy; a missing object is false', async () => {
      await api.apply(deployment(), { fieldManager: TETHER_FIELD_MANAGER, force: false });
      const deleted = await api.delete(
        { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' },
        { propagationPolicy: 'Foreground' },
      );
      const again = await api.delete({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' });

      const [del, del2] = stub.calls.slice(1);
      expect(`${del.method} ${del.path}`).toBe(`DELETE ${DEPLOYMENT_PATH}`);
      expect(del.headers['content-type']).toBe('application/json');
      expect(JSON.parse(del.body)).toEqual({ apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Foreground' });
      expect(del2.body).toBe('');
      expect(deleted).toBe(true);
      expect(again).toBe(false);
    });
  });

  describe('discovery, CRDs, version', () => {
    it('discover reports scope and plural, and undefined for unknown groups and kinds', async () => {
      expect(await api.discover('apps/v1', 'Deployment')).toEqual({ namespaced: true, plural: 'deployments' });
      expect(await api.discover('v1', 'Namespace')).toEqual({ namespaced: false, plural: 'namespaces' });
      expect(await api.discover('example.com/v1', 'Widget')).toBeUndefined();
      expect(await api.discover('apps/v1', 'Widget')).toBeUndefined();
    });

    it('isCrdEstablished reads the CRD and its Established condition', async () => {
      const path = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com';
      expect(await api.isCrdEstablished('widgets.example.com')).toBe(false);
      stub.objects.set(path, {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'widgets.example.com' },
        status: {
          conditions: [
            { type: 'NamesAccepted', status: 'True' },
            { type: 'Established', status: 'True' },
          ],
        },
      });
      expect(await api.isCrdEstablished('widgets.example.com')).toBe(true);
      expect(stub.calls.map((q) => `${q.method} ${q.path}`)).toEqual([`GET ${path}`, `GET ${path}`]);
    });

    it('serverVersion GETs /version', async () => {
      expect(await api.serverVersion()).toEqual({ gitVersion: 'v1.33.1-eks-7308294', platform: 'linux/arm64', major: '1', minor: '33' });
      expect(stub.requests.map((q) => `${q.method} ${q.path}`)).toEqual(['GET /version']);
    });
  });

  describe('error mapping', () => {
    const apply = () => api.apply(deployment(), { fieldManager: TETHER_FIELD_MANAGER, force: false });

    it('409 with field-manager conflicts is KubeConflictError naming the manager and the field, and what to do', async () => {
      stub.answerNext(
        'PATCH',
        DEPLOYMENT_PATH,
        409,
        statusBody(409, 'Conflict', 'Apply failed with 1 conflict: conflict with "kubectl-edit" using apps/v1: .spec.replicas', {
          name: 'web',
          group: 'apps',
          kind: 'deployments',
          causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "kubectl-edit" using apps/v1', field: '.spec.replicas' }],
        }),
      );
      const err = (await apply().catch((e: unknown) => e)) as KubeConflictError;

      expect(err).toBeInstanceOf(KubeConflictError);
      expect(err.conflicts).toEqual([{ manager: 'kubectl-edit', field: '.spec.replicas' }]);
      expect(err.managers).toEqual(['kubectl-edit']);
      expect(err.message).toContain('field manager "kubectl-edit" owns .spec.replicas');
      expect(err.message).toContain('set force: true');
      expect(err.retryable).toBe(false);
    });

    it('404 (namespace missing) is KubeNotFoundError with the server message', async () => {
      stub.answerNext(
        'PATCH',
        DEPLOYMENT_PATH,
        404,
        statusBody(404, 'NotFound', 'namespaces "shop" not found', { name: 'shop', kind: 'namespaces' }),
      );
      const err = await apply().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KubeNotFoundError);
      expect((err as Error).message).toBe('namespaces "shop" not found');
    });

    it('422 is KubeInvalidError with the causes', async () => {
      stub.answerNext(
        'PATCH',
        DEPLOYMENT_PATH,
        422,
        statusBody(
          422,
          'Invalid',
          'Deployment.apps "web" is invalid: spec.template.metadata.labels: Invalid value: {"app":"x"}: `selector` does not match template `labels`',
          {
            name: 'web',
            group: 'apps',
            kind: 'Deployment',
            causes: [
              {
                reason: 'FieldValueInvalid',
                message: 'Invalid value: {"app":"x"}: `selector` does not match template `labels`',
                field: 'spec.template.metadata.labels',
              },
            ],
          },
        ),
      );
      const err = (await apply().catch((e: unknown) => e)) as KubeInvalidError;
      expect(err).toBeInstanceOf(KubeInvalidError);
      expect(err.causes).toEqual([
        {
          field: 'spec.template.metadata.labels',
          reason: 'FieldValueInvalid',
          message: 'Invalid value: {"app":"x"}: `selector` does not match template `labels`',
        },
      ]);
    });

    it('403 is KubeForbiddenError with the RBAC message', async () => {
      const message =
        'deployments.apps "web" is forbidden: User "system:serviceaccount:tether:agent" cannot patch resource "deployments" in API group "apps" in the namespace "shop"';
      stub.answerNext('PATCH', DEPLOYMENT_PATH, 403, statusBody(403, 'Forbidden', message));
      const err = await apply().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KubeForbiddenError);
      expect((err as Error).message).toBe(message);
    });

    it('500 and 429 are retryable KubeUnavailableError, with Retry-After', async () => {
      stub.answerNext('PATCH', DEPLOYMENT_PATH, 500, statusBody(500, 'InternalError', 'etcdserver: request timed out'));
      const e500 = (await apply().catch((e: unknown) => e)) as KubeUnavailableError;
      stub.answerNext('PATCH', DEPLOYMENT_PATH, 429, statusBody(429, 'TooManyRequests', 'too many requests'), {
        headers: { 'retry-after': '7' },
      });
      const e429 = (await apply().catch((e: unknown) => e)) as KubeUnavailableError;

      expect(e500).toBeInstanceOf(KubeUnavailableError);
      expect(e500.retryable).toBe(true);
      expect(e500.message).toContain('etcdserver: request timed out');
      expect(e429).toBeInstanceOf(KubeUnavailableError);
      expect(e429.retryAfterSeconds).toBe(7);
    });

    it('a refused connection is KubeUnavailableError', async () => {
      const port = await freePort();
      const offline = new KubeClientAdapter(kubeConfig(`http://127.0.0.1:${port}`), { env: {} });
      const err = (await offline
        .apply(deployment(), { fieldManager: TETHER_FIELD_MANAGER, force: false })
        .catch((e: unknown) => e)) as KubeUnavailableError;
      expect(err).toBeInstanceOf(KubeUnavailableError);
      expect(err.message).toContain(`cannot reach the Kubernetes API server at http://127.0.0.1:${port}`);
      expect(err.message).toContain('ECONNREFUSED');
    });

    it('a request that outlives requestTimeoutMs is aborted as KubeUnavailableError', async () => {
      const impatient = new KubeClientAdapter(kubeConfig(stub.url), { env: {}, requestTimeoutMs: 150 });
      stub.answerNext('GET', '/version', 200, {}, { hang: true });
      const err = await impatient.serverVersion().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KubeUnavailableError);
    });
  });

  describe('kubeconfig', () => {
    it("keeps a path prefix of the cluster's server URL (as behind Rancher)", async () => {
      const prefixed = new KubeClientAdapter(kubeConfig(`${stub.url}/k8s/clusters/c-1`), { env: {} });
      await prefixed.serverVersion().catch(() => undefined);
      expect(stub.requests.map((q) => `${q.method} ${q.path}`)).toEqual(['GET /k8s/clusters/c-1/version']);
    });

    it('sends basic auth for a user with username and password', async () => {
      const kc = new KubeConfig();
      kc.loadFromOptions({
        clusters: [{ name: 'stub', server: stub.url, skipTLSVerify: true }],
        users: [{ name: 'admin', username: 'admin', password: 's3cret' }],
        contexts: [{ name: 'stub', cluster: 'stub', user: 'admin' }],
        currentContext: 'stub',
      });
      await new KubeClientAdapter(kc, { env: {} }).serverVersion();
      expect(stub.requests[0].headers.authorization).toBe(`Basic ${Buffer.from('admin:s3cret').toString('base64')}`);
    });

    it("puts namespaced objects without a namespace in the context's namespace", async () => {
      const kc = kubeConfig(stub.url);
      kc.contexts[0] = { ...kc.contexts[0], namespace: 'ops' };
      await new KubeClientAdapter(kc, { env: {} }).apply(
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' } },
        { fieldManager: TETHER_FIELD_MANAGER, force: false },
      );
      expect(stub.calls.map((q) => `${q.method} ${q.path}`)).toEqual(['PATCH /api/v1/namespaces/ops/configmaps/settings']);
    });

    it('keeps one connection alive across requests, and still sends the current credentials on each', async () => {
      const kc = kubeConfig(stub.url);
      const adapter = new KubeClientAdapter(kc, { env: {} });
      await adapter.apply(deployment(), { fieldManager: TETHER_FIELD_MANAGER, force: false });
      kc.users[0] = { ...kc.users[0], token: 'rotated-token' };
      await adapter.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' });

      expect(stub.requests.map((q) => `${q.method} ${q.path}`)).toEqual([
        'GET /apis/apps/v1',
        `PATCH ${DEPLOYMENT_PATH}`,
        `GET ${DEPLOYMENT_PATH}`,
      ]);
      expect(stub.requests.map((q) => q.headers.authorization)).toEqual([`Bearer ${TOKEN}`, `Bearer ${TOKEN}`, 'Bearer rotated-token']);
      expect(stub.connections).toBe(1);
    });

    it('a 2xx answer that is not JSON is a KubeRequestError naming the target', async () => {
      stub.answerNext('GET', '/version', 200, Buffer.from('<html>Bad gateway</html>'), { headers: { 'content-type': 'text/html' } });
      const err = await api.serverVersion().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KubeRequestError);
      expect((err as Error).message).toContain('the API server answered 200 on the API server version with a body that is not JSON');
    });
  });

  describe('proxies', () => {
    it('tunnels requests through the proxy named by HTTP(S)_PROXY in the environment', async () => {
      const proxied = new KubeClientAdapter(kubeConfig('http://kube.invalid:6443'), { env: { HTTP_PROXY: stub.url } });
      const version = await proxied.serverVersion();
      expect(stub.requests.map((q) => `${q.method} ${q.rawUrl}`)).toEqual(['CONNECT kube.invalid:6443', 'GET /version']);
      expect(stub.requests[1].headers.host).toBe('kube.invalid:6443');
      expect(version.gitVersion).toBe('v1.33.1-eks-7308294');
    });

    it('connects directly, bypassing the proxy, when NO_PROXY covers the server', async () => {
      const direct = new KubeClientAdapter(kubeConfig('http://kube.invalid:6443'), {
        env: { HTTP_PROXY: stub.url, NO_PROXY: 'example.com,.invalid' },
        requestTimeoutMs: 5000,
      });
      // kube.invalid does not resolve, so a direct connection fails; the proxy must never see a tunnel.
      const err = await direct.serverVersion().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KubeUnavailableError);
      expect(stub.requests).toEqual([]);
    });

    it('never proxies a loopback server', async () => {
      const local = new KubeClientAdapter(kubeConfig(stub.url), { env: { HTTP_PROXY: 'http://proxy.invalid:3128' } });
      await local.serverVersion();
      expect(stub.requests.map((q) => `${q.method} ${q.rawUrl}`)).toEqual(['GET /version']);
    });

    it("honours the kubeconfig's own proxy-url", async () => {
      const viaKubeconfig = new KubeClientAdapter(kubeConfig('http://kube.invalid:6443', { proxyUrl: stub.url }), { env: {} });
      await viaKubeconfig.serverVersion();
      expect(stub.requests.map((q) => `${q.method} ${q.rawUrl}`)).toEqual(['CONNECT kube.invalid:6443', 'GET /version']);
    });
  });
});

/** A port nothing listens on: bind one, then release it. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
