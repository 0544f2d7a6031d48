import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { run } from '../../../cli/main.js';
import { startTestHub, type TestHub } from '../../support/local-hub.js';
import { captureIO } from '../cli/support/capture-io.js';
import { configMap, createClusters, createPlacement, drain, fleetDeployment, markOnline } from './support/fleet.js';

/**
 * `tether rollout history` and `tether rollout undo` in-process against a real local hub: the
 * revisions route lists what the hub keeps, undo goes through the rollback route.
 */

let hub: TestHub;
let dir: string;

beforeAll(async () => {
  hub = await startTestHub();
  dir = mkdtempSync(join(tmpdir(), 'tether-cli-history-'));
  await createClusters(hub, [{ name: 'shop-a', labels: { fleet: 'shops' } }]);
  await createPlacement(hub, 'shops', 'shops', []);
  await markOnline(hub.ctx, 'shop-a');
  const res = await hub.api('/v1/fleetdeployments', {
    body: fleetDeployment('menu', {
      template: { workload: { manifests: [configMap('menu', { price: 'v1' })] } },
      placementRef: { name: 'shops' },
    }),
  });
  expect(res.status).toBe(201);
  await drain(hub);
  for (const v of ['v2', 'v3']) {
    const patched = await hub.api('/v1/fleetdeployments/menu', {
      method: 'PATCH',
      body: { spec: { template: { workload: { manifests: [configMap('menu', { price: v })] } } } },
    });
    expect(patched.status).toBe(200);
    await drain(hub);
  }
}, 60_000);
afterAll(async () => {
  await hub?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function tether(args: string[]) {
  const io = captureIO({
    env: { TETHER_HUB: hub.url, TETHER_TOKEN: hub.adminToken, TETHER_CONFIG: join(dir, 'config.json'), NO_COLOR: '1' },
    cwd: dir,
  });
  const code = await run(args, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

const price = (template: unknown) =>
  (template as { workload: { manifests: { data: { price: string } }[] } }).workload.manifests[0].data.price;

describe('tether rollout history / undo', () => {
  it('lists the kept revisions with the current one marked, and shows one revision with its template', async () => {
    const table = await tether(['rollout', 'history', 'menu']);
    expect(table).toMatchObject({ code: 0, err: '' });
    const lines = table.out
      .trimEnd()
      .split('\n')
      .map((l) => l.split(/\s{2,}/));
    expect(lines[0]).toEqual(['REVISION', 'AGE', 'CONTENT', 'CHANGE', 'CURRENT']);
    expect(lines.slice(1).map((l) => [l[0], l[l.length - 1]])).toEqual([
      ['1', expect.any(String)],
      ['2', expect.any(String)],
      ['3', '*'],
    ]);
    const one = await tether(['rollout', 'history', 'menu', '--revision', '2']);
    expect(one.code).toBe(0);
    const revision = parseYaml(one.out);
    expect(revision).toMatchObject({ revision: 2, current: false, overrides: [] });
    expect(price(revision.template)).toBe('v2');
    const missing = await tether(['rollout', 'history', 'menu', '--revision', '9']);
    expect(missing).toMatchObject({ code: 4, err: 'error: FleetDeployment "menu" revision "9" not found (404)\n' });
  });

  it("undo --to-revision N makes revision N's content a new revision; plain undo goes to the previous one", async () => {
    expect(await tether(['rollout', 'undo', 'menu', '--to-revision', '1'])).toEqual({
      code: 0,
      out: 'fleetdeployment/menu rolling back to revision 1\n',
      err: '',
    });
    await drain(hub);
    const fd = await hub.api('/v1/fleetdeployments/menu');
    expect(price(fd.body.spec.template)).toBe('v1');
    const history = JSON.parse((await tether(['rollout', 'history', 'menu', '-o', 'json'])).out);
    expect(history.currentRevision).toBe(4);
    expect(history.revisions.at(-1)).toMatchObject({ revision: 4, rollbackOf: 1, current: true });
    expect(history.revisions[3].hash).toBe(history.revisions[0].hash);
    expect(hub.audit.filter((e) => e.action === 'fleetdeployment.rollback').map((e) => [e.from, e.to])).toEqual([[3, 1]]);
    expect((await tether(['rollout', 'history', 'menu'])).out).toMatch(/\n4\s.*rollback to 1\s+\*\n$/);

    expect((await tether(['rollout', 'undo', 'menu'])).code).toBe(0);
    await drain(hub);
    expect(price((await hub.api('/v1/fleetdeployments/menu')).body.spec.template)).toBe('v3');
  }, 30_000);

  it('undo to the current revision is a conflict; an unknown revision is not found; bad numbers are usage errors', async () => {
    const current = JSON.parse((await tether(['rollout', 'history', 'menu', '-o', 'json'])).out).currentRevision as number;
    const same = await tether(['rollout', 'undo', 'menu', '--to-revision', String(current)]);
    expect(same).toMatchObject({ code: 5, err: `error: FleetDeployment "menu" is already at revision ${current} (409)\n` });
    expect((await tether(['rollout', 'undo', 'menu', '--to-revision', '99'])).code).toBe(4);
    expect((await tether(['rollout', 'undo', 'menu', '--to-revision', 'two'])).code).toBe(2);
    const badBody = await hub.api('/v1/fleetdeployments/menu/rollback', { method: 'POST', body: { toRevision: 'one' } });
    expect(badBody.status).toBe(422);
  });
});
