import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NotFoundError } from '../../../shared/errors.js';
import type { HttpRequest, HttpResponse } from '../../http/request.js';
import type { Route } from '../../http/router.js';

/**
 * Serves the web console's built files (console/dist, made by `npm run build:console`) through
 * the admin API: `GET /` answers index.html and `GET /console/{file}` the rest. The routes are
 * public because the page itself holds no data: the console sends the admin token the user
 * enters with every API call.
 *
 * - Vite gives bundles content-hashed names, so those are cached for a year (`immutable`);
 *   index.html and unhashed files are revalidated every time (`no-cache` plus an ETag).
 * - Every answer carries a strict Content-Security-Policy: scripts, styles and API calls only
 *   from this origin, no inline script or style, no framing.
 * - Only flat file names of known text types are served: no path can leave the directory.
 */

/** The Content-Security-Policy of every console answer. */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The page's policy when the hub has single sign-on: the console also talks to the issuer (its
 * discovery document and token endpoint, for the code exchange), and to nothing else.
 */
export function consoleCsp(issuer?: string): string {
  if (!issuer) return CONSOLE_CSP;
  return CONSOLE_CSP.replace("connect-src 'self'", `connect-src 'self' ${new URL(issuer).origin}`);
}

/** Cache policy of content-hashed bundles. */
export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable';
/** Cache policy of index.html and other unhashed files: always revalidate. */
export const REVALIDATE_CACHE = 'no-cache';

/** Content types of the files a console build holds (all text: the API answers strings). */
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/** A flat file name: no slash, no leading dot (so never `..`), and short enough for any file system (255 bytes). */
const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,199}$/;
/** Vite's `name-<8 char hash>.ext`. */
const HASHED_NAME = /-[A-Za-z0-9_-]{8}\.(js|css)$/;

const SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/**
 * Where the built console is: `TETHER_CONSOLE_DIR`, else `console/dist` in the Lambda task root
 * or in the checkout this module belongs to (found from the module, never from the current
 * directory, so `tether dev` serves the console from any folder) — the first that holds an index.html.
 */
export function consoleDir(env: Record<string, string | undefined> = process.env): string {
  if (env.TETHER_CONSOLE_DIR) return resolve(env.TETHER_CONSOLE_DIR);
  const candidates = [
    env.LAMBDA_TASK_ROOT ? join(env.LAMBDA_TASK_ROOT, 'console', 'dist') : undefined,
    resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'console', 'dist'),
  ].filter((c): c is string => c !== undefined);
  return candidates.find((c) => existsSync(join(c, 'index.html'))) ?? candidates[candidates.length - 1];
}

/** The page served at `/` when there is no build: says how to make one. */
export const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Tether console not built</title></head>
<body>
<h1>Console not built</h1>
<p>The hub is running, but the web console has not been built in this checkout: run <code>npm run build:console</code>, then reload this page.</p>
<p>The API is here all the same: try <a href="/healthz">/healthz</a> or <a href="/openapi.json">/openapi.json</a>, or use the <code>tether</code> CLI.</p>
</body>
</html>
`;

/** Hashed files never change under their name, so they are kept in memory once read. */
const immutableCache = new Map<string, string>();

function etagOf(text: string): string {
  return `"${createHash('sha256').update(text).digest('base64url').slice(0, 27)}"`;
}

async function readText(path: string): Promise<string | undefined> {
  try {
    if (!(await stat(path)).isFile()) return undefined;
    return await readFile(path, 'utf8');
  } catch (err) {
    // A name the file system cannot hold is a file that is not there, not the hub's failure.
    if (['ENOENT', 'ENOTDIR', 'ENAMETOOLONG'].includes((err as NodeJS.ErrnoException).code ?? '')) return undefined;
    throw err;
  }
}

function answer(req: HttpRequest, text: string, contentType: string, cache: string): HttpResponse {
  const etag = etagOf(text);
  const headers = { ...SECURITY_HEADERS, 'content-type': contentType, 'cache-control': cache, etag };
  const tags = (req.headers['if-none-match'] ?? '').split(',').map((t) => t.trim().replace(/^W\//, ''));
  if (tags.includes(etag)) return { status: 304, headers };
  return { status: 200, headers, raw: text };
}

/** `GET /`: index.html, or the "not built" page. */
export async function serveIndex(req: HttpRequest, dir = consoleDir(), issuer?: string): Promise<HttpResponse> {
  const html = await readText(join(dir, 'index.html'));
  if (html === undefined) {
    return {
      status: 503,
      headers: { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
      raw: NOT_BUILT_PAGE,
    };
  }
  const res = answer(req, html, CONTENT_TYPES['.html'], REVALIDATE_CACHE);
  return issuer ? { ...res, headers: { ...res.headers, 'content-security-policy': consoleCsp(issuer) } } : res;
}

/** `GET /console/{file}`: one built file, with its content type and cache policy. */
export async function serveAsset(req: HttpRequest, file: string, dir = consoleDir()): Promise<HttpResponse> {
  const type = CONTENT_TYPES[extname(file).toLowerCase()];
  if (!SAFE_NAME.test(file) || !type) throw new NotFoundError('console file', file);
  const hashed = HASHED_NAME.test(file);
  const path = join(dir, file);
  let text = hashed ? immutableCache.get(path) : undefined;
  if (text === undefined) {
    text = await readText(path);
    if (text === undefined) throw new NotFoundError('console file', file);
    if (hashed) immutableCache.set(path, text);
  }
  return answer(req, text, type, hashed ? IMMUTABLE_CACHE : REVALIDATE_CACHE);
}

/** The console's routes, public (the page holds no data; API calls carry the user's token). */
export function consoleRoutes(dir?: () => string): Route<unknown>[] {
  const where = dir ?? (() => consoleDir());
  return [
    {
      method: 'GET',
      pattern: '/',
      public: true,
      summary: 'The web console',
      handler: (req, ctx) =>
        serveIndex(req, where(), (ctx as { config?: { oidc?: { issuer: string } } } | undefined)?.config?.oidc?.issuer),
    },
    {
      method: 'GET',
      pattern: '/console',
      public: true,
      summary: 'The web console (redirects to /)',
      handler: async () => ({ status: 308, headers: { location: '/', 'cache-control': 'no-cache' } }),
    },
    {
      method: 'GET',
      pattern: '/console/{file}',
      public: true,
      summary: 'Web console files',
      handler: (req) => serveAsset(req, req.params.file, where()),
    },
  ];
}
