import { describe, expect, test } from '@jest/globals';
import { defaultWorkers, NO_HUB } from '../../../cli/commands/sim.js';
import { run } from '../../../cli/main.js';
import { captureIO } from '../../integration/cli/support/capture-io.js';

describe('tether sim', () => {
  test('--help tells where the hub comes from and offers --local', async () => {
    const io = captureIO({ env: { TETHER_CONFIG: '/nonexistent/tether.json' } });
    expect(await run(['sim', '--help'], io)).toBe(0);
    const out = io.stdout().replace(/\s+/g, ' ');
    expect(out).toContain('--local start a private local hub in this process');
    expect(out).toContain('The hub is the configured one (--hub, TETHER_HUB or the config file "tether login" writes');
    expect(out).toContain('tether sim --local --clusters 1000');
  });

  test('the no-hub error names --hub, tether login and --local', () => {
    expect(NO_HUB).toMatch(/--hub URL/);
    expect(NO_HUB).toMatch(/tether login/);
    expect(NO_HUB).toMatch(/--local/);
  });

  test('worker processes by default: the local hub keeps its core, other hubs get 20,000 agents a process', () => {
    expect(defaultWorkers(1_000, true)).toBe(0);
    expect(defaultWorkers(1_001, true)).toBe(1);
    expect(defaultWorkers(20_000, false)).toBe(0);
    expect(defaultWorkers(40_001, false)).toBe(3);
  });
});
