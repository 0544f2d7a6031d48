import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { WORK_MAX_COMPRESSED_BYTES, WORK_MAX_JSON_BYTES } from '../../../lambdas/capabilities/works/work-checks.js';
import { applyWork } from '../../../lambdas/capabilities/works/works.js';
import { AlreadyExistsError, NotFoundError, StateError } from '../../../shared/errors.js';
import { DesiredStateSchema } from '../../../shared/protocol/v1.js';
import { API, createCluster, deployment, headRevision, joinCluster, startWorksHub, workDoc, type WorksHub } from './support.js';

/**
 * Works end to end on a real local hub: CRUD at /v1/clusters/{cluster}/works, the checks and their
 * problems, the size limits, Secret redaction in lists, the desired-revision bump the agent polls
 * for, delivery over the agent API, status from agent reports, and removal with the cluster.
 */

// Each test drives the hub through several queued steps; allow for a busy machine.
jest.setTimeout(30_000);

let hub: WorksHub;

beforeAll(async () => {
  hub = await startWorksHub();
  await createCluster(hub, 'store-1');
}, 60_000);

afterAll(async () => {
  await hub?.stop();
  expect(hub?.problems).toEqual([]);
}, 30_000);

const works = (cluster = 'store-1') => `/v1/clusters/${cluster}/works`;

describe('Work CRUD', () => {
  it('creates, reads, lists, replaces, patches and deletes, bumping the revision only when what the agent applies changes', async () => {
    const r0 = await headRevision(hub, 'store-1');
    const created = await hub.api(works(), { body: workDoc('web', [deployment()]) });
    expect(created.status).toBe(201);
    expect(created.body.metadata).toMatchObject({ name: 'web', namespace: 'store-1', generation: 1 });
    expect(created.body.spec.manifestConfigs).toEqual([]);
    expect(created.body.status).toEqual({ conditions: [] });
    expect(created.headers.get('etag')).toBe(`"${created.body.metadata.resourceVersion}"`);
    const r1 = await headRevision(hub, 'store-1');
    expect(r1).toBe(r0 + 1);

    const got = await hub.api(`${works()}/web`);
    expect(got.status).toBe(200);
    expect(got.body.spec.workload.manifests).toEqual([deployment()]);

    const list = await hub.api(works());
    expect(list.status).toBe(200);
    expect(list.body.kind).toBe('WorkList');
    expect(list.body.items.map((w: any) => w.metadata.name)).toEqual(['web']);

    const replaced = await hub.api(`${works()}/web`, { method: 'PUT', body: workDoc('web', [deployment('web', 3)]) });
    expect(replaced.status).toBe(200);
    expect(replaced.body.metadata.generation).toBe(2);
    expect(await headRevision(hub, 'store-1')).toBe(r1 + 1);

    // A label is not part of what the agent applies: no bump.
    const labelled = await hub.api(`${works()}/web`, {
      method: 'PATCH',
      body: { metadata: { labels: { team: 'web' } } },
      contentType: 'application/merge-patch+json',
    });
    expect(labelled.status).toBe(200);
    expect(labelled.body.metadata.generation).toBe(2);
    expect(await headRevision(hub, 'store-1')).toBe(r1 + 1);

    const stale = await hub.api(`${works()}/web`, {
      method: 'PUT',
      body: { ...workDoc('web', [deployment('web', 4)]), metadata: { name: 'web', resourceVersion: '1' } },
    });
    expect(stale.status).toBe(409);

    const deleted = await hub.api(`${works()}/web`, { method: 'DELETE' });
    expect(deleted.status).toBe(200);
    expect(await headRevision(hub, 'store-1')).toBe(r1 + 2);
    expect((await hub.api(`${works()}/web`)).status).toBe(404);
  });

  it('answers 404 naming the cluster when the cluster does not exist', async () => {
    const res = await hub.api(works('no-such-store'), { body: workDoc('web', [deployment()]) });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body.detail).toBe('Cluster "no-such-store" not found');
  });

  it('apply needs metadata.namespace for a work, and creates it there', async () => {
    const yaml = `apiVersion: ${API}\nkind: Work\nmetadata:\n  name: via-apply\n  namespace: store-1\nspec:\n  workload:\n    manifests:\n    - apiVersion: v1\n      kind: ConfigMap\n      metadata: {name: settings, namespace: shop}\n      data: {a: "1"}\n`;
    const res = await hub.api('/v1/apply', { raw: yaml, contentType: 'application/yaml' });
    expect(res.status).toBe(200);
    expect(res.body.results[0]).toMatchObject({ kind: 'Work', name: 'via-apply', namespace: 'store-1', action: 'created' });
    expect((await hub.api(`${works()}/via-apply`)).status).toBe(200);
  });

  it('a dry run checks a new work against its cluster without writing it', async () => {
    const doc = (name: string, cluster: string) => ({ ...workDoc(name, [deployment()]), metadata: { name, namespace: cluster } });
    const ok = await hub.api('/v1/apply?dryRun=true', { body: doc('dry', 'store-1') });
    expect(ok.status).toBe(200);
    expect(ok.body.results[0]).toMatchObject({ name: 'dry', action: 'created' });
    expect((await hub.api(`${works()}/dry`)).status).toBe(404);
    const missing = await hub.api('/v1/apply?dryRun=true', { body: doc('dry', 'no-such-store') });
    expect(missing.body.results[0]).toMatchObject({
      action: 'failed',
      problem: { status: 404, detail: 'Cluster "no-such-store" not found' },
    });
  });
});

describe('applyWork with what the caller read already', () => {
  it('saves the reads but not the conditions: a stale Work still updates through a re-read, a wrong "none" fails, and the cluster checks hold', async () => {
    const spec = (replicas: number) => ({ workload: { manifests: [deployment('known', replicas)] } });
    const input = (replicas: number, cluster = 'store-1') => ({ cluster, name: 'known', spec: spec(replicas) });
    const first = await applyWork(hub.ctx, input(1), { known: { existing: null, decorate: false } });
    expect(first.action).toBe('created');
    // Not decorated: the result is the stored item, without a status read.
    expect(first.work?.status).toBeUndefined();
    const stale = first.work!;
    expect((await applyWork(hub.ctx, input(2))).action).toBe('configured');
    const r0 = await headRevision(hub, 'store-1');
    // The caller's copy is one version behind: the replace is conditional, so it re-reads and wins.
    const third = await applyWork(hub.ctx, input(3), { known: { existing: stale } });
    expect(third.action).toBe('configured');
    const stored = await hub.ctx.ports.resources.get({ kind: 'Work', namespace: 'store-1', name: 'known' }, { consistent: true });
    expect(stored?.metadata).toMatchObject({ generation: 3, resourceVersion: '3' });
    expect(await headRevision(hub, 'store-1')).toBe(r0 + 1);
    // Told "there is none" while there is one: the create is conditional and refuses.
    await expect(applyWork(hub.ctx, input(4), { known: { existing: null } })).rejects.toBeInstanceOf(AlreadyExistsError);
    // The Cluster record handed down is what the checks look at.
    await expect(applyWork(hub.ctx, input(1, 'no-such-store'), { known: { existing: null, cluster: null } })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    const record = await hub.ctx.ports.resources.get({ kind: 'Cluster', name: 'store-1' });
    const leaving = { ...record!, metadata: { ...record!.metadata, deletionTimestamp: '2026-11-24T00:00:00Z' } };
    await expect(applyWork(hub.ctx, input(5), { known: { cluster: leaving } })).rejects.toBeInstanceOf(StateError);
  });
});

describe('Work input problems', () => {
  it('duplicate manifests, configs naming nothing and unknown fields get 422 with field errors', async () => {
    const dup = await hub.api(works(), { body: workDoc('dup', [deployment(), deployment()]) });
    expect(dup.status).toBe(422);
    expect(dup.body.errors).toEqual([
      {
        path: 'spec.workload.manifests.1',
        message: 'Deployment shop/web (apps/v1) is already manifest 0; each object may appear once in a work',
      },
    ]);

    const cfg = await hub.api(works(), {
      body: workDoc('cfg', [deployment()], {
        manifestConfigs: [{ resourceIdentifier: { group: 'apps', resource: 'deployments', namespace: 'shop', name: 'api' } }],
      }),
    });
    expect(cfg.status).toBe(422);
    expect(cfg.body.errors[0].path).toBe('spec.manifestConfigs.0.resourceIdentifier');

    const unknown = await hub.api(works(), { body: workDoc('unk', [deployment()], { deletePolicy: 'Orphan' }) });
    expect(unknown.status).toBe(422);
    expect(unknown.body.detail).toContain('deletePolicy');

    const strategy = await hub.api(works(), {
      body: workDoc('strat', [deployment()], {
        manifestConfigs: [
          {
            resourceIdentifier: { group: 'apps', resource: 'deployments', namespace: 'shop', name: 'web' },
            updateStrategy: { type: 'Replace' },
          },
        ],
      }),
    });
    expect(strategy.status).toBe(422);
    expect(strategy.body.errors[0].message).toBe('updateStrategy.type must be one of ServerSideApply, CreateOnly, ReadOnly');
  });
});

describe('Work size', () => {
  const configMaps = (count: number, make: (i: number) => string, prefix = 'cm') =>
    Array.from({ length: count }, (_, i) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `${prefix}-${i}`, namespace: 'shop' },
      data: { 'app.properties': make(i) },
    }));

  it('accepts a work with more than 500 KiB of manifests and returns it intact', async () => {
    const text = (i: number) => Array.from({ length: 40 }, (_, j) => `server.pool.${i}.${j}.size=${(i * 37 + j) % 101}`).join('\n');
    const manifests = [...configMaps(200, text), ...configMaps(110, () => randomBytes(1300).toString('hex'), 'keys')];
    expect(Buffer.byteLength(JSON.stringify(manifests))).toBeGreaterThan(500 * 1024);
    const created = await hub.api(works(), { body: workDoc('big', manifests) });
    expect(created.status).toBe(201);
    const got = await hub.api(`${works()}/big`);
    expect(got.status).toBe(200);
    expect(got.body.spec.workload.manifests).toEqual(manifests);
  });

  it('accepts even 500 KiB of random base64, the data that compresses worst, and stores it', async () => {
    const manifests = configMaps(244, () => randomBytes(1500).toString('base64'), 'key');
    expect(Buffer.byteLength(JSON.stringify(manifests))).toBeGreaterThan(500 * 1024);
    const created = await hub.api(works(), { body: workDoc('keys', manifests) });
    expect(created.status).toBe(201);
    expect((await hub.api(`${works()}/keys`)).body.spec.workload.manifests).toEqual(manifests);
  });

  it('refuses a work over the JSON limit with 413, the limit and the size', async () => {
    const manifests = configMaps(280, (i) => `${i % 10}`.repeat(8000));
    const res = await hub.api(works(), { body: workDoc('huge', manifests) });
    expect(res.status).toBe(413);
    expect(res.body.limitBytes).toBe(WORK_MAX_JSON_BYTES);
    expect(res.body.actualBytes).toBeGreaterThan(WORK_MAX_JSON_BYTES);
    expect(res.body.detail).toBe(
      `Work "store-1/huge" (as JSON) is ${res.body.actualBytes} bytes; the limit is ${WORK_MAX_JSON_BYTES} bytes`,
    );
  });

  it('refuses a work of data that does not compress with 413 on the compressed size', async () => {
    const res = await hub.api(works(), {
      body: workDoc(
        'random',
        configMaps(400, () => randomBytes(2000).toString('base64')),
      ),
    });
    expect(res.status).toBe(413);
    expect(res.body.limitBytes).toBe(WORK_MAX_COMPRESSED_BYTES);
    expect(res.body.actualBytes).toBeGreaterThan(WORK_MAX_COMPRESSED_BYTES);
    expect(res.body.detail).toContain('split it into several works');
  });
});

describe('Secrets in works', () => {
  it('lists show Secret values redacted; reading the work by name returns it whole', async () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db', namespace: 'shop' },
      data: { password: 'c2VjcmV0' },
      stringData: { dsn: 'postgres://u:pw@db' },
    };
    expect((await hub.api(works(), { body: workDoc('creds', [secret]) })).status).toBe(201);
    const list = await hub.api(`${works()}?limit=100`);
    const listed = list.body.items.find((w: any) => w.metadata.name === 'creds');
    expect(listed.spec.workload.manifests[0].data).toEqual({ password: '<redacted>' });
    expect(listed.spec.workload.manifests[0].stringData).toEqual({ dsn: '<redacted>' });
    expect(list.text).not.toContain('c2VjcmV0');
    expect(list.text).not.toContain('u:pw@db');
    const one = await hub.api(`${works()}/creds`);
    expect(one.body.spec.workload.manifests[0].data).toEqual({ password: 'c2VjcmV0' });
  });
});

describe('works and the agent', () => {
  let credential = '';

  beforeAll(async () => {
    credential = await joinCluster(hub, 'store-2');
  }, 30_000);

  it('delivers the works in the desired state, and a change moves the revision', async () => {
    const first = await hub.api('/agent/v1/desired', { token: credential });
    expect(first.status).toBe(200);
    expect(DesiredStateSchema.parse(first.body).works).toEqual([]);
    const etag = first.headers.get('etag') as string;

    const created = await hub.api(works('store-2'), {
      body: workDoc('web', [deployment()], {
        manifestConfigs: [
          {
            resourceIdentifier: { group: 'apps', resource: 'deployments', namespace: 'shop', name: 'web' },
            feedbackRules: [{ type: 'WellKnownStatus' }],
          },
        ],
        deleteOption: { propagationPolicy: 'Orphan' },
      }),
    });
    expect(created.status).toBe(201);
    const next = await hub.api('/agent/v1/desired', { token: credential, headers: { 'if-none-match': etag } });
    expect(next.status).toBe(200);
    expect(next.headers.get('etag')).not.toBe(etag);
    expect(next.body.works).toEqual([
      {
        name: 'web',
        uid: created.body.metadata.uid,
        generation: 1,
        manifests: [deployment()],
        manifestConfigs: [
          {
            resourceIdentifier: { group: 'apps', resource: 'deployments', namespace: 'shop', name: 'web' },
            feedbackRules: [{ type: 'WellKnownStatus' }],
          },
        ],
        deleteOption: { propagationPolicy: 'Orphan' },
      },
    ]);
    const idle = await hub.api('/agent/v1/desired', {
      token: credential,
      headers: { 'if-none-match': next.headers.get('etag') as string },
    });
    expect(idle.status).toBe(304);
  });

  it('lands reported status, feedback and drift on the work', async () => {
    const now = new Date(hub.clock.now()).toISOString().replace(/\.\d+Z$/, 'Z');
    const c = (type: string, status: string, reason: string, message = '') => ({ type, status, reason, message, lastTransitionTime: now });
    const report = {
      observedRevision: '3',
      agentVersion: '0.1.0',
      healthy: true,
      works: [
        {
          name: 'web',
          observedGeneration: 1,
          conditions: [
            c('Applied', 'True', 'AppliedManifestComplete'),
            c('Available', 'True', 'ResourcesAvailable'),
            c('Degraded', 'False', 'AsExpected'),
          ],
          manifests: [
            {
              group: 'apps',
              version: 'v1',
              kind: 'Deployment',
              resource: 'deployments',
              namespace: 'shop',
              name: 'web',
              conditions: [c('Applied', 'True', 'Applied'), c('Available', 'True', 'MinimumReplicasAvailable')],
              feedback: [{ name: 'readyReplicas', value: 2 }],
            },
          ],
        },
        // A work the hub does not know (deleted meanwhile) is ignored.
        { name: 'gone', observedGeneration: 1, conditions: [], manifests: [] },
      ],
      driftEvents: [
        {
          work: 'web',
          kind: 'Deployment',
          namespace: 'shop',
          name: 'web',
          change: 'Modified',
          fields: ['spec.replicas'],
          corrected: true,
          time: now,
        },
      ],
    };
    const res = await hub.api('/agent/v1/status', { token: credential, body: report });
    expect(res.status).toBe(204);
    const work = (await hub.api(works('store-2') + '/web')).body;
    expect(work.status.observedGeneration).toBe(1);
    expect(work.status.conditions.map((x: any) => [x.type, x.status])).toEqual([
      ['Applied', 'True'],
      ['Available', 'True'],
      ['Degraded', 'False'],
      ['Drifted', 'True'],
    ]);
    expect(work.status.resourceStatus.manifests[0].statusFeedback).toEqual({ values: [{ name: 'readyReplicas', value: 2 }] });
    expect(work.status.driftEvents).toEqual([
      { kind: 'Deployment', namespace: 'shop', name: 'web', change: 'Modified', fields: ['spec.replicas'], corrected: true, time: now },
    ]);
    expect(work.status.lastReportTime).toBeDefined();
    expect(await hub.ctx.ports.resources.get({ kind: 'WorkStatus', name: 'gone', namespace: 'store-2' })).toBeUndefined();
    // Lists carry status too.
    const listed = (await hub.api(works('store-2'))).body.items[0];
    expect(listed.status.conditions).toHaveLength(4);
  });

  it('a re-created work starts with an empty status (the old status belonged to the old uid)', async () => {
    expect((await hub.api(`${works('store-2')}/web`, { method: 'DELETE' })).status).toBe(200);
    const again = await hub.api(works('store-2'), { body: workDoc('web', [deployment()]) });
    expect(again.status).toBe(201);
    expect(again.body.status).toEqual({ conditions: [] });
  });

  it('deleting the cluster deletes its works and their status', async () => {
    expect((await hub.api('/v1/clusters/store-2', { method: 'DELETE' })).status).toBe(202);
    await hub.settle();
    expect((await hub.api('/v1/clusters/store-2')).status).toBe(404);
    expect((await hub.ctx.ports.resources.list('Work', { namespace: 'store-2', limit: 10, consistent: true })).items).toEqual([]);
    expect((await hub.ctx.ports.resources.list('WorkStatus', { namespace: 'store-2', limit: 10, consistent: true })).items).toEqual([]);
  });
});
