import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { agentVersion } from '../../../agent/version.js';
import { cliVersion } from '../../../cli/main.js';
import { HUB_VERSION } from '../../../lambdas/http/admin-api.js';
import { defaultHubConfig } from '../../../lambdas/core/context.js';
import { TETHER_VERSION } from '../../../shared/version.js';

describe('TETHER_VERSION', () => {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

  it("is package.json's version", () => {
    expect(TETHER_VERSION).toBe(pkg.version);
    expect(TETHER_VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('is what the hub, the CLI and the agent report, and the agent version the hub hands out by default', () => {
    expect({ hub: HUB_VERSION, cli: cliVersion(), agent: agentVersion(), hubDefaultAgent: defaultHubConfig.agentVersion }).toEqual({
      hub: pkg.version,
      cli: pkg.version,
      agent: pkg.version,
      hubDefaultAgent: pkg.version,
    });
  });
});
