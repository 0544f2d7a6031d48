import pkg from '../package.json' with { type: 'json' };

/**
 * The Node.js version check of the `tether` launcher (bin/tether.js runs it before loading the CLI).
 * Dependencies such as commander require Node 22.12 (and the local hub's queue file node:sqlite,
 * unflagged in 22.13); on an older Node they fail on import with an
 * error that names neither Node nor the version to install. This check names both. It uses nothing
 * newer than Node 18, so that it runs on the versions it turns away.
 */

/** A Node.js version as `[major, minor, patch]`. */
export type NodeVersion = readonly [number, number, number];

/** The lowest supported Node.js version, from package.json `engines.node` (`>=22.13` gives `[22, 13, 0]`). */
export const MINIMUM_NODE: NodeVersion = parseMinimum(pkg.engines.node);

/** The Node.js release the README and CI install from the npm registry. */
export const NODE22_RELEASE = '22.23.5';

function parseMinimum(range: string): [number, number, number] {
  const m = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(range.trim());
  if (!m) throw new Error(`package.json engines.node must be ">=X.Y[.Z]", not "${range}"`);
  return [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)];
}

function below(version: string, minimum: NodeVersion): boolean {
  const have = version
    .replace(/^v/, '')
    .split('.')
    .map((part) => Number.parseInt(part, 10) || 0);
  for (let i = 0; i < 3; i++) {
    const diff = (have[i] ?? 0) - minimum[i];
    if (diff !== 0) return diff < 0;
  }
  return false;
}

/** How to get a supported Node on this machine: the npm registry's Node package on Linux, else nodejs.org. */
function howToInstall(platform: string, arch: string): string[] {
  if (platform !== 'linux' || (arch !== 'x64' && arch !== 'arm64')) {
    return ['Install Node 22 from https://nodejs.org or with a version manager (nvm, fnm).'];
  }
  const pkgName = `node-linux-${arch}`;
  return [
    'Install Node 22, for example from the npm registry into your home directory (README.md, "Requirements"):',
    `  npm install --prefix ~/.local/node22 --no-audit --no-fund ${pkgName}@${NODE22_RELEASE}`,
    `  export PATH="$HOME/.local/node22/node_modules/${pkgName}/bin:$PATH"`,
  ];
}

/**
 * Why `tether` cannot run on this Node.js, with what to do about it; undefined when it can.
 * @param version `process.versions.node`, e.g. `20.19.5`.
 * @param host where the advice is for; default this process's platform and architecture.
 * @param minimum the lowest supported version; default {@link MINIMUM_NODE}.
 */
export function nodeVersionProblem(
  version: string,
  host: { platform: string; arch: string } = process,
  minimum: NodeVersion = MINIMUM_NODE,
): string | undefined {
  if (!below(version, minimum)) return undefined;
  const have = version.replace(/^v/, '');
  return [
    `error: Tether needs Node.js ${minimum.join('.')} or later; this is Node.js ${have}.`,
    ...howToInstall(host.platform, host.arch),
  ].join('\n');
}
