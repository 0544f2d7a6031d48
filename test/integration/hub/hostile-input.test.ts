import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'node:http';
import { startTestHub, type TestHub } from '../../support/local-hub.js';
import { nestedJsonText, yamlBomb, yamlManyAliases } from '../../support/fuzz/hostile.js';

/**
 * Regression tests of issue 16, items 14 and 15, through the local gateway (raw HTTP: fetch would
 * resolve `..` before sending, as a hostile client does not).
 */

const API = 'tether.dev/v1alpha1';
let hub: TestHub;

beforeAll(async () => {
  hub = await startTestHub();
  for (const name of ['victim', 'bystander']) {
    const res = await hub.api('/v1/clusters', {
      body: { apiVersion: API, kind: 'Cluster', metadata: { name, labels: { tier: 'store' } }, spec: {} },
    });
    expect(res.status).toBe(201);
  }
}, 60_000);
afterAll(async () => {
  await hub?.stop();
});

/** Sends the request target exactly as given. */
function raw(
  method: string,
  path: string,
  body?: string,
  contentType = 'application/json',
): Promise<{ status: number; type: string; body: any }> {
  const url = new URL(hub.url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers: {
          authorization: `Bearer ${hub.adminToken}`,
          ...(body !== undefined ? { 'content-type': contentType, 'content-length': Buffer.byteLength(body) } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          let parsed: unknown;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            parsed = text;
          }
          resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type'] ?? ''), body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function expectProblem(res: { status: number; type: string; body: any }, status: number, detail: RegExp) {
  expect(res.status).toBe(status);
  expect(res.type).toBe('application/problem+json');
  expect(res.body.detail).toMatch(detail);
}

describe('item 14: a Work name of ".." never acts on the Cluster', () => {
  it.each(['..', '%2e%2e', '%2E%2E', '.%2e', '%2e.', '.'])(
    'PATCH and DELETE /v1/clusters/victim/works/%s are refused and change nothing',
    async (segment) => {
      const before = (await hub.api('/v1/clusters/victim')).body;
      const patch = await raw(
        'PATCH',
        `/v1/clusters/victim/works/${segment}`,
        JSON.stringify({ metadata: { labels: { pwned: 'yes' } } }),
        'application/merge-patch+json',
      );
      expectProblem(patch, 400, /path segment/);
      const del = await raw('DELETE', `/v1/clusters/victim/works/${segment}`);
      expectProblem(del, 400, /path segment/);
      const after = await hub.api('/v1/clusters/victim');
      expect(after.status).toBe(200);
      expect(after.body.metadata.labels).toEqual({ tier: 'store' });
      expect(after.body.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
      expect(after.body.metadata.deletionTimestamp).toBeUndefined();
    },
  );
  it('refuses dot segments anywhere in the path, and on the agent API too', async () => {
    expectProblem(await raw('GET', '/v1/clusters/victim/works/../../bystander'), 400, /path segment/);
    expectProblem(await raw('GET', '/v1/../v1/clusters'), 400, /path segment/);
    expectProblem(await raw('GET', '/agent/v1/../healthz'), 400, /path segment/);
    expectProblem(await raw('GET', '/v1/clusters/a%2Fb'), 400, /not a valid name/);
  });
});

describe('item 15: hostile bodies are 4xx problems, never 500', () => {
  const yaml = 'application/yaml';
  it('refuses an unknown YAML alias, too many aliases and the billion-laughs bomb', async () => {
    expectProblem(await raw('POST', '/v1/clusters', 'a: *nothere\n', yaml), 400, /alias \*nothere before \(or without\) its anchor/);
    expectProblem(await raw('POST', '/v1/apply', yamlManyAliases(150), yaml), 400, /too many YAML aliases; the limit is 100/);
    expectProblem(await raw('PUT', '/v1/clusters/victim', yamlBomb(9), yaml), 400, /too many YAML aliases/);
    expectProblem(await raw('POST', '/v1/apply', yamlBomb(9), yaml), 400, /too many YAML aliases/);
  });
  it('refuses a merge patch nested 10,000 deep on every PATCH route shape', async () => {
    const patch = `{"metadata":{"labels":${nestedJsonText(10_000)}}}`;
    for (const path of ['/v1/clusters/victim', '/v1/clusters/victim/works/w1']) {
      expectProblem(await raw('PATCH', path, patch, 'application/merge-patch+json'), 422, /nested more than 100 levels deep/);
    }
  });
  it('refuses manifests nested 5,000 deep on works, FleetDeployments and /v1/apply, and takes 100 levels', async () => {
    const manifest = (depth: number) =>
      `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep"},"data":{"x":${nestedJsonText(depth)}}}`;
    const work = (depth: number) =>
      `{"apiVersion":"${API}","kind":"Work","metadata":{"name":"deep"},"spec":{"workload":{"manifests":[${manifest(depth)}]}}}`;
    const fd = `{"apiVersion":"${API}","kind":"FleetDeployment","metadata":{"name":"deep"},"spec":{"placementRef":{"name":"p"},"template":{"workload":{"manifests":[${manifest(5_000)}]}}}}`;
    expectProblem(await raw('POST', '/v1/clusters/victim/works', work(5_000)), 422, /nested more than 100 levels deep/);
    expectProblem(await raw('POST', '/v1/fleetdeployments', fd), 422, /nested more than 100 levels deep/);
    const policy = `{"apiVersion":"${API}","kind":"Policy","metadata":{"name":"deep"},"spec":{"policyTemplates":[{"objectTemplates":[{"complianceType":"musthave","objectDefinition":${manifest(5_000)}}]}]}}`;
    expectProblem(await raw('POST', '/v1/policies', policy), 422, /nested more than 100 levels deep/);
    expectProblem(await raw('POST', '/v1/apply', policy, 'application/yaml'), 422, /nested more than 100 levels deep/);
    expectProblem(
      await raw('POST', '/v1/apply', `[${work(5_000).replace('"name":"deep"}', '"name":"deep","namespace":"victim"}')}]`),
      422,
      /nested more than 100 levels deep/,
    );
    // Up to the limit is fine: the body is 100 levels deep in all (94 of them under data.x), 101 is not.
    expectProblem(await raw('POST', '/v1/clusters/victim/works', work(95)), 422, /nested more than 100 levels deep/);
    expect((await raw('POST', '/v1/clusters/victim/works', work(94))).status).toBe(201);
  });
  it('refuses tampered continue cursors (forged, empty or over-long sort key, another list) before DynamoDB', async () => {
    const page = await hub.api('/v1/clusters?limit=1');
    const cursor: string = page.body.metadata.continue;
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
    expect((await hub.api(`/v1/clusters?limit=1&continue=${encodeURIComponent(cursor)}`)).status).toBe(200);
    const forge = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const mac = cursor.slice(cursor.lastIndexOf('.'));
    for (const bad of [
      forge({ pk: 'R#Cluster#-', sk: '' }),
      `${forge({ pk: 'R#Cluster#-', sk: '' })}${mac}`,
      `${forge({ pk: 'R#Cluster#-', sk: 'z'.repeat(2000) })}${mac}`,
      `${cursor.slice(0, 5)}x${cursor.slice(6)}`,
      'a'.repeat(3000),
    ]) {
      const res = await hub.api(`/v1/clusters?continue=${encodeURIComponent(bad)}`);
      expect(res.status).toBe(422);
      expect(res.body.detail).toMatch(/invalid continue cursor/);
    }
    // A cursor of one list does not open another.
    const other = await hub.api(`/v1/clustersets?continue=${encodeURIComponent(cursor)}`);
    expect(other.status).toBe(422);
    expect(other.body.detail).toMatch(/not issued for this list/);
  });
  it('answers a console asset name over 255 characters with a 4xx, without authentication', async () => {
    const res = await hub.api(`/console/${'a'.repeat(300)}.js`, { token: null });
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/at most 253/);
    const long = await hub.api(`/console/${'a'.repeat(240)}.js`, { token: null });
    expect(long.status).toBe(404);
  });
});

describe('the cursor key survives a restart on the same data directory', () => {
  it('a cursor issued before a restart still opens after it', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dataDir = mkdtempSync(join(tmpdir(), 'tether-cursor-'));
    try {
      const first = await startTestHub({ dataDir });
      for (const name of ['k1', 'k2'])
        await first.api('/v1/clusters', { body: { apiVersion: API, kind: 'Cluster', metadata: { name }, spec: {} } });
      const cursor = (await first.api('/v1/clusters?limit=1')).body.metadata.continue as string;
      await first.stop();
      const second = await startTestHub({ dataDir });
      const next = await second.api(`/v1/clusters?limit=1&continue=${encodeURIComponent(cursor)}`);
      expect(next.status).toBe(200);
      expect(next.body.items.map((c: { metadata: { name: string } }) => c.metadata.name)).toEqual(['k2']);
      await second.stop();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
