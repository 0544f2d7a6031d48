import { TetherError } from '../../shared/errors.js';
import { clearToken, readToken } from './session.js';

/**
 * The console's view of the hub's admin API: same-origin fetch with the admin token from session
 * storage, problem+json turned into {@link HubProblemError}, and conditional GETs that reuse the
 * last answer when the hub says 304 (or when the body did not change), so polling stays cheap.
 */

/** RFC 9457 problem details as the hub sends them (docs/architecture.md, "At the HTTP edge"). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { path: string; message: string }[];
}

/** The hub answered with an error status; `problem.detail` is what the console shows. */
export class HubProblemError extends TetherError {
  // 502: what an edge passing this on would answer (its upstream refused); the hub's own answer is in `problem`.
  static override readonly status = 502;
  static override readonly title = 'Hub refused the request';
  readonly code = 'hub-problem';
  constructor(
    readonly problem: Problem,
    options?: ErrorOptions,
  ) {
    super(problem.detail, options);
  }
}

/** The hub could not be reached at all (network down, hub stopped). */
export class HubUnreachableError extends TetherError {
  // 503: the hub cannot be reached: an upstream fault that may pass.
  static override readonly status = 503;
  static override readonly title = 'Hub unreachable';
  readonly code = 'hub-unreachable';
}

/** How long a request may take before the console calls the hub unreachable. */
export const REQUEST_TIMEOUT_MS = 20_000;

/** Called when the hub rejects the token (401), so the app can return to the sign-in form. */
let onUnauthorized: (problem: Problem) => void = () => undefined;

/** Registers what happens when the hub rejects the admin token. */
export function setUnauthorizedHandler(handler: (problem: Problem) => void): void {
  onUnauthorized = handler;
}

/** One answer of {@link getJson}: the value, and whether it changed since the last call. */
export interface Fetched<T> {
  value: T;
  changed: boolean;
}

interface CacheEntry {
  etag?: string;
  text: string;
  value: unknown;
}

/** Last answer per path, for If-None-Match and change detection. Cleared on sign-out. */
const cache = new Map<string, CacheEntry>();

/** Forgets every cached answer (on sign-out, so another token never sees them). */
export function clearCache(): void {
  cache.clear();
}

/** `/v1/clusters/store-0001`: joins path segments, encoding each. */
export function apiPath(...segments: string[]): string {
  return `/v1/${segments.map((s) => encodeURIComponent(s)).join('/')}`;
}

async function send(method: string, path: string, init: { body?: unknown; etag?: string; token?: string } = {}): Promise<Response> {
  const token = init.token ?? readToken();
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (init.etag) headers['if-none-match'] = init.etag;
  let body: string | undefined;
  if (init.body !== undefined) {
    body = JSON.stringify(init.body);
    headers['content-type'] = 'application/json';
  }
  try {
    // no-store: the console does its own revalidation; the browser cache must not answer for it.
    // A hub that accepts the connection but never answers counts as unreachable after 20 s.
    return await fetch(path, {
      method,
      headers,
      body,
      cache: 'no-store',
      credentials: 'omit',
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (err) {
    throw new HubUnreachableError(`the hub did not answer ${method} ${path}: ${(err as Error).message}`, { cause: err });
  }
}

async function problemOf(res: Response): Promise<Problem> {
  const text = await res.text().catch(() => '');
  try {
    const p = JSON.parse(text) as Partial<Problem>;
    if (p && typeof p === 'object' && typeof p.title === 'string') {
      return {
        type: p.type ?? 'about:blank',
        title: p.title,
        status: p.status ?? res.status,
        detail: p.detail ?? p.title,
        errors: p.errors,
      };
    }
  } catch {
    // Not JSON: a proxy's error page. Fall through to a problem made from the status.
  }
  const title = res.statusText || `HTTP ${res.status}`;
  return { type: 'about:blank', title, status: res.status, detail: `the hub answered ${res.status} ${title}` };
}

async function fail(res: Response, path: string): Promise<never> {
  const problem = await problemOf(res);
  if (res.status === 401) {
    clearToken();
    clearCache();
    onUnauthorized(problem);
  }
  throw new HubProblemError(problem, { cause: new Error(`${res.status} from ${path}`) });
}

/**
 * GET a JSON document. Sends If-None-Match when the hub gave an ETag last time; a 304 or an
 * identical body reuses the previous value and reports `changed: false`, so callers skip a render.
 */
export async function getJson<T>(path: string): Promise<Fetched<T>> {
  const prev = cache.get(path);
  const res = await send('GET', path, { etag: prev?.etag });
  if (res.status === 304 && prev) return { value: prev.value as T, changed: false };
  if (!res.ok) return fail(res, path);
  const text = await res.text();
  if (prev && prev.text === text) {
    prev.etag = res.headers.get('etag') ?? undefined;
    return { value: prev.value as T, changed: false };
  }
  const value = JSON.parse(text) as T;
  cache.set(path, { etag: res.headers.get('etag') ?? undefined, text, value });
  return { value, changed: true };
}

/** A write (POST, PUT, PATCH, DELETE); answers the parsed body, or undefined when there is none. */
export async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await send(method, path, { body });
  if (!res.ok) return fail(res, path);
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** POST with a JSON body. */
export function post<T>(path: string, body?: unknown): Promise<T> {
  return request<T>('POST', path, body ?? {});
}

/** Checks a token before keeping it: one cheap authenticated call. */
export async function verifyToken(token: string): Promise<void> {
  const res = await send('GET', '/v1/clusters?limit=1', { token });
  if (!res.ok) throw new HubProblemError(await problemOf(res));
}

/** The message to show for any error: a hub problem's detail, else the error's message. */
export function describeError(err: unknown): string {
  if (err instanceof HubProblemError) {
    const fields = err.problem.errors?.map((e) => `${e.path}: ${e.message}`) ?? [];
    return fields.length && !fields.some((f) => err.problem.detail.includes(f))
      ? `${err.problem.detail} (${fields.join('; ')})`
      : err.problem.detail;
  }
  return err instanceof Error ? err.message : String(err);
}

/** Lists every item of a collection, following `metadata.continue`; `changed` if any page changed. */
export async function listAll<T>(path: string, query: Record<string, string> = {}): Promise<Fetched<T[]>> {
  const items: T[] = [];
  let changed = false;
  let cont: string | undefined;
  let pages = 0;
  do {
    const params = new URLSearchParams({ ...query, limit: '500', ...(cont ? { continue: cont } : {}) });
    const page = await getJson<{ items: T[]; metadata?: { continue?: string } }>(`${path}?${params}`);
    changed ||= page.changed;
    items.push(...page.value.items);
    cont = page.value.metadata?.continue || undefined;
    pages++;
  } while (cont && pages < 40);
  return { value: items, changed };
}
