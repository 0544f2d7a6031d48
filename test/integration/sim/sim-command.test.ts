/**
 * `tether sim` end to end, in-process: with --local a private hub of its own, otherwise the hub every
 * command uses (--hub, TETHER_HUB, the config file); real agents join through bulk import and their
 * bootstrap tokens, poll until --duration ends, then stop cleanly.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../../cli/main.js';
import { startTestHub, type TestHub } from '../../support/local-hub.js';
import { captureIO } from '../cli/support/capture-io.js';

jest.setTimeout(60_000);

let dir: string;
/** No config file, so only what a test passes counts. */
let noConfig: Record<string, string>;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tether-sim-cmd-'));
  noConfig = { TETHER_CONFIG: join(dir, 'absent.json'), HOME: dir };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tether sim --local', () => {
  it('joins N agents through the real flow, polls for --duration and stops cleanly', async () => {
    const io = captureIO({ env: noConfig });
    const code = await run(['sim', '--local', '--clusters', '4', '--poll', '2', '--duration', '5', '--prefix', 'simtest'], io);
    expect(io.stderr()).not.toMatch(/error:/);
    expect(code).toBe(0);
    const out = io.stdout();
    expect(out.split('\n')[0]).toMatch(/^Hub: http:\/\/127\.0\.0\.1:\d+ \(private local hub; data in .+, removed on exit\)$/);
    expect(out).toMatch(/^4\/4 agents joined in [\d.]+ s$/m);
    const summary = /Simulated 4 agents for \d+ s: (\d+) polls \([\d.]+\/s\), (\d+) errors/.exec(out);
    expect(summary).not.toBeNull();
    // Four agents at a 2 s poll for 5 s: each polls at least twice.
    expect(Number(summary![1])).toBeGreaterThanOrEqual(8);
    expect(Number(summary![2])).toBe(0);
    expect(io.stderr()).toMatch(/importing \d+\/4/);
    expect(process.listenerCount('SIGINT')).toBe(0);
  });

  it('refuses --local together with --hub', async () => {
    const io = captureIO({ env: noConfig });
    expect(await run(['sim', '--local', '--hub', 'http://127.0.0.1:9', '--clusters', '1'], io)).toBe(2);
    expect(io.stderr()).toMatch(/--local starts a private hub; it cannot be combined with --hub/);
    expect(io.stdout()).toBe('');
  });

  it('refuses a bad cluster count with a usage error', async () => {
    const io = captureIO({ env: noConfig });
    expect(await run(['sim', '--clusters', '0'], io)).toBe(2);
    expect(io.stderr()).toMatch(/--clusters.*must be a whole number from 1 to 100000/);
  });
});

describe('tether sim against the configured hub', () => {
  let hub: TestHub;
  beforeAll(async () => {
    hub = await startTestHub({ config: { pollIntervalSeconds: 2 } });
  });
  afterAll(async () => {
    await hub.stop();
  });

  it('without --hub, TETHER_HUB or a config file, fails at once and names the three ways to get a hub', async () => {
    const io = captureIO({ env: noConfig });
    const started = Date.now();
    expect(await run(['sim', '--clusters', '2'], io)).toBe(2);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(io.stderr()).toBe(
      'error: no hub to simulate against: pass --hub URL (with --token), log in with "tether login", or use --local for a private local hub\n',
    );
    expect(io.stdout()).toBe('');
  });

  it('uses TETHER_HUB and TETHER_TOKEN, and says so on its first line', async () => {
    const io = captureIO({ env: { ...noConfig, TETHER_HUB: hub.url, TETHER_TOKEN: hub.adminToken } });
    const code = await run(['sim', '--clusters', '2', '--duration', '3', '--prefix', 'envsim'], io);
    expect(io.stderr()).not.toMatch(/error:/);
    expect(code).toBe(0);
    expect(io.stdout().split('\n')[0]).toBe(`Hub: ${hub.url} (from TETHER_HUB)`);
    expect(io.stdout()).toMatch(/^2\/2 agents joined in [\d.]+ s$/m);
    const listed = await hub.api('/v1/clusters?labelSelector=');
    const names = (listed.body.items as Array<{ metadata: { name: string } }>).map((c) => c.metadata.name);
    expect(names).toEqual(expect.arrayContaining(['envsim-00001', 'envsim-00002']));
  });

  it('uses the hub and token that "tether login" saved', async () => {
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ hub: hub.url, token: hub.adminToken }), { mode: 0o600 });
    const io = captureIO({ env: { TETHER_CONFIG: config, HOME: dir } });
    const code = await run(['sim', '--clusters', '2', '--duration', '3', '--prefix', 'cfgsim'], io);
    expect(io.stderr()).not.toMatch(/error:/);
    expect(code).toBe(0);
    expect(io.stdout().split('\n')[0]).toBe(`Hub: ${hub.url} (from the config file)`);
    expect(io.stdout()).toMatch(/^2\/2 agents joined in [\d.]+ s$/m);
    expect((await hub.api('/v1/clusters/cfgsim-00002')).status).toBe(200);
  });

  it('with --hub, the flag wins over TETHER_HUB', async () => {
    const io = captureIO({ env: { ...noConfig, TETHER_HUB: 'http://127.0.0.1:9', TETHER_TOKEN: hub.adminToken } });
    const code = await run(['sim', '--hub', hub.url, '--clusters', '1', '--duration', '2', '--prefix', 'flagsim'], io);
    expect(io.stderr()).not.toMatch(/error:/);
    expect(code).toBe(0);
    expect(io.stdout().split('\n')[0]).toBe(`Hub: ${hub.url} (from --hub)`);
  });

  it('with a hub but no token, fails with the missing-token error', async () => {
    const io = captureIO({ env: { ...noConfig, TETHER_HUB: hub.url } });
    expect(await run(['sim', '--clusters', '1'], io)).not.toBe(0);
    expect(io.stderr()).toMatch(/^error: no token configured/);
    expect(io.stdout()).toBe('');
  });
});
