import { InvalidPathError, MethodNotAllowedError, RouteNotFoundError } from './problem.js';
import type { Verb } from '../../shared/tenancy.js';
import type { HttpRequest, HttpResponse } from './request.js';

/**
 * How a route is authorized (docs/tenancy.md): the verb and kind it acts on, and for routes on one
 * object how to find it, so the admin API can refuse (403) or hide (404) it before the handler
 * runs. Every authenticated admin route must have one: the admin router refuses to add a route
 * without it.
 */
export interface RouteAuthz {
  /** The verb, or a function of the request (the generic routes: by method). */
  verb: Verb;
  /** The kind or pseudo-kind (`AuditRecord`, `ApiToken`, ...), or a function of the request (`{plural}`). */
  kind: string | ((req: HttpRequest) => string);
  /**
   * The one object the route acts on, when it acts on one: checked against the caller's cluster
   * sets before the handler runs (outside them: 404, so names do not leak). An object that does
   * not exist is left to the handler (its own 404).
   */
  object?: (req: HttpRequest) => { name: string; namespace?: string };
  /**
   * `self`: any authenticated caller (whoami, can-i; the answer is about the caller).
   * `perObject`: the handler authorizes each object itself (apply: each document).
   * `unscoped`: only a grant that reaches every cluster will do (tokens, importing a cluster): a
   * grant confined to cluster sets could otherwise mint a wider token or claim another team's cluster.
   */
  mode?: 'self' | 'perObject' | 'unscoped';
}

/** A route handler receives the request with `params` filled from the path pattern. */
export type RouteHandler<Ctx> = (req: HttpRequest, ctx: Ctx) => Promise<HttpResponse>;

export interface Route<Ctx> {
  method: string;
  /** Path pattern with `{param}` segments, e.g. `/v1/{plural}/{name}`. */
  pattern: string;
  handler: RouteHandler<Ctx>;
  /** Routes that need no authentication (health, openapi). */
  public?: boolean;
  /** Short description for the OpenAPI document. */
  summary?: string;
  /** How the route is authorized; required on every non-public admin route. */
  authz?: RouteAuthz;
}

/** Options of a router. */
export interface RouterOptions {
  /** Refuse to add a non-public route without an `authz` descriptor (the admin API). */
  requireAuthz?: boolean;
}

interface Compiled<Ctx> extends Route<Ctx> {
  segments: string[];
}

/**
 * A small path router: exact segments and `{param}` segments, literal segments preferred over
 * params. Unknown paths raise RouteNotFoundError; known paths with another method raise
 * MethodNotAllowedError listing the allowed methods.
 */
export class Router<Ctx> {
  private readonly routes: Compiled<Ctx>[] = [];

  constructor(private readonly options: RouterOptions = {}) {}

  add(route: Route<Ctx>): this {
    if (this.options.requireAuthz && !route.public && !route.authz) {
      throw new Error(`route ${route.method} ${route.pattern} has no authz descriptor: say which verb and kind it needs (docs/tenancy.md)`);
    }
    this.routes.push({ ...route, segments: split(route.pattern) });
    return this;
  }

  list(): readonly Route<Ctx>[] {
    return this.routes;
  }

  match(method: string, path: string): { route: Route<Ctx>; params: Record<string, string> } {
    const parts = split(path);
    checkSegments(parts);
    const candidates: { route: Compiled<Ctx>; params: Record<string, string>; score: number }[] = [];
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts);
      if (params) candidates.push({ route, params, score: route.segments.filter((s) => !s.startsWith('{')).length });
    }
    if (candidates.length === 0) throw new RouteNotFoundError(`no route for ${method} ${path}; see GET /openapi.json for the API`);
    // The most specific path wins first; only then does the method decide (405 rather than a
    // less specific route answering for a path it was not meant for).
    const best = Math.max(...candidates.map((c) => c.score));
    const top = candidates.filter((c) => c.score === best);
    const hit = top.find((c) => c.route.method === method || (method === 'HEAD' && c.route.method === 'GET'));
    if (hit) return { route: hit.route, params: hit.params };
    const allowed = [...new Set(top.map((c) => c.route.method))];
    throw new MethodNotAllowedError(`${method} is not allowed on ${path}; allowed: ${allowed.join(', ')}`, allowed);
  }
}

function split(path: string): string[] {
  return path.split('/').filter((s) => s !== '');
}

/** Longest path segment, decoded: a DNS subdomain's 253 characters (names are at most 63). */
export const MAX_SEGMENT_LENGTH = 253;

/**
 * What a path segment may be once percent-decoded: a name. Letters, digits, `_`, `.`, `-`, `~`,
 * not starting with a dot, so never `.` or `..`, and never a `/` or `\` smuggled in encoded.
 */
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._~-]*$/;

/**
 * Every segment of the path is checked as a name before any route is matched, so that no
 * gateway's handling of dot segments or encodings (`..`, `%2e%2e`, `%2F`, `%00`, ...) can make a
 * request act on another object than the one it names: such a path is a 400, not a lookup.
 * Literal segments pass this check as they are; parameters are further checked by their route.
 */
function checkSegments(parts: string[]): void {
  for (const raw of parts) {
    let value: string;
    try {
      value = decodeURIComponent(raw);
    } catch {
      throw new InvalidPathError(`the path segment "${printable(raw)}" is not valid percent-encoding`);
    }
    if (value.length > MAX_SEGMENT_LENGTH) {
      throw new InvalidPathError(`a path segment is ${value.length} characters long; names have at most ${MAX_SEGMENT_LENGTH}`);
    }
    if (value === '.' || value === '..') throw new InvalidPathError(`the path segment "${value}" is not allowed: name the object itself`);
    if (!SEGMENT.test(value)) {
      throw new InvalidPathError(
        `the path segment "${printable(value)}" is not a valid name: use letters, digits, '-', '_', '.' and '~', not starting with '.'`,
      );
    }
  }
}

/** A segment as it can be shown in a detail: control characters escaped, long values cut. */
function printable(value: string): string {
  const shown = JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value).slice(1, -1);
  return shown;
}

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p.startsWith('{') && p.endsWith('}')) {
      // checkSegments has decoded every segment once already, so this cannot throw.
      params[p.slice(1, -1)] = decodeURIComponent(parts[i]);
    } else if (p !== parts[i]) {
      return undefined;
    }
  }
  return params;
}
