import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { run } from '../../../cli/main.js';
import { startTestHub, type TestHub } from '../../support/local-hub.js';
import { captureIO } from '../cli/support/capture-io.js';
import { configMap, createClusters, createPlacement, drain, fleetDeployment, markOnline, reportWork } from './support/fleet.js';

/**
 * `tether rollout ...` and `tether get fleetdeployments -o wide` in-process against a real local hub.
 */

let hub: TestHub;
let dir: string;
const names = ['shop-a', 'shop-b', 'shop-c', 'shop-d'];

beforeAll(async () => {
  hub = await startTestHub();
  dir = mkdtempSync(join(tmpdir(), 'tether-cli-rollout-'));
  await createClusters(
    hub,
    names.map((name, i) => ({ name, labels: { fleet: 'shops', ring: i === 0 ? 'canary' : 'stable' } })),
  );
  await createPlacement(hub, 'shops', 'shops', [{ groupName: 'canary', labels: { ring: 'canary' } }]);
  for (const n of names) await markOnline(hub.ctx, n);
  const res = await hub.api('/v1/fleetdeployments', {
    body: fleetDeployment('menu', {
      template: { workload: { manifests: [configMap('menu', { price: '{{ .cluster.labels.ring }}' })] } },
      placementRef: { name: 'shops' },
      rolloutStrategy: { type: 'ProgressivePerGroup' },
    }),
  });
  expect(res.status).toBe(201);
  await drain(hub);
}, 60_000);
afterAll(async () => {
  await hub?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function tether(args: string[], opts: { tty?: boolean } = {}) {
  const io = captureIO({
    env: { TETHER_HUB: hub.url, TETHER_TOKEN: hub.adminToken, TETHER_CONFIG: join(dir, 'config.json'), NO_COLOR: '1' },
    cwd: dir,
    isTTY: opts.tty,
  });
  const code = await run(args, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe('tether get fleetdeployments', () => {
  it('prints the rollout columns, the placement, strategy and pending-window with -o wide', async () => {
    const table = await tether(['get', 'fleetdeployments']);
    expect(table.code).toBe(0);
    const [header, row] = table.out.trimEnd().split('\n');
    expect(header.split(/\s{2,}/)).toEqual(['NAME', 'REVISION', 'UPDATED/TOTAL', 'AVAILABLE', 'FAILED', 'STATE', 'AGE']);
    expect(row.split(/\s{2,}/).slice(0, 6)).toEqual(['menu', '1', '0/4', '0', '0', 'Progressing']);
    const wide = await tether(['get', 'fd', '-o', 'wide']);
    const [wideHeader, wideRow] = wide.out.trimEnd().split('\n');
    expect(wideHeader.split(/\s{2,}/)).toEqual([
      'NAME',
      'PLACEMENT',
      'STRATEGY',
      'REVISION',
      'UPDATED/TOTAL',
      'AVAILABLE',
      'FAILED',
      'PENDING-WINDOW',
      'STATE',
      'AGE',
      'LABELS',
    ]);
    expect(wideRow.split(/\s{2,}/).slice(0, 9)).toEqual(['menu', 'shops', 'ProgressivePerGroup', '1', '0/4', '0', '0', '0', 'Progressing']);
  });
});

describe('tether rollout status', () => {
  it('prints plain lines when not on a terminal, and bars on one', async () => {
    const plain = await tether(['rollout', 'status', 'menu']);
    expect(plain.code).toBe(0);
    expect(plain.out).toBe(
      [
        'fleetdeployment/menu  revision 1  Progressing',
        '  updated 0/4  applied 0  available 0  degraded 0  failed 0  pending-window 0',
        '  1 cluster in flight',
        'groups:',
        '  canary   0%  0/1 updated  0 available  0 failed  Progressing',
        '  group-1  0%  0/3 updated  0 available  0 failed  Pending',
        '',
      ].join('\n'),
    );
    const tty = await tether(['rollout', 'status', 'menu'], { tty: true });
    expect(tty.out).toContain('  canary   [░░░░░░░░░░░░░░░░░░░░]   0%  0/1 updated');
    const yaml = await tether(['rollout', 'status', 'menu', '-o', 'yaml']);
    expect(parseYaml(yaml.out)).toMatchObject({ name: 'menu', revision: 1, state: 'Progressing', summary: { total: 4 } });
  });

  it('--watch refreshes until the rollout completes and exits 0', async () => {
    const watching = tether(['rollout', 'status', 'menu', '--watch', '--interval', '0.2']);
    await reportWork(hub.ctx, 'shop-a', 'menu');
    await drain(hub);
    for (const n of names.slice(1)) await reportWork(hub.ctx, n, 'menu');
    await drain(hub);
    const r = await watching;
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const frames = r.out.split(/^--- .*\n/m);
    expect(frames.length).toBeGreaterThanOrEqual(2);
    expect(frames[0]).toContain('Progressing');
    expect(frames[frames.length - 1]).toContain('fleetdeployment/menu  revision 1  Complete');
    expect(frames[frames.length - 1]).toContain('  updated 4/4  applied 4  available 4');
  }, 60_000);
});

describe('tether rollout actions', () => {
  it('pauses and resumes; --watch on a paused rollout exits 1 and says why', async () => {
    const patched = await hub.api('/v1/fleetdeployments/menu', {
      method: 'PATCH',
      body: { spec: { template: { workload: { manifests: [configMap('menu', { price: 'v2' })] } } } },
    });
    expect(patched.status).toBe(200);
    expect(await tether(['rollout', 'pause', 'menu'])).toEqual({ code: 0, out: 'fleetdeployment/menu paused\n', err: '' });
    await drain(hub);
    const watched = await tether(['rollout', 'status', 'menu', '--watch', '--interval', '0.1']);
    expect(watched.code).toBe(1);
    expect(watched.err).toBe('fleetdeployment/menu is Paused (PausedByUser); it will not complete until resumed\n');
    const resumed = await tether(['rollout', 'resume', 'menu', '-o', 'json']);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.out).spec.paused).toBe(false);
  }, 30_000);

  it('rolls back, aborts and overrides windows; errors map to exit codes', async () => {
    await drain(hub);
    expect((await tether(['rollout', 'abort', 'menu'])).out).toBe('fleetdeployment/menu aborted\n');
    expect((await tether(['rollout', 'rollback', 'menu'])).out).toBe('fleetdeployment/menu rolling back\n');
    await drain(hub);
    const over = await tether(['rollout', 'override-window', 'menu', '--reason', 'store opening hotfix']);
    const revision = (await hub.api('/v1/fleetdeployments/menu/status')).body.revision as number;
    expect(over).toEqual({
      code: 0,
      out: `fleetdeployment/menu ignores maintenance windows for revision ${revision} until it is rolled out; a new revision (a template change or a rollback) follows the windows again\n`,
      err: '',
    });
    expect(hub.audit.some((e) => e.action === 'fleetdeployment.override-window' && e.reason === 'store opening hotfix')).toBe(true);
    expect((await tether(['rollout', 'status', 'menu'])).out).toContain(
      `  maintenance windows overridden for revision ${revision} ("store opening hotfix")\n`,
    );
    // A new revision does not inherit the override, and status says so rather than going quiet.
    const next = await hub.api('/v1/fleetdeployments/menu', {
      method: 'PATCH',
      body: { spec: { template: { workload: { manifests: [configMap('menu', { price: 'v3' })] } } } },
    });
    expect(next.status).toBe(200);
    await drain(hub);
    expect((await tether(['rollout', 'status', 'menu'])).out).toContain(
      `  window override of revision ${revision} ("store opening hotfix") has lapsed: revision ${revision + 1} waits for maintenance windows; run tether rollout override-window again to override them for it\n`,
    );
    const missing = await tether(['rollout', 'pause', 'nope']);
    expect(missing.code).toBe(4);
    expect(missing.err).toBe('error: FleetDeployment "nope" not found (404)\n');
    const noReason = await tether(['rollout', 'override-window', 'menu']);
    expect(noReason.code).toBe(2);
    expect(noReason.err).toContain("required option '--reason <text>' not specified");
    const badName = await tether(['rollout', 'status', 'Not_A_Name']);
    expect(badName.code).toBe(2);
  }, 30_000);
});

describe('a rollout that completes with failures', () => {
  it('shows CompleteWithFailures (amber in get) and --watch exits 1, so a CI gate does not pass', async () => {
    const res = await hub.api('/v1/fleetdeployments', {
      body: fleetDeployment('soup', {
        template: { workload: { manifests: [configMap('soup', { v: '1' })] } },
        placementRef: { name: 'shops' },
        rolloutStrategy: { type: 'All', maxFailures: 1 },
      }),
    });
    expect(res.status).toBe(201);
    await drain(hub);
    for (const n of names.slice(0, 3)) await reportWork(hub.ctx, n, 'soup');
    await reportWork(hub.ctx, 'shop-d', 'soup', { applied: false, available: false, message: 'image pull failed' });
    await drain(hub);
    const watched = await tether(['rollout', 'status', 'soup', '--watch', '--interval', '0.1']);
    expect(watched.code).toBe(1);
    expect(watched.out).toContain('fleetdeployment/soup  revision 1  CompleteWithFailures');
    expect(watched.out).toContain('shop-d  ApplyFailed  image pull failed');
    expect(watched.err).toBe('fleetdeployment/soup completed with failures (1 failed); see "clusters needing attention" above\n');
    const coloured = captureIO({
      env: { TETHER_HUB: hub.url, TETHER_TOKEN: hub.adminToken, TETHER_CONFIG: join(dir, 'config.json') },
      cwd: dir,
      isTTY: true,
    });
    expect(await run(['get', 'fleetdeployment', 'soup'], coloured)).toBe(0);
    // Amber (33), as Paused: not the green (32) of a clean Complete.
    expect(coloured.stdout()).toContain('\u001b[33mCompleteWithFailures');
  }, 30_000);
});
