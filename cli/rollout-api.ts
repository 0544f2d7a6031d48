import type { Command } from 'commander';
import { z } from 'zod';
import { ProblemSchema, type Problem } from '../shared/api.js';
import type { Resource } from '../shared/resources/meta.js';
import type { CliContext } from './context.js';
import { AuthMissingError, HubProblemError, HubResponseError, HubUnreachableError } from './errors.js';

/**
 * The hub's rollout routes (`/v1/fleetdeployments/{name}/status|revisions|pause|...`) as the
 * rollout commands call them, with the same error types as the hub client.
 */

/** The status view the hub serves at `GET /v1/fleetdeployments/{name}/status`. */
const ViewShape = z.looseObject({
  name: z.string(),
  revision: z.number().optional(),
  state: z.string(),
  pausedReason: z.string().optional(),
  summary: z
    .looseObject({
      total: z.number(),
      updated: z.number(),
      applied: z.number(),
      available: z.number(),
      degraded: z.number(),
      failed: z.number(),
      pendingWindow: z.number(),
      templateErrors: z.number().optional(),
    })
    .optional(),
  groups: z.array(
    z.looseObject({
      name: z.string(),
      total: z.number(),
      updated: z.number(),
      available: z.number(),
      failed: z.number(),
      state: z.string(),
      mandatory: z.boolean().optional(),
    }),
  ),
  clusters: z.array(z.looseObject({ cluster: z.string(), reason: z.string(), message: z.string() })),
  clustersOmitted: z.number().optional(),
  conditions: z.array(z.looseObject({ type: z.string(), status: z.string(), message: z.string().optional() })),
  control: z
    .looseObject({ windowOverride: z.looseObject({ reason: z.string(), revision: z.number(), until: z.string().optional() }).optional() })
    .optional(),
});
export type RolloutView = z.infer<typeof ViewShape>;

const LenientProblem = ProblemSchema.extend({ type: z.string().default('about:blank'), detail: z.string().optional() });

/** The few calls rollouts need, with the same error types as the hub client. */
export class RolloutApi {
  constructor(
    private readonly hub: string,
    private readonly token: string,
    private readonly userAgent: string,
    private readonly onRequest?: (line: string) => void,
  ) {}

  /** The status view; `304` (undefined view) when `etag` still matches. */
  async status(name: string, etag?: string): Promise<{ view?: RolloutView; etag?: string }> {
    const res = await this.call(
      'GET',
      `/v1/fleetdeployments/${encodeURIComponent(name)}/status`,
      undefined,
      etag ? { 'if-none-match': etag } : {},
    );
    if (res.status === 304) return { etag };
    const view = ViewShape.safeParse(res.body);
    if (!view.success)
      throw new HubResponseError(
        `unexpected answer to the status of ${name}: ${view.error.issues[0].path.join('.')}: ${view.error.issues[0].message}`,
      );
    return { view: view.data, etag: res.etag };
  }

  /** `GET` of a rollout view under `/v1/fleetdeployments/{name}/` (`revisions`, `revisions/3`). */
  async read(name: string, sub: string): Promise<unknown> {
    return (await this.call('GET', `/v1/fleetdeployments/${encodeURIComponent(name)}/${sub}`)).body;
  }

  /** `POST /v1/fleetdeployments/{name}/{verb}`: answers the FleetDeployment. */
  async action(name: string, verb: string, body: unknown = {}): Promise<Resource> {
    return (await this.call('POST', `/v1/fleetdeployments/${encodeURIComponent(name)}/${verb}`, body)).body as Resource;
  }

  private async call(
    method: string,
    path: string,
    body?: unknown,
    extra: Record<string, string> = {},
  ): Promise<{ status: number; body: unknown; etag?: string }> {
    const url = `${this.hub}${path}`;
    const headers: Record<string, string> = {
      accept: 'application/json, application/problem+json',
      authorization: `Bearer ${this.token}`,
      'user-agent': this.userAgent,
      ...extra,
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const started = Date.now();
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      text = await res.text();
    } catch (err) {
      this.onRequest?.(`${method} ${url} -> failed (${Date.now() - started} ms)`);
      const e = err as { name?: string; message?: string; cause?: { code?: string } };
      throw new HubUnreachableError(
        this.hub,
        e.name === 'TimeoutError' ? 'timed out after 30s' : (e.cause?.code ?? e.message ?? String(err)),
        { cause: err },
      );
    }
    this.onRequest?.(`${method} ${url} -> ${res.status} (${Date.now() - started} ms)`);
    let parsed: unknown;
    try {
      parsed = text.trim() ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!res.ok && res.status !== 304) {
      const p = LenientProblem.safeParse(parsed);
      const problem: Problem = p.success
        ? { ...p.data, detail: p.data.detail ?? p.data.title }
        : {
            type: 'about:blank',
            title: res.statusText || `HTTP ${res.status}`,
            status: res.status,
            detail: `the hub answered ${res.status} ${res.statusText}`.trim(),
          };
      throw new HubProblemError(problem, `${method} ${url}`);
    }
    return { status: res.status, body: parsed, etag: res.headers.get('etag') ?? undefined };
  }
}

/** The rollout API for the configured hub and token. @throws AuthMissingError when either is missing. */
export async function apiFor(ctx: CliContext, cmd: Command): Promise<RolloutApi> {
  const s = await ctx.settings(cmd);
  const missing: Array<'hub' | 'token'> = [];
  if (!s.hub) missing.push('hub');
  if (!s.token) missing.push('token');
  if (missing.length || !s.hub || !s.token) throw new AuthMissingError(missing);
  const paint = ctx.paint(cmd);
  const verbose = Boolean(ctx.flags(cmd).verbose);
  return new RolloutApi(
    s.hub.replace(/\/+$/, ''),
    s.token,
    `tether-cli/${ctx.version}`,
    verbose ? (line) => ctx.io.err(`${paint(line, 'dim')}\n`) : undefined,
  );
}
