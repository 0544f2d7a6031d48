import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CONSOLE_CSP,
  IMMUTABLE_CACHE,
  NOT_BUILT_PAGE,
  REVALIDATE_CACHE,
  consoleDir,
} from '../../../lambdas/capabilities/console/admin-routes.js';
import { startTestHub, type TestHub } from '../../support/local-hub.js';
import { buildConsole, tempDir } from './harness.js';

/**
 * How the admin API serves the console build: content types, cache policy (a year for hashed
 * bundles, revalidation with ETags for index.html), the Content-Security-Policy, the "not built"
 * page, and names that could escape the build directory.
 */

let hub: TestHub;
let dir: string;
const previousDir = process.env.TETHER_CONSOLE_DIR;

beforeAll(async () => {
  dir = await buildConsole();
  process.env.TETHER_CONSOLE_DIR = dir;
  hub = await startTestHub();
}, 120_000);

afterAll(async () => {
  await hub?.stop();
  if (previousDir === undefined) delete process.env.TETHER_CONSOLE_DIR;
  else process.env.TETHER_CONSOLE_DIR = previousDir;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function get(path: string, headers: Record<string, string> = {}) {
  return fetch(`${hub.url}${path}`, { headers, redirect: 'manual' });
}

/** A GET with the path sent byte for byte (fetch would normalise `%2E%2E` away). */
function rawGet(path: string): Promise<{ status: number; contentType?: string; body: string }> {
  const url = new URL(hub.url);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: res.headers['content-type'], body }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('GET / serves index.html without a token, revalidated, under a strict CSP without inline code', async () => {
  const res = await get('/');
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
  expect(res.headers.get('cache-control')).toBe(REVALIDATE_CACHE);
  expect(res.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
  expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  expect(CONSOLE_CSP).toContain("script-src 'self'");
  expect(CONSOLE_CSP).not.toContain('unsafe-inline');
  expect(CONSOLE_CSP).toContain("frame-ancestors 'none'");
  const html = await res.text();
  expect(html).toBe(readFileSync(join(dir, 'index.html'), 'utf8'));
  // No inline script or style may exist: the CSP would block it.
  expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  expect(html).not.toMatch(/<style|style="/);

  const etag = res.headers.get('etag');
  expect(etag).toMatch(/^".+"$/);
  const again = await get('/', { 'if-none-match': etag! });
  expect(again.status).toBe(304);
  expect(await again.text()).toBe('');
});

test('hashed bundles are cached for a year with their content type; unhashed files revalidate', async () => {
  const files = readdirSync(dir);
  const js = files.find((f) => /^index-.+\.js$/.test(f))!;
  const css = files.find((f) => /^index-.+\.css$/.test(f))!;
  const jsRes = await get(`/console/${js}`);
  expect(jsRes.status).toBe(200);
  expect(jsRes.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  expect(jsRes.headers.get('cache-control')).toBe(IMMUTABLE_CACHE);
  expect(await jsRes.text()).toBe(readFileSync(join(dir, js), 'utf8'));
  const cssRes = await get(`/console/${css}`);
  expect(cssRes.headers.get('content-type')).toBe('text/css; charset=utf-8');
  expect(cssRes.headers.get('cache-control')).toBe(IMMUTABLE_CACHE);
  const svg = await get('/console/favicon.svg');
  expect(svg.status).toBe(200);
  expect(svg.headers.get('content-type')).toBe('image/svg+xml');
  expect(svg.headers.get('cache-control')).toBe(REVALIDATE_CACHE);
  const head = await fetch(`${hub.url}/console/${js}`, { method: 'HEAD' });
  expect(head.status).toBe(200);
});

test('/console redirects to /; unknown files are 404 problems, escaping names 400 problems', async () => {
  const redirect = await get('/console');
  expect(redirect.status).toBe(308);
  expect(redirect.headers.get('location')).toBe('/');
  // Names that try to leave the directory are no names at all: the router refuses them (400)
  // before the console route is even chosen (docs/security.md, Hostile input).
  for (const [path, status] of [
    ['/console/nope-12345678.js', 404],
    ['/console/index.ts', 404],
    ['/console/..%2F..%2Fpackage.json', 400],
    ['/console/%2E%2E%2Fpackage.json', 400],
    ['/console/.env', 400],
    ['/console/..%5Cpackage.json', 400],
    [`/console/${'a'.repeat(300)}.js`, 400],
  ] as const) {
    const res = await rawGet(path);
    expect([res.status, path]).toEqual([status, path]);
    expect(res.contentType).toBe('application/problem+json');
    expect(res.body).not.toContain('"name"'); // nothing of package.json
  }
  // The API still needs a token: the console's routes are the only public additions.
  expect((await get('/v1/clusters')).status).toBe(401);
});

test('without a build, / explains how to make one', async () => {
  const empty = tempDir('tether-no-console-');
  process.env.TETHER_CONSOLE_DIR = empty.dir;
  try {
    const res = await get('/');
    expect(res.status).toBe(503);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = await res.text();
    expect(html).toBe(NOT_BUILT_PAGE);
    expect(html).toContain('Console not built');
    expect(html).toContain('npm run build:console');
  } finally {
    process.env.TETHER_CONSOLE_DIR = dir;
    empty.remove();
  }
});

test("consoleDir: without settings, the checkout's console/dist, whatever the current directory", () => {
  const checkout = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
  const cwd = process.cwd();
  const elsewhere = tempDir('tether-cwd-');
  try {
    process.chdir(elsewhere.dir);
    expect(consoleDir({})).toBe(join(checkout, 'console', 'dist'));
  } finally {
    process.chdir(cwd);
    elsewhere.remove();
  }
});

test('consoleDir: the environment wins, then the Lambda task root when it holds a build', () => {
  expect(consoleDir({ TETHER_CONSOLE_DIR: '/srv/console' })).toBe('/srv/console');
  const task = tempDir('tether-task-');
  try {
    mkdirSync(join(task.dir, 'console', 'dist'), { recursive: true });
    writeFileSync(join(task.dir, 'console', 'dist', 'index.html'), '<!doctype html>');
    expect(consoleDir({ LAMBDA_TASK_ROOT: task.dir })).toBe(join(task.dir, 'console', 'dist'));
  } finally {
    task.remove();
  }
});
