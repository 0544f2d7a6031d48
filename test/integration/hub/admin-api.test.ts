import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startTestHub, type TestHub } from '../../support/local-hub.js';

const api = 'tether.dev/v1alpha1';
let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub();
}, 60_000);
afterAll(async () => {
  await hub?.stop();
});

function cluster(name: string, labels: Record<string, string> = {}, spec: Record<string, unknown> = {}) {
  return { apiVersion: api, kind: 'Cluster', metadata: { name, labels }, spec };
}

function expectProblem(res: { status: number; headers: Headers; body: any }, status: number, detail: RegExp) {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(res.body).toMatchObject({ status, type: expect.stringMatching(/^https:\/\/tether\.dev\/problems\//), title: expect.any(String) });
  expect(res.body.detail).toMatch(detail);
}

describe('admin API: health, auth and description', () => {
  it('serves /healthz without a token', async () => {
    const res = await hub.api('/healthz', { token: null });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
  });
  it('answers 401 without a token and 403 with a wrong one, and audits the denial', async () => {
    expectProblem(await hub.api('/v1/clusters', { token: null }), 401, /admin token/);
    const before = hub.audit.length;
    expectProblem(await hub.api('/v1/clusters', { token: 'tha_wrong' }), 403, /not valid/);
    expect(hub.audit.slice(before)).toEqual([expect.objectContaining({ action: 'admin.authenticate', outcome: 'denied' })]);
    expectProblem(await hub.api('/v1/clusters', { headers: { authorization: 'Basic abc' }, token: null }), 401, /Bearer/);
  });
  it('serves an OpenAPI 3.1 document generated from the schemas', async () => {
    const res = await hub.api('/openapi.json', { token: null });
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths)).toEqual(
      expect.arrayContaining(['/v1/clusters', '/v1/clusters/{name}', '/v1/clustersets/{name}', '/v1/apply']),
    );
    const clusterSpec = res.body.components.schemas.Cluster.properties.spec;
    expect(clusterSpec.properties.taints.items.properties.effect.enum).toEqual(['NoSelect', 'PreferNoSelect', 'NoSelectIfNew']);
  });
});

describe('admin API: resources', () => {
  it('creates, reads, replaces, patches and deletes a cluster', async () => {
    const created = await hub.api('/v1/clusters', { body: cluster('crud-1', { tier: 'store' }) });
    expect(created.status).toBe(201);
    expect(created.body.metadata).toMatchObject({ name: 'crud-1', resourceVersion: '1', generation: 1, uid: expect.any(String) });
    // A cluster that never reported is tainted unreachable by the hub (placements skip it).
    const unreachable = { key: 'tether.dev/unreachable', effect: 'NoSelect', timeAdded: expect.any(String) };
    expect(created.body.spec).toEqual({ hubAcceptsClient: false, leaseDurationSeconds: 60, taints: [unreachable] });
    expect(created.headers.get('etag')).toBe('"1"');

    const got = await hub.api('/v1/clusters/crud-1');
    expect(got.body.metadata.labels).toEqual({ tier: 'store' });
    // status.state (the STATUS column) is computed on every read, one object or a list.
    expect(got.body.status.state).toBe('PendingAcceptance');
    const listed = await hub.api('/v1/clusters?labelSelector=tier%3Dstore');
    expect(listed.body.items.find((c: { metadata: { name: string } }) => c.metadata.name === 'crud-1').status.state).toBe(
      'PendingAcceptance',
    );

    const replaced = await hub.api('/v1/clusters/crud-1', {
      method: 'PUT',
      body: {
        ...cluster('crud-1', { tier: 'factory' }, { leaseDurationSeconds: 30 }),
        metadata: { name: 'crud-1', labels: { tier: 'factory' }, resourceVersion: '1' },
      },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.body.metadata).toMatchObject({ resourceVersion: '2', generation: 2, labels: { tier: 'factory' } });
    // The hub's taint is the hub's: a PUT without it keeps it, with the same timeAdded.
    expect(replaced.body.spec.taints).toEqual(created.body.spec.taints);

    const patched = await hub.api('/v1/clusters/crud-1', {
      method: 'PATCH',
      body: { metadata: { labels: { region: 'eu' } } },
      contentType: 'application/merge-patch+json',
    });
    expect(patched.status).toBe(200);
    expect(patched.body.metadata.labels).toEqual({ tier: 'factory', region: 'eu' });
    expect(patched.body.metadata.generation).toBe(2);

    const deleted = await hub.api('/v1/clusters/crud-1', { method: 'DELETE' });
    expect([200, 202]).toContain(deleted.status);
    await hub.settle();
    expectProblem(await hub.api('/v1/clusters/crud-1'), 404, /Cluster "crud-1" not found/);
  });

  it('answers 304 to If-None-Match on reads and lists, so pollers pay almost nothing', async () => {
    await hub.api('/v1/clusters', { body: cluster('etag-1', { etag: 'yes' }) });
    const one = await hub.api('/v1/clusters/etag-1');
    const tag = one.headers.get('etag')!;
    expect((await hub.api('/v1/clusters/etag-1', { headers: { 'if-none-match': tag } })).status).toBe(304);
    const list = await hub.api('/v1/clusters?labelSelector=etag%3Dyes');
    const listTag = list.headers.get('etag')!;
    expect(listTag).toMatch(/^W\/"[0-9a-f]{32}"$/);
    const same = await hub.api('/v1/clusters?labelSelector=etag%3Dyes', { headers: { 'if-none-match': listTag } });
    expect(same.status).toBe(304);
    expect(same.text).toBe('');
    await hub.api('/v1/clusters/etag-1', { method: 'PATCH', body: { metadata: { labels: { etag: 'yes', changed: 'x' } } } });
    expect((await hub.api('/v1/clusters/etag-1', { headers: { 'if-none-match': tag } })).status).toBe(200);
    expect((await hub.api('/v1/clusters?labelSelector=etag%3Dyes', { headers: { 'if-none-match': listTag } })).status).toBe(200);
  });

  it('accepts YAML on create', async () => {
    const res = await hub.api('/v1/clustersets', {
      raw: `apiVersion: ${api}\nkind: ClusterSet\nmetadata:\n  name: yaml-set\nspec:\n  clusterSelector:\n    selectorType: LabelSelector\n    labelSelector:\n      matchLabels: {yaml: "yes"}\n`,
      contentType: 'application/yaml',
    });
    expect(res.status).toBe(201);
    expect(res.body.spec.clusterSelector.selectorType).toBe('LabelSelector');
  });

  it('answers 409 on a stale resourceVersion or If-Match, and 409 on create of an existing name', async () => {
    await hub.api('/v1/clusters', { body: cluster('stale-1') });
    await hub.api('/v1/clusters/stale-1', { method: 'PATCH', body: { metadata: { labels: { a: 'b' } } } });
    const stale = await hub.api('/v1/clusters/stale-1', {
      method: 'PUT',
      body: { ...cluster('stale-1'), metadata: { name: 'stale-1', resourceVersion: '1' } },
    });
    expectProblem(stale, 409, /resourceVersion 1.*current one is/);
    expect(stale.body.currentResourceVersion).toBeDefined();
    expectProblem(
      await hub.api('/v1/clusters/stale-1', {
        method: 'PATCH',
        body: { spec: { leaseDurationSeconds: 20 } },
        headers: { 'if-match': '"1"' },
      }),
      409,
      /was modified/,
    );
    expectProblem(await hub.api('/v1/clusters', { body: cluster('stale-1') }), 409, /already exists/);
  });

  it('loses no update when 100 clients update one cluster at once', async () => {
    await hub.api('/v1/clusters', { body: cluster('contended') });
    // Each client does a conditional read-modify-write with its own label, retrying on 409.
    const client = async (i: number) => {
      for (let attempt = 0; attempt < 200; attempt++) {
        const cur = await hub.api('/v1/clusters/contended');
        const labels = { ...(cur.body.metadata.labels ?? {}), [`writer-${i}`]: 'x' };
        const res = await hub.api('/v1/clusters/contended', {
          method: 'PUT',
          body: {
            apiVersion: api,
            kind: 'Cluster',
            metadata: { name: 'contended', labels, resourceVersion: cur.body.metadata.resourceVersion },
            spec: cur.body.spec,
          },
        });
        if (res.status === 200) return;
        expect(res.status).toBe(409);
        // A well-behaved client backs off with jitter before re-reading.
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(3000, 25 * 2 ** attempt)));
      }
      throw new Error(`writer ${i} never succeeded`);
    };
    await Promise.all(Array.from({ length: 100 }, (_, i) => client(i)));
    const final = await hub.api('/v1/clusters/contended');
    expect(Object.keys(final.body.metadata.labels).sort()).toEqual(Array.from({ length: 100 }, (_, i) => `writer-${i}`).sort());
  }, 120_000);

  it('also loses nothing with unconditional merge patches from 100 clients', async () => {
    await hub.api('/v1/clusters', { body: cluster('patched') });
    const results = await Promise.all(
      Array.from({ length: 100 }, (_, i) =>
        hub.api('/v1/clusters/patched', { method: 'PATCH', body: { metadata: { labels: { [`p-${i}`]: 'x' } } } }),
      ),
    );
    // Without a precondition the hub re-reads and retries on its own; under extreme contention it
    // gives up with a 409 well before its time limit. Whatever answered 200 must be in the result.
    const statuses = results.map((r) => r.status);
    expect(statuses.every((s) => s === 200 || s === 409)).toBe(true);
    expect(statuses).toContain(200);
    const final = await hub.api('/v1/clusters/patched');
    const landed = results.flatMap((r, i) => (r.status === 200 ? [`p-${i}`] : []));
    expect(Object.keys(final.body.metadata.labels ?? {}).sort()).toEqual(landed.sort());
  }, 120_000);

  it('lists with a label selector and paginates with limit and continue, without skips or repeats', async () => {
    for (let i = 0; i < 12; i++) {
      await hub.api('/v1/clusters', { body: cluster(`page-${String(i).padStart(2, '0')}`, { pager: i % 3 === 0 ? 'three' : 'other' }) });
    }
    const seen: string[] = [];
    let cont: string | undefined;
    let pages = 0;
    do {
      const res = await hub.api(
        `/v1/clusters?labelSelector=${encodeURIComponent('pager in (three,other)')}&limit=5${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`,
      );
      expect(res.status).toBe(200);
      expect(res.body.kind).toBe('ClusterList');
      expect(res.body.items.length).toBeLessThanOrEqual(5);
      seen.push(...res.body.items.map((c: any) => c.metadata.name));
      cont = res.body.metadata.continue;
      pages++;
    } while (cont && pages < 10);
    expect(seen).toEqual(Array.from({ length: 12 }, (_, i) => `page-${String(i).padStart(2, '0')}`));
    const three = await hub.api(`/v1/clusters?labelSelector=pager%3Dthree`);
    expect(three.body.items.map((c: any) => c.metadata.name)).toEqual(['page-00', 'page-03', 'page-06', 'page-09']);
  }, 60_000);
});

describe('admin API: apply', () => {
  const yaml = `apiVersion: ${api}
kind: ClusterSet
metadata: {name: apply-east}
spec:
  clusterSelector:
    selectorType: LabelSelector
    labelSelector: {matchLabels: {region: apply-east}}
---
apiVersion: ${api}
kind: Cluster
metadata: {name: apply-1, labels: {region: apply-east}}
---
apiVersion: ${api}
kind: Cluster
metadata: {name: apply-2, labels: {region: apply-west}}
`;
  it('dry-runs without writing, then creates, then reports unchanged and configured', async () => {
    const dry = await hub.api('/v1/apply?dryRun=true', { raw: yaml, contentType: 'application/yaml' });
    expect(dry.status).toBe(200);
    expect(dry.body.dryRun).toBe(true);
    expect(dry.body.results.map((r: any) => r.action)).toEqual(['created', 'created', 'created']);
    expect((await hub.api('/v1/clusters/apply-1')).status).toBe(404);

    const first = await hub.api('/v1/apply', { raw: yaml, contentType: 'application/yaml' });
    expect(first.body.results.map((r: any) => `${r.kind}/${r.name} ${r.action}`)).toEqual([
      'ClusterSet/apply-east created',
      'Cluster/apply-1 created',
      'Cluster/apply-2 created',
    ]);
    const again = await hub.api('/v1/apply', { raw: yaml, contentType: 'application/yaml' });
    expect(again.body.summary).toEqual({ unchanged: 3 });
    const changed = await hub.api('/v1/apply', {
      raw: yaml.replace('region: apply-west', 'region: apply-east'),
      contentType: 'application/yaml',
    });
    expect(changed.body.results.map((r: any) => r.action)).toEqual(['unchanged', 'unchanged', 'configured']);

    await hub.settle();
    const set = await hub.api('/v1/clustersets/apply-east');
    expect(set.body.status.memberCount).toBe(2);
    const c2 = await hub.api('/v1/clusters/apply-2');
    expect(c2.body.status.clusterSets).toEqual(['apply-east']);
  }, 60_000);

  it('reports each bad document with its own problem and still applies the good ones', async () => {
    const res = await hub.api('/v1/apply', {
      raw: `apiVersion: ${api}\nkind: Cluster\nmetadata: {name: Bad_Name}\n---\napiVersion: ${api}\nkind: Clustr\nmetadata: {name: x}\n---\napiVersion: ${api}\nkind: Cluster\nmetadata: {name: good-one}\n---\napiVersion: ${api}\nkind: Cluster\nmetadata: {name: bad-taint}\nspec: {taints: [{key: k, effect: Bogus}]}\n`,
      contentType: 'application/yaml',
    });
    expect(res.status).toBe(200);
    const [a, b, c, d] = res.body.results;
    expect(a).toMatchObject({ action: 'failed', problem: { status: 422, errors: [{ path: 'metadata.name' }] } });
    expect(b.problem.detail).toMatch(/unknown kind "Clustr"; known kinds: Cluster, ClusterSet/);
    expect(c).toMatchObject({ action: 'created', name: 'good-one' });
    expect(d.problem.errors[0].path).toBe('spec.taints.0.effect');
    expect(res.body.summary).toEqual({ failed: 3, created: 1 });
  });

  it('rejects bad YAML with the line number and touches nothing', async () => {
    const res = await hub.api('/v1/apply', {
      raw: `apiVersion: ${api}\nkind: Cluster\nmetadata: {name: yaml-bad\n`,
      contentType: 'application/yaml',
    });
    expectProblem(res, 400, /invalid YAML at line \d/);
  });
});

describe('admin API: bad input never gives a 500', () => {
  const cases: [string, string, { method?: string; raw?: string; body?: unknown; contentType?: string }, number, RegExp][] = [
    ['malformed JSON', '/v1/clusters', { raw: '{"kind":', contentType: 'application/json' }, 400, /not valid JSON/],
    ['a JSON array body', '/v1/clusters', { raw: '[1,2]' }, 422, /must be a JSON object/],
    ['an empty body', '/v1/clusters', { method: 'POST', raw: '' }, 422, /body is empty/],
    ['an unknown kind path', '/v1/widgets', { method: 'GET' }, 404, /kind "widgets" not found/],
    ['an invalid name in the path', '/v1/clusters/Not_Valid', { method: 'GET' }, 422, /DNS-1123/],
    ['a missing field', '/v1/clusters', { body: { apiVersion: api, kind: 'Cluster', metadata: {} } }, 422, /metadata.name/],
    ['an unknown field', '/v1/clusters', { body: { apiVersion: api, kind: 'Cluster', metadata: { name: 'x' }, spek: {} } }, 422, /spek/],
    ['a wrong content type', '/v1/clusters', { raw: '<x/>', contentType: 'application/xml' }, 415, /not supported/],
    ['an unknown route', '/v2/nothing', { method: 'GET' }, 404, /no route/],
    ['a wrong method', '/v1/apply', { method: 'GET' }, 405, /not allowed/],
    ['a bad selector', '/v1/clusters?labelSelector=a%20in%20(', { method: 'GET' }, 422, /invalid label selector/],
    ['a bad limit', '/v1/clusters?limit=0', { method: 'GET' }, 422, /between 1 and 1000/],
    ['a garbage continue token', '/v1/clusters?continue=%%%garbage', { method: 'GET' }, 422, /continue/],
    [
      'a name mismatch on PUT',
      '/v1/clusters/one',
      { method: 'PUT', body: { apiVersion: api, kind: 'Cluster', metadata: { name: 'two' } } },
      422,
      /does not match/,
    ],
    [
      'a kind mismatch',
      '/v1/clustersets',
      { body: { apiVersion: api, kind: 'Cluster', metadata: { name: 'x' } } },
      422,
      /serves ClusterSet/,
    ],
    ['a patch that renames', '/v1/clusters/stale-1', { method: 'PATCH', body: { metadata: { name: 'other' } } }, 422, /cannot be changed/],
    [
      'a huge label value',
      '/v1/clusters',
      { body: { apiVersion: api, kind: 'Cluster', metadata: { name: 'x', labels: { a: 'v'.repeat(100) } } } },
      422,
      /63/,
    ],
  ];
  it.each(cases)('%s', async (_what, path, init, status, detail) => {
    const res = await hub.api(path, init);
    expectProblem(res, status, detail);
  });

  it('answers 413 with the limit and the size for a body that is too large', async () => {
    const res = await hub.api('/v1/apply', { raw: 'x'.repeat(6 * 1024 * 1024), contentType: 'application/yaml' });
    expectProblem(res, 413, /limit/);
  });
});
