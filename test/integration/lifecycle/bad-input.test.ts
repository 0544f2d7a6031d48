import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AGENT_BODY_LIMITS } from '../../../lambdas/capabilities/clusters/agent-routes.js';
import { claimsOf, importCluster, joinedCluster, report, startTestHub, type Answer, type TestHub } from './support.js';

/** Bad input on the lifecycle routes: always a clear problem+json, never a 500. */

let t: TestHub;
let cred = '';

function problem(res: Answer, status: number, type: string): void {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  expect(res.body).toMatchObject({ status, type: `https://tether.dev/problems/${type}` });
  expect(typeof res.body.detail).toBe('string');
}

beforeAll(async () => {
  t = await startTestHub();
  cred = await joinedCluster(t, 'bad-1');
}, 60_000);

afterAll(async () => {
  await t?.close();
}, 30_000);

describe('agent routes', () => {
  it('422 for malformed claims, with the failing fields', async () => {
    const res = await t.agent('POST', '/agent/v1/status', {
      token: cred,
      body: report({
        claims: [
          { name: 'bad name!', value: 'x' },
          { name: 'ok.example', value: 'a\u0001b' },
          { name: 'dup', value: '1' },
          { name: 'dup', value: '2' },
        ],
      }),
    });
    problem(res, 422, 'validation-failed');
    expect(res.body.errors).toEqual([
      { path: 'claims.0.name', message: expect.stringContaining('claim name') },
      { path: 'claims.1.value', message: expect.stringContaining('control characters') },
      { path: 'claims.3.name', message: 'duplicate claim "dup"' },
    ]);
    const wrongShape = await t.agent('POST', '/agent/v1/status', { token: cred, body: report({ claims: [{ name: 'x' }] }) });
    problem(wrongShape, 422, 'validation-failed');
    expect(wrongShape.body.errors[0].path).toBe('claims.0.value');
  });

  it('422 for unknown fields and wrong types', async () => {
    const unknown = await t.agent('POST', '/agent/v1/status', { token: cred, body: report({ colour: 'blue' }) });
    problem(unknown, 422, 'validation-failed');
    expect(unknown.body.errors[0].message).toMatch(/colour/);
    const wrongType = await t.agent('POST', '/agent/v1/status', { token: cred, body: report({ healthy: 'yes' }) });
    problem(wrongType, 422, 'validation-failed');
    expect(wrongType.body.errors).toEqual([expect.objectContaining({ path: 'healthy' })]);
    const rotateBody = await t.agent('POST', '/agent/v1/rotate', { token: cred, body: { please: true } });
    problem(rotateBody, 422, 'validation-failed');
  });

  it('400 for malformed JSON and 415 for a wrong content type', async () => {
    problem(
      await t.agent('POST', '/agent/v1/status', {
        token: cred,
        raw: '{"observedRevision": ',
        headers: { 'content-type': 'application/json' },
      }),
      400,
      'malformed-input',
    );
    problem(
      await t.agent('POST', '/agent/v1/status', { token: cred, raw: 'healthy=true', headers: { 'content-type': 'text/plain' } }),
      415,
      'unsupported-media-type',
    );
    problem(
      await t.agent('POST', '/agent/v1/status', { token: cred, raw: '[1,2]', headers: { 'content-type': 'application/json' } }),
      422,
      'validation-failed',
    );
  });

  it('413 for an oversized report, with the limit and the size', async () => {
    const big = JSON.stringify(report({ message: 'x'.repeat(AGENT_BODY_LIMITS.status) }));
    const res = await t.agent('POST', '/agent/v1/status', { token: cred, raw: big, headers: { 'content-type': 'application/json' } });
    problem(res, 413, 'payload-too-large');
    expect(res.body).toMatchObject({ limitBytes: AGENT_BODY_LIMITS.status, actualBytes: Buffer.byteLength(big) });
  });

  it('checks the token before the body: an unauthenticated caller learns nothing from validation', async () => {
    problem(
      await t.agent('POST', '/agent/v1/status', {
        token: `thc_bad-1.${'A'.repeat(43)}`,
        raw: '{',
        headers: { 'content-type': 'application/json' },
      }),
      403,
      'forbidden',
    );
  });

  it('validates join bodies after the bootstrap token', async () => {
    const { token } = await importCluster(t, 'bad-join', { autoAccept: true });
    const missing = await t.agent('POST', '/agent/v1/join', { token, body: { cluster: 'bad-join' } });
    problem(missing, 422, 'validation-failed');
    expect(missing.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['agentVersion', 'claims']);
    const badClaims = await t.agent('POST', '/agent/v1/join', {
      token,
      body: { cluster: 'bad-join', agentVersion: '0.1.0', claims: [{ name: '', value: '' }] },
    });
    problem(badClaims, 422, 'validation-failed');
    // The token survives bad bodies: it is spent only by a successful join.
    const ok = await t.agent('POST', '/agent/v1/join', {
      token,
      body: { cluster: 'bad-join', agentVersion: '0.1.0', claims: claimsOf('kube-j') },
    });
    expect(ok.status).toBe(200);
  });

  it('405 for a wrong method and 404 for an unknown route', async () => {
    problem(await t.agent('POST', '/agent/v1/desired', { token: cred, body: {} }), 405, 'method-not-allowed');
    problem(await t.agent('GET', '/agent/v1/nothing', { token: cred }), 404, 'route-not-found');
  });
});

describe('admin routes', () => {
  it('422 for unknown fields and wrong types in import', async () => {
    const unknown = await t.admin('POST', '/v1/clusters/adm-1/import', { autoaccept: true });
    problem(unknown, 422, 'validation-failed');
    const ttl = await t.admin('POST', '/v1/clusters/adm-1/import', { ttlSeconds: '1h' });
    problem(ttl, 422, 'validation-failed');
    expect(ttl.body.errors[0].path).toBe('ttlSeconds');
    const short = await t.admin('POST', '/v1/clusters/adm-1/import', { ttlSeconds: 5 });
    problem(short, 422, 'validation-failed');
    const labels = await t.admin('POST', '/v1/clusters/adm-1/import', { labels: { 'bad key!': 'x' } });
    problem(labels, 422, 'validation-failed');
    problem(await t.admin('POST', '/v1/clusters/Not_A_Name/import', {}), 422, 'validation-failed');
    expect((await t.admin('GET', '/v1/clusters/adm-1')).status).toBe(404);
  });

  it('404 for unknown clusters', async () => {
    for (const verb of ['accept', 'deny', 'detach', 'upgrade']) {
      const res = await t.admin('POST', `/v1/clusters/nope/${verb}`, verb === 'upgrade' ? { version: '1.0.0' } : {});
      problem(res, 404, 'not-found');
    }
  });

  it('422 for bad upgrade and detach bodies', async () => {
    problem(await t.admin('POST', '/v1/clusters/bad-1/upgrade', {}), 422, 'validation-failed');
    problem(await t.admin('POST', '/v1/clusters/bad-1/upgrade', { version: 'has space' }), 422, 'validation-failed');
    problem(await t.admin('POST', '/v1/clusters/bad-1/detach', { force: 'yes' }), 422, 'validation-failed');
    problem(await t.admin('POST', '/v1/clusters/bad-1/accept', { extra: 1 }), 422, 'validation-failed');
  });

  it('409 for verbs a detaching cluster does not allow', async () => {
    const name = 'adm-detaching';
    await joinedCluster(t, name);
    expect((await t.admin('POST', `/v1/clusters/${name}/detach`, {})).status).toBe(202);
    for (const verb of ['accept', 'deny', 'import'])
      problem(await t.admin('POST', `/v1/clusters/${name}/${verb}`, {}), 409, 'invalid-state');
    problem(await t.admin('POST', `/v1/clusters/${name}/upgrade`, { version: '9.9.9' }), 409, 'invalid-state');
    // Detaching twice is not an error; forcing finishes it.
    expect((await t.admin('POST', `/v1/clusters/${name}/detach`, {})).body.mode).toBe('agent');
    expect((await t.admin('POST', `/v1/clusters/${name}/detach`, { force: true })).body.mode).toBe('removed');
    await t.hub.settle();
    expect((await t.admin('GET', `/v1/clusters/${name}`)).status).toBe(404);
  });

  it('401 without the admin token', async () => {
    const res = await t.agent('POST', '/v1/clusters/bad-1/accept');
    problem(res, 401, 'unauthenticated');
  });
});
