import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { StubHub } from './support/stub-hub.js';

/** Runs the real launcher in a child process, as `npx tether` would. */
function tether(args: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(process.cwd(), 'bin', 'tether.js'), ...args],
      { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 20_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, out: stdout, err: stderr });
      },
    );
  });
}

let hub: StubHub;
beforeAll(async () => {
  hub = await new StubHub().start();
  hub.seed('Cluster', 'store-0001', { labels: { tier: 'store' } });
});
afterAll(async () => {
  await hub.stop();
});

describe('bin/tether.js', () => {
  test('runs the TypeScript CLI through tsx and passes the exit code on', async () => {
    const env = { TETHER_HUB: hub.url, TETHER_TOKEN: hub.token, TETHER_CONFIG: '/nonexistent/tether.json' };
    const ok = await tether(['get', 'clusters', '-o', 'name'], env);
    expect(ok).toEqual({ code: 0, out: 'cluster/store-0001\n', err: '' });
    const missing = await tether(['get', 'cluster', 'ghost'], env);
    expect(missing).toEqual({ code: 4, out: '', err: 'error: Cluster "ghost" not found (404)\n' });
  }, 30_000);
});
