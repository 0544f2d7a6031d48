import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../../cli/main.js';
import { captureIO } from '../cli/support/capture-io.js';
import { startTestHub, type TestHub } from '../../support/local-hub.js';
import { fleetObject, tenancyFleet } from '../../support/tenancy-fleet.js';

/**
 * Tenancy through the real handlers: the token lifecycle and the scoping of lists on the local hub
 * (dynalite), and a scoped operator's placement confined to its sets on every recomputation.
 */

const API = 'tether.dev/v1alpha1';

describe('API tokens on the local hub (dynalite)', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub();
  }, 60_000);
  afterAll(async () => {
    await hub?.stop();
  });

  it('the local admin token is the bootstrap token, listed without its hash', async () => {
    const list = await hub.api('/v1/tokens');
    expect(list.status).toBe(200);
    expect(list.body.items).toEqual([expect.objectContaining({ name: 'bootstrap', role: 'admin', state: 'Active' })]);
    expect(JSON.stringify(list.body)).not.toMatch(/[0-9a-f]{64}|tha_/);
    const me = await hub.api('/v1/auth/whoami');
    expect(me.body).toMatchObject({ username: 'token:bootstrap', source: 'token', bindings: [{ name: 'token/bootstrap', role: 'admin' }] });
  });

  it('creates a scoped token shown once, lists its last use, revokes it', async () => {
    await hub.api('/v1/clustersets', { body: fleetObject('ClusterSet', 'east') });
    await hub.api('/v1/clustersets', { body: fleetObject('ClusterSet', 'west') });
    await hub.api('/v1/clusters', { body: fleetObject('Cluster', 'east', 'east-cluster') });
    await hub.api('/v1/clusters', { body: fleetObject('Cluster', 'west', 'west-cluster') });
    const created = await hub.api('/v1/tokens', {
      body: { name: 'east-viewer', role: 'viewer', clusterSets: ['stores-east'], ttl: '30d' },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    const token = created.body.token as string;
    expect(token).toMatch(/^tha_/);
    expect(created.body).toMatchObject({
      name: 'east-viewer',
      role: 'viewer',
      clusterSets: ['stores-east'],
      createdBy: 'token:bootstrap',
      state: 'Active',
    });
    expect(await hub.api('/v1/tokens', { body: { name: 'east-viewer', role: 'viewer' } })).toMatchObject({ status: 409 });
    expect(await hub.api('/v1/tokens', { body: { name: 'x', role: 'no-such-role' } })).toMatchObject({ status: 422 });

    // Membership is computed by queued steps: wait until the east cluster is in its set.
    let clusters: string[] = [];
    for (let i = 0; i < 100 && clusters.length === 0; i++) {
      const res = await hub.api('/v1/clusters', { token });
      clusters = res.body.items.map((c: { metadata: { name: string } }) => c.metadata.name);
      if (clusters.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(clusters).toEqual(['east-cluster']);
    expect((await hub.api('/v1/clusters/west-cluster', { token })).status).toBe(404);
    expect((await hub.api('/v1/clustersets', { token })).body.items.map((s: { metadata: { name: string } }) => s.metadata.name)).toEqual([
      'stores-east',
    ]);
    const refused = await hub.api('/v1/clusters/east-cluster', { token, method: 'DELETE' });
    expect(refused.status).toBe(403);
    expect(refused.body.authorization).toMatchObject({ verb: 'delete', kind: 'Cluster' });
    expect((await hub.api('/v1/tokens', { token })).status).toBe(403);

    const listed = (await hub.api('/v1/tokens')).body.items.find((t: { name: string }) => t.name === 'east-viewer');
    expect(listed.lastUsedAt).toEqual(expect.any(String));
    expect(listed.expiresAt).toEqual(expect.any(String));
    expect(JSON.stringify(listed)).not.toContain(token);

    const revoked = await hub.api('/v1/tokens/east-viewer', { method: 'DELETE' });
    expect(revoked.body).toMatchObject({ name: 'east-viewer', state: 'Revoked' });
    expect((await hub.api('/v1/clusters', { token })).status).toBe(403);
    expect((await hub.api('/v1/tokens/east-viewer')).body.state).toBe('Revoked');
  });

  it('tether token create/list/revoke and tether auth can-i/whoami', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tether-tenancy-'));
    const tether = async (args: string[], token = hub.adminToken) => {
      const io = captureIO({
        env: {
          TETHER_HUB: hub.url,
          TETHER_TOKEN: token,
          TETHER_CONFIG: join(dir, 'config.json'),
          NO_COLOR: '1',
          PATH: process.env.PATH ?? '',
        },
        cwd: dir,
      });
      const code = await run(args, io);
      return { code, out: io.stdout(), err: io.stderr() };
    };
    try {
      const created = await tether(['token', 'create', 'cli-viewer', '--role', 'viewer', '--clusterset', 'stores-east', '--ttl', '7d']);
      expect(created.code).toBe(0);
      expect(created.out).toMatch(/^tha_[A-Za-z0-9_-]+\n$/);
      expect(created.err).toMatch(/role viewer in cluster sets stores-east; it expires at .* shown only once/);
      const token = created.out.trim();
      expect(await tether(['auth', 'can-i', 'list', 'clusters'], token)).toMatchObject({ code: 0, out: 'yes\n' });
      const no = await tether(['auth', 'can-i', 'delete', 'placements'], token);
      expect(no).toMatchObject({
        code: 1,
        out: 'no\n',
        err: expect.stringMatching(/no role bound to the caller allows delete on Placement/),
      });
      const me = await tether(['auth', 'whoami'], token);
      expect(me.out).toContain('Username: token:cli-viewer');
      expect(me.out).toContain('token/cli-viewer: viewer in stores-east');
      const list = await tether(['token', 'list']);
      expect(list.out).toMatch(/^NAME\s+ROLE\s+SETS\s+STATE\s+LAST USED/);
      expect(list.out).toMatch(/cli-viewer\s+viewer\s+stores-east\s+Active\s+\S+ ago/);
      expect(list.out).not.toContain(token);
      expect(await tether(['token', 'revoke', 'cli-viewer'])).toMatchObject({ code: 0, out: 'token/cli-viewer revoked\n' });
      expect((await tether(['auth', 'whoami'], token)).code).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('can-i answers for the caller, by object, without telling hidden objects apart from missing ones', async () => {
    const created = await hub.api('/v1/tokens', { body: { name: 'east-operator', role: 'operator', clusterSets: ['stores-east'] } });
    const token = created.body.token as string;
    const ask = (query: string) => hub.api(`/v1/auth/can-i?${query}`, { token });
    expect((await ask('verb=create&kind=placements')).body).toMatchObject({ allowed: true, clusterSets: ['stores-east'] });
    expect((await ask('verb=delete&kind=clusters')).body).toMatchObject({ allowed: false, reason: expect.stringMatching(/no role/) });
    expect((await ask('verb=get&kind=Cluster&name=east-cluster')).body.allowed).toBe(true);
    expect((await ask('verb=get&kind=Cluster&name=west-cluster')).body).toEqual(
      (await ask('verb=get&kind=Cluster&name=no-such-cluster')).body,
    );
    expect((await ask('verb=fly&kind=Cluster')).status).toBe(422);
  });
});

describe("a scoped operator's placement stays within its sets", () => {
  it('on write (403) and on every recomputation, whatever later edits and labels say', async () => {
    const f = await tenancyFleet();
    const operator = f.bearer('operator', 'token');
    const placement = (name: string, sets: string[], annotations?: Record<string, string>) => ({
      apiVersion: API,
      kind: 'Placement',
      metadata: { name, ...(annotations ? { annotations } : {}) },
      spec: { clusterSets: sets, tolerations: [{ key: 'tether.dev/unreachable', operator: 'Exists' }] },
    });
    const refused = await f.call(operator, 'POST', '/v1/placements', placement('grab', ['stores-east', 'stores-west']));
    expect(refused.status).toBe(403);
    expect(refused.body.authorization.reason).toMatch(/only within cluster sets stores-east/);
    expect((await f.call(operator, 'POST', '/v1/placements', placement('everything', []))).status).toBe(403);

    // A forged confinement is replaced by the writer's own.
    const created = await f.call(
      operator,
      'POST',
      '/v1/placements',
      placement('team', ['stores-east'], { 'tether.dev/scope-clustersets': 'stores-west' }),
    );
    expect(created.status).toBe(201);
    expect(created.body.metadata.annotations['tether.dev/scope-clustersets']).toBe('stores-east');
    await f.hub.settle();
    const chosen = async () =>
      (await f.admin('GET', '/v1/placements/team/decisions')).body.items.map((d: { cluster: string }) => d.cluster).sort();
    expect(await chosen()).toEqual(['east-cluster']);

    // An admin widens the spec by mistake: the recorded confinement still holds.
    expect((await f.admin('PATCH', '/v1/placements/team', { spec: { clusterSets: ['stores-east', 'stores-west'] } })).status).toBe(200);
    await f.hub.settle();
    expect(await chosen()).toEqual(['east-cluster']);

    // A cluster relabelled into both sets' reach is chosen only while it is in the operator's set.
    const sets = await f.admin('POST', '/v1/clustersets', {
      apiVersion: API,
      kind: 'ClusterSet',
      metadata: { name: 'everywhere' },
      spec: { clusterSelector: { selectorType: 'LabelSelector', labelSelector: { matchLabels: { shop: 'yes' } } } },
    });
    expect(sets.status).toBe(201);
    await f.admin('PATCH', '/v1/clusters/west-cluster', { metadata: { labels: { 'tether.dev/clusterset': 'stores-west', shop: 'yes' } } });
    await f.admin('PATCH', '/v1/placements/team', { spec: { clusterSets: ['everywhere'] } });
    await f.hub.settle();
    expect(await chosen()).toEqual([]);
    await f.admin('PATCH', '/v1/clusters/east-cluster', { metadata: { labels: { 'tether.dev/clusterset': 'stores-east', shop: 'yes' } } });
    await f.hub.settle();
    expect(await chosen()).toEqual(['east-cluster']);

    // Only an admin may lift the confinement, deliberately: then the spec alone decides.
    const lifted = await f.admin('PATCH', '/v1/placements/team', { metadata: { annotations: { 'tether.dev/scope-clustersets': null } } });
    expect(lifted.status).toBe(200);
    await f.hub.settle();
    expect(await chosen()).toEqual(['east-cluster', 'west-cluster']);
    const back = await f.call(operator, 'PATCH', '/v1/placements/team', {
      metadata: { annotations: { 'tether.dev/scope-clustersets': null } },
    });
    expect(back.status).toBe(404);
  });
});
