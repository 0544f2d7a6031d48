import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { run } from '../../cli/main.js';
import { demoClusterNames } from '../../lambdas/local/demo.js';
import { startDemoAgents, type DemoAgents } from '../../sim/demo-fleet.js';
import { captureIO } from '../integration/cli/support/capture-io.js';
import { startTestHub, type TestHub } from '../support/local-hub.js';

/**
 * docs/rollouts.md as written: the demo hub of `npm start -- --demo 20` with its simulated agents,
 * `tether apply -f docs/examples/rollouts/` (exactly the guide's files, through the CLI), and the
 * rollout completes on every store in the guide's order (canary, us-east, us-west, eu), with the
 * EU mirror and the canary override applied. The demo's window opens four minutes in five, so
 * this takes a few minutes of wall-clock time.
 */

const EXAMPLES = fileURLToPath(new URL('../../docs/examples/rollouts/', import.meta.url));
const STORES = 20;
let hub: TestHub;
let agents: DemoAgents | undefined;
const scratch = mkdtempSync(join(tmpdir(), 'tether-guide-'));

beforeAll(async () => {
  // The demo hub, with a shorter poll interval than the default 30 s so that the test is quicker.
  hub = await startTestHub({ demo: STORES, config: { pollIntervalSeconds: 2 }, schedulerIntervalMs: 1000 });
  agents = await startDemoAgents(hub.url, hub.adminToken, demoClusterNames(STORES));
  await until(
    'every demo store to join',
    async () => {
      const list = await hub.api('/v1/clusters?labelSelector=fleet%3Dretail');
      return (
        list.body.items.filter((c: any) => c.status?.conditions?.some((x: any) => x.type === 'Available' && x.status === 'True')).length ===
        STORES
      );
    },
    60_000,
  );
}, 120_000);

afterAll(async () => {
  await agents?.stop();
  await hub?.stop();
  rmSync(scratch, { recursive: true, force: true });
}, 60_000);

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function tether(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = captureIO({ env: { TETHER_HUB: hub.url, TETHER_TOKEN: hub.adminToken, TETHER_CONFIG: join(scratch, 'config.json') } });
  const code = await run(args, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

describe('docs/rollouts.md against the demo fleet', () => {
  it('applies the guide files and the rollout completes, canary first, region by region', async () => {
    const applied = await tether(['apply', '-f', EXAMPLES]);
    expect(applied).toMatchObject({ code: 0, err: '' });
    expect(applied.out).toBe('placement/stores created\nfleetdeployment/pos created\n');

    const placed = await until('the placement to decide', async () => {
      const p = (await hub.api('/v1/placements/stores')).body;
      return p.status?.numberOfSelectedClusters === STORES && p;
    });
    expect(placed.status.numberOfSelectedClusters).toBe(STORES);

    // The groups in the guide's order, every store in exactly one: 2 canaries, then the regions.
    const first = await until('the first status', async () => {
      const s = (await hub.api('/v1/fleetdeployments/pos/status')).body;
      return s.groups?.length === 4 && s;
    });
    expect(first.groups.map((g: any) => [g.name, g.total])).toEqual([
      ['canary', 2],
      ['us-east', 6],
      ['us-west', 6],
      ['eu', 6],
    ]);

    const done = await until(
      'the rollout to complete',
      async () => {
        const s = (await hub.api('/v1/fleetdeployments/pos/status')).body;
        if (s.state === 'Failed' || s.state === 'Paused') throw new Error(`the rollout stopped: ${JSON.stringify(s)}`);
        return s.state === 'Complete' && s;
      },
      600_000,
    );
    expect(done.summary).toMatchObject({ total: STORES, updated: STORES, available: STORES, failed: 0, templateErrors: 0 });
    expect(done.clusters).toEqual([]);

    // The rendered Work of an EU store and of a canary: the mirror and the single replica.
    const deployment = async (store: string) =>
      (await hub.api(`/v1/clusters/${store}/works/pos`)).body.spec.workload.manifests.find((m: any) => m.kind === 'Deployment');
    expect((await deployment('store-0003')).spec.template.spec.containers[0].image).toBe('mirror.eu.acme.example/acme/pos:4.2.0');
    expect((await deployment('store-0001')).spec.replicas).toBe(1);
    expect((await deployment('store-0004')).spec.replicas).toBe(2);

    const status = await tether(['rollout', 'status', 'pos']);
    expect(status.code).toBe(0);
    expect(status.out).toContain('Complete');
  }, 720_000);
});
