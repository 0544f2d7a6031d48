import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from '@jest/globals';
import { run } from '../../../../cli/main.js';
import { startTestHub, type TestHub } from '../../../support/local-hub.js';
import { captureIO } from './capture-io.js';

/**
 * A real local hub for the test file and a `tether` that talks to it (environment, a scratch
 * directory as the working directory and config, no colour).
 */
export function useRealHubCli(
  prefix: string,
  /** Options of the hub (a faster scheduler, shorter polls). */
  options: Parameters<typeof startTestHub>[0] = {},
): {
  hub: () => TestHub;
  dir: () => string;
  tether: (args: string[]) => Promise<{ code: number; out: string; err: string }>;
} {
  let hub: TestHub | undefined;
  let dir: string | undefined;
  beforeAll(async () => {
    hub = await startTestHub(options);
    dir = mkdtempSync(join(tmpdir(), `tether-cli-${prefix}-`));
  });
  afterAll(async () => {
    await hub?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const need = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`${what} is not started yet: use it inside a test`);
    return v;
  };
  return {
    hub: () => need(hub, 'the hub'),
    dir: () => need(dir, 'the scratch directory'),
    tether: async (args) => {
      const h = need(hub, 'the hub');
      const d = need(dir, 'the scratch directory');
      const io = captureIO({
        env: { TETHER_HUB: h.url, TETHER_TOKEN: h.adminToken, TETHER_CONFIG: join(d, 'config.json'), NO_COLOR: '1' },
        cwd: d,
      });
      const code = await run(args, io);
      return { code, out: io.stdout(), err: io.stderr() };
    },
  };
}
