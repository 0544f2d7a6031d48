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
    let best: { route: Compiled<Ctx>; params: Record<string, string>; score: number } | undefined;
    const allowed = new Set<string>();
    for (const route of this.routes) {
      const params = matchSegments(route.segments, parts);
      if (!params) continue;
      allowed.add(route.method);
      if (route.method !== method && !(method === 'HEAD' && route.method === 'GET')) continue;
      const score = route.segments.filter((s) => !s.startsWith('{')).length;
      if (!best || score > best.score) best = { route, params, score };
    }
    if (best) return { route: best.route, params: best.params };
    if (allowed.size) {
      throw new MethodNotAllowedError(`${method} is not allowed on ${path}; allowed: ${[...allowed].join(', ')}`, [...allowed]);
    }
    throw new RouteNotFoundError(`no route for ${method} ${path}; see GET /openapi.json for the API`);
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
