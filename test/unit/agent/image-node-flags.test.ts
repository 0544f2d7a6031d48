import { describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { imageNodeFlags } from '../../../agent/build.js';

/** The Node options of the agent image (agent/Dockerfile's NODE_OPTIONS and ENTRYPOINT), which bench B5 and the bundle test run the agent with. */

function withDockerfile(text: string): string[] {
  const root = mkdtempSync(join(tmpdir(), 'tether-b5-flags-'));
  try {
    mkdirSync(join(root, 'agent'));
    writeFileSync(join(root, 'agent', 'Dockerfile'), text);
    return imageNodeFlags(root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

describe('imageNodeFlags', () => {
  it('reads ENV NODE_OPTIONS, then the options the ENTRYPOINT passes before the bundle', () => {
    const flags = withDockerfile(
      'FROM x\nENV NODE_OPTIONS="--jitless --max-semi-space-size=1"\nENTRYPOINT ["/nodejs/bin/node", "--stack-trace-limit=20", "/app/tether-agent.mjs"]\nCMD ["agent"]\n',
    );
    expect(flags).toEqual(['--jitless', '--max-semi-space-size=1', '--stack-trace-limit=20']);
  });

  it('is empty for an image that passes none, and for a missing Dockerfile', () => {
    expect(withDockerfile('FROM x\nENTRYPOINT ["/nodejs/bin/node", "/app/tether-agent.mjs"]\n')).toEqual([]);
    expect(imageNodeFlags(join(tmpdir(), 'no-such-tether-root'))).toEqual([]);
  });

  it('reads an unquoted NODE_OPTIONS', () => {
    expect(withDockerfile('ENV NODE_OPTIONS=--jitless\nENTRYPOINT ["/nodejs/bin/node", "/app/tether-agent.mjs"]\n')).toEqual(['--jitless']);
  });
});
