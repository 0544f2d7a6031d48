import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { Agent } from '../../../agent/agent.js';
import { MemoryCluster, type KubeDistribution } from '../../../agent/kube/memory-cluster.js';
import { parseImportManifest } from '../../../shared/agent-manifest.js';

/**
 * Shared pieces of the console's browser tests: a console build in a private directory (jest runs
 * test files in parallel, so they must not share console/dist), Debian's Chromium driven by
 * playwright-core, simulated agents (the real agent loop over an in-memory cluster), and the
 * artifacts directory for screenshots and measurements.
 */

const run = promisify(execFile);

/** Where screenshots and measurements go (git-ignored). */
export const ARTIFACTS = resolve(process.cwd(), 'test-artifacts', 'console');

/** Debian's Chromium (`apt-get install chromium`); playwright-core cannot download one here. */
export const CHROMIUM = '/usr/bin/chromium';

/** Launch flags for Chromium in a container without a GPU or network beyond loopback; playwright adds --headless and a fresh profile. */
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Builds the console with Vite into a new temporary directory and returns it. Vite runs in a child
 * process: its native bundler cannot be driven from inside jest's VM module sandbox.
 */
export async function buildConsole(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), 'tether-console-'));
  const vite = resolve(process.cwd(), 'node_modules', 'vite', 'bin', 'vite.js');
  await run(
    process.execPath,
    [vite, 'build', '--config', 'console/vite.config.ts', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'],
    {
      cwd: process.cwd(),
      // Jest sets NODE_ENV=test, which would make Vite keep development-only code in the bundle.
      env: { ...process.env, NODE_ENV: 'production' },
      timeout: 120_000,
    },
  );
  return outDir;
}

/** Sizes of a build: every file raw and gzipped, and the part a first visit loads. */
export interface BundleSize {
  files: { name: string; raw: number; gzip: number }[];
  /** index.html plus the entry script and stylesheet (the lazily loaded selector chunk excluded). */
  initial: { raw: number; gzip: number };
  total: { raw: number; gzip: number };
}

/** Measures a console build. */
export function measureBundle(dir: string): BundleSize {
  const files = readdirSync(dir)
    .filter((name) => statSync(join(dir, name)).isFile())
    .map((name) => {
      const bytes = readFileSync(join(dir, name));
      return { name, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
    });
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const initialNames = new Set(['index.html', ...[...html.matchAll(/\/console\/([^"']+\.(?:js|css))/g)].map((m) => m[1])]);
  const sum = (list: typeof files) => list.reduce((a, f) => ({ raw: a.raw + f.raw, gzip: a.gzip + f.gzip }), { raw: 0, gzip: 0 });
  return { files, initial: sum(files.filter((f) => initialNames.has(f.name))), total: sum(files) };
}

/** Starts Chromium; each test gets its own context (cookies, storage) from {@link newPage}. */
export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
}

/** A page at a laptop's size, with clipboard access for the Copy button. */
export async function newPage(browser: Browser, origin: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 820 }, acceptDownloads: true });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin });
  const page = await context.newPage();
  return { context, page };
}

/**
 * Collects uncaught page errors and console errors (CSP violations and failed module loads are
 * reported there). The hub's 401/403/404 answers the console expects are left out.
 */
export function watchPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    // CSP violations and failed module loads show up as console errors.
    if (msg.type() === 'error' && !/status of 40[134]/.test(msg.text())) errors.push(`console: ${msg.text()}`);
  });
  return errors;
}

/** Saves a screenshot under test-artifacts/console/. */
export async function screenshot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: opts.fullPage ?? false });
  return path;
}

/** A simulated spoke: the real agent loop against an in-memory Kubernetes cluster. */
export interface SimulatedAgent {
  agent: Agent;
  cluster: MemoryCluster;
  /** Resolves when the agent loop ends (stop, detach, revoked credential). */
  done: Promise<string>;
  stop(): Promise<void>;
}

/** Starts an agent from an import manifest's text, as `tether agent --simulate --from-manifest` would. */
export function startAgentFromManifest(
  manifest: string,
  opts: { version?: string; pollMs?: number; distribution?: KubeDistribution; nodes?: number } = {},
): SimulatedAgent {
  const info = parseImportManifest(manifest);
  const cluster = new MemoryCluster({
    name: info.cluster,
    ...(opts.distribution ? { distribution: opts.distribution } : {}),
    ...(opts.nodes ? { nodes: { count: opts.nodes } } : {}),
  });
  const agent = new Agent({
    hubUrl: info.hubUrl,
    cluster: info.cluster,
    bootstrapToken: info.bootstrapToken,
    api: cluster,
    namespace: info.namespace,
    version: opts.version ?? '0.1.0',
    initialPollIntervalMs: opts.pollMs ?? 500,
    simulate: true,
  });
  const done = agent.start();
  let stopped = false;
  return {
    agent,
    cluster,
    done,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await agent.stop();
      cluster.close();
    },
  };
}

/** A throw-away directory removed by the returned function. */
export function tempDir(prefix: string): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Opens the console at `route` (a hash route such as `#/deployments`, or the start page) and signs in with the admin token. */
export async function signIn(page: Page, hub: { url: string; adminToken: string }, route = ''): Promise<void> {
  await page.goto(`${hub.url}/${route}`);
  await page.getByLabel('Admin token').fill(hub.adminToken);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** What a console test file started, for {@link tearDownConsoleTest}; anything may be missing if its set-up failed. */
export interface ConsoleTestParts {
  agents: SimulatedAgent[];
  browser?: Browser;
  hub?: { stop(): Promise<void> };
  /** TETHER_CONSOLE_DIR as it was before the file set it. */
  previousDir: string | undefined;
  consoleDir?: string;
}

/** Stops the agents, the browser and the hub, restores TETHER_CONSOLE_DIR and removes the console build. */
export async function tearDownConsoleTest(parts: ConsoleTestParts): Promise<void> {
  for (const a of parts.agents) await a.stop().catch(() => undefined);
  await parts.browser?.close();
  await parts.hub?.stop();
  if (parts.previousDir === undefined) delete process.env.TETHER_CONSOLE_DIR;
  else process.env.TETHER_CONSOLE_DIR = parts.previousDir;
  if (parts.consoleDir) rmSync(parts.consoleDir, { recursive: true, force: true });
}
