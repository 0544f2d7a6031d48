import { MethodNotAllowedError, RouteNotFoundError } from './problem.js';
import type { HttpRequest, HttpResponse } from './request.js';

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

  add(route: Route<Ctx>): this {
    this.routes.push({ ...route, segments: split(route.pattern) });
    return this;
  }

  list(): readonly Route<Ctx>[] {
    return this.routes;
  }

  match(method: string, path: string): { route: Route<Ctx>; params: Record<string, string> } {
    const parts = split(path);
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

function matchSegments(pattern: string[], parts: string[]): Record<string, string> | undefined {
  if (pattern.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p.startsWith('{') && p.endsWith('}')) {
      let value: string;
      try {
        value = decodeURIComponent(parts[i]);
      } catch {
        return undefined;
      }
      params[p.slice(1, -1)] = value;
    } else if (p !== parts[i]) {
      return undefined;
    }
  }
  return params;
}
