import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClientAdapter } from '../../../../agent/kube/node-adapter.js';
import { silentLog } from '../../../../agent/log.js';
import { SyncDestination } from '../../../../agent/sync/destination.js';
import { SyncSource } from '../../../../agent/sync/source.js';
import { emptySyncState } from '../../../../agent/sync/sync-store.js';
import type { DesiredSync, DesiredSyncObject, SyncReport } from '../../../../shared/protocol/sync.js';
import { StubApiServer } from '../../../support/stub-apiserver.js';

/**
 * Contract of resource sync on the spoke: the exact Kubernetes requests the source (list with
 * namespace, label and field selectors) and the destination (get, server-side apply with
 * fieldManager=tether-sync and force only for Overwrite, delete) send through the client-node
 * adapter, recorded by the stub API server, and how its 409 becomes a Conflict.
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

const log = silentLog();
const SECRETS = '/api/v1/namespaces/shop/secrets';

describe('resource sync requests against a kube-apiserver (stub)', () => {
  let stub: StubApiServer;
  let api: KubeClientAdapter;
  const calls = () => stub.calls.map((q) => `${q.method} ${q.path}${[...q.query].length ? `?${q.query}` : ''}`);

  beforeEach(async () => {
    stub = new StubApiServer();
    api = new KubeClientAdapter(kubeConfig(await stub.start()), { env: {} });
    stub.discovery['example.com/v1'] = [{ name: 'widgets', kind: 'Widget', namespaced: true, verbs: ['get', 'list', 'patch', 'delete'] }];
  });
  afterEach(async () => {
    await stub.stop();
  });

  describe('source', () => {
    const reports: SyncReport[] = [];
    const send = async (r: SyncReport) => {
      reports.push(r);
      return { digest: 'd', need: [], rejected: [] };
    };
    const run = (kind: { group: string; version: string; kind: string }, match: DesiredSync['sources'][number]['match']) =>
      new SyncSource({ api, log, now: () => 0, resyncMs: 0 }).run(
        [{ rule: 'r', uid: 'u', generation: 1, resource: kind, match, withStatus: false, digest: '' }],
        { clusterId: 'me', state: emptySyncState(), send, force: true },
      );

    it('lists per namespace with the label selector and, for a named object, the field selector metadata.name', async () => {
      stub.objects.set(`${SECRETS}/db`, {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'db', namespace: 'shop', labels: { sync: 'yes' } },
        data: {},
      });
      stub.objects.set(`${SECRETS}/other`, {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'other', namespace: 'shop', labels: { sync: 'no' } },
        data: {},
      });
      await run({ group: '', version: 'v1', kind: 'Secret' }, [
        [{ namespaces: ['shop'], labels: [{ matchExpressions: [{ key: 'sync', operator: 'In', values: ['yes'] }] }] }],
        [{ objectKey: { namespace: 'ops', name: 'tls' } }],
      ]);
      expect(calls()).toEqual([
        `GET ${SECRETS}?labelSelector=sync+in+%28yes%29&limit=500`,
        'GET /api/v1/namespaces/ops/secrets?fieldSelector=metadata.name%3Dtls&limit=500',
      ]);
      expect(reports.at(-1)?.inventory.map((e) => e.name)).toEqual(['db']);
    });

    it('lists a custom resource across namespaces when the rule cannot be narrowed', async () => {
      await run({ group: 'example.com', version: 'v1', kind: 'Widget' }, [[{ annotations: [{ matchLabels: { a: 'b' } }] }]]);
      expect(calls()).toEqual(['GET /apis/example.com/v1/widgets?limit=500']);
    });
  });

  describe('destination', () => {
    const object = (data: Record<string, string>) => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db', namespace: 'shop' },
      type: 'Opaque',
      data,
    });
    const desired = (o: DesiredSyncObject[], conflictPolicy: 'Abort' | 'Overwrite' = 'Abort'): DesiredSync => ({
      sources: [],
      destinationRules: [{ rule: 'r', uid: 'u', conflictPolicy, deletePolicy: 'Propagate' }],
      objects: o,
    });
    const item = (data: Record<string, string>): DesiredSyncObject => ({
      rule: 'r',
      sourceCluster: 'src',
      originClusterId: 'c0ffee',
      sourceResourceVersion: '12',
      hash: JSON.stringify(data),
      object: object(data),
    });

    it('GET, then PATCH apply-patch with fieldManager=tether-sync&force=false and the origin annotations; DELETE when the source goes', async () => {
      const dest = new SyncDestination({ api, log });
      const state = emptySyncState();
      await dest.run(desired([item({ k: 'dg==' })]), state, false);

      expect(calls()).toEqual([`GET ${SECRETS}/db`, `PATCH ${SECRETS}/db?fieldManager=tether-sync&force=false`]);
      const patch = stub.calls[1];
      expect(patch.headers['content-type']).toBe('application/apply-patch+yaml');
      expect(JSON.parse(patch.body)).toEqual({
        ...object({ k: 'dg==' }),
        metadata: {
          name: 'db',
          namespace: 'shop',
          annotations: {
            'sync.tether.dev/origin-cluster': 'c0ffee',
            'sync.tether.dev/rule': 'r',
            'sync.tether.dev/source-resource-version': '12',
          },
        },
      });

      stub.requests.length = 0;
      await dest.run(desired([]), state, false);
      expect(calls()).toEqual([`GET ${SECRETS}/db`, `DELETE ${SECRETS}/db`]);
      expect(stub.objects.has(`${SECRETS}/db`)).toBe(false);
    });

    it("the server's 409 for a field another manager owns is a Conflict under Abort; Overwrite sends force=true", async () => {
      const dest = new SyncDestination({ api, log });
      const state = emptySyncState();
      await dest.run(desired([item({ k: 'MQ==' })]), state, false);
      // Someone else applies a different value to the copy.
      await api.apply(
        { ...object({ k: 'ZWRpdGVk' }), metadata: { name: 'db', namespace: 'shop', annotations: { 'sync.tether.dev/rule': 'r' } } },
        { fieldManager: 'kubectl', force: true },
      );
      const changed = item({ k: 'Mg==' });

      await dest.run(desired([changed]), state, false);
      expect(dest.outcome(changed)).toMatchObject({
        state: 'Conflict',
        reason: expect.stringContaining('field manager "kubectl" owns .data.k'),
      });

      stub.requests.length = 0;
      await dest.run(desired([changed], 'Overwrite'), state, false);
      expect(calls()).toEqual([`GET ${SECRETS}/db`, `PATCH ${SECRETS}/db?fieldManager=tether-sync&force=true`]);
      expect(dest.outcome(changed)?.state).toBe('Synced');
    });
  });
});
