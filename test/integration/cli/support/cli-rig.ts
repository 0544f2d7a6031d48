import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../../../cli/main.js';
import { captureIO, type CapturedIO } from './capture-io.js';
import { StubHub } from './stub-hub.js';

/** What one CLI invocation left behind. */
export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** Per-invocation settings; `env` is added to the stub hub's URL, token and a private config file. */
export interface CliRunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  stdin?: string;
  isTTY?: boolean;
}

/** A fresh stub hub and a scratch directory for every test, and the CLI pointed at them. */
export interface CliRig {
  readonly hub: StubHub;
  readonly dir: string;
  io(opts?: CliRunOptions): CapturedIO;
  tether(args: string[], opts?: CliRunOptions): Promise<CliRun>;
}

/**
 * Registers the beforeEach/afterEach that start and stop a {@link StubHub} and create and remove a
 * scratch directory (`tether-cli-{name}-…`); call it at the top of a test file.
 */
export function useCliRig(name: string): CliRig {
  let hub: StubHub | undefined;
  let dir: string | undefined;
  beforeEach(async () => {
    hub = await new StubHub().start();
    dir = mkdtempSync(join(tmpdir(), `tether-cli-${name}-`));
  });
  afterEach(async () => {
    await hub?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    hub = undefined;
    dir = undefined;
  });
  const rig: CliRig = {
    get hub() {
      if (!hub) throw new Error('the CLI rig is only set up inside a test');
      return hub;
    },
    get dir() {
      if (!dir) throw new Error('the CLI rig is only set up inside a test');
      return dir;
    },
    io: (opts = {}) =>
      captureIO({
        env: { TETHER_HUB: rig.hub.url, TETHER_TOKEN: rig.hub.token, TETHER_CONFIG: join(rig.dir, 'config.json'), ...opts.env },
        cwd: opts.cwd,
        stdin: opts.stdin,
        isTTY: opts.isTTY,
      }),
    tether: async (args, opts) => {
      const io = rig.io(opts);
      const code = await run(args, io);
      return { code, out: io.stdout(), err: io.stderr() };
    },
  };
  return rig;
}
