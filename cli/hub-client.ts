import { z } from 'zod';
import { AuditEventSchema, type AuditEvent } from '../shared/tenancy.js';
import { ApplyResponseSchema, ProblemSchema, type ApplyResponse, type Problem } from '../shared/api.js';
import type { KindInfo } from '../shared/resources/kinds.js';
import type { Resource } from '../shared/resources/meta.js';
import { AuthMissingError, HubProblemError, HubResponseError, HubUnreachableError, UsageError } from './errors.js';

export { AuthMissingError, HubProblemError, HubResponseError, HubUnreachableError } from './errors.js';

/**
 * A small typed client of the hub's admin API (docs/architecture.md, "At the HTTP edge"), built on fetch.
 *
 * It knows paths, auth and error shapes, nothing about output. Every failure is a named error:
 * {@link HubProblemError} (the hub answered with an error status), {@link HubUnreachableError}
 * (no answer at all), {@link AuthMissingError} (no token to send), {@link HubResponseError}
 * (an answer of the wrong shape).
 */

/** Options of {@link HubClient}. */
export interface HubClientOptions {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:8080`. */
  hub: string;
  /** Admin token sent as `Authorization: Bearer`; required for every `/v1` call. */
  token?: string;
  /** Per-request timeout; 30 s by default. */
  timeoutMs?: number;
  /** Sent as `User-Agent`. */
  userAgent?: string;
  /** Called once per request with a line like `GET http://.../v1/clusters -> 200 (4 ms)` (for `-v`). */
  onRequest?: (line: string) => void;
}

/** Where a resource lives: the owning cluster of namespaced kinds (Work). */
export interface Scope {
  cluster?: string;
}

/** Query of a list call. */
export interface ListQuery extends Scope {
  /** Label selector in its string form, already validated. */
  labelSelector?: string;
  limit?: number;
  continue?: string;
}

/** One page of `GET /v1/{plural}`. */
export interface ResourceList {
  apiVersion: string;
  kind: string;
  metadata: { continue?: string };
  items: Resource[];
}

/**
 * Answer of a conditional read (`If-None-Match`): `notModified` when the hub answered 304, else the
 * fresh value. `etag` is what to send next time (the previous one again after a 304 without one).
 */
export type Conditional<T> = { notModified: true; etag?: string } | { notModified: false; value: T; etag?: string };

/** Answer of `POST /v1/clusters/{name}/import`. */
export interface ImportResponse {
  cluster: Resource;
  /** The YAML manifest to apply on the spoke cluster; it carries a bootstrap token. */
  manifest: string;
  /** A one-line shell command that installs the agent. */
  command: string;
  bootstrapTokenExpiresAt: string;
}

/** Body of `POST /v1/clusters/{name}/import`. */
export interface ImportRequest {
  labels?: Record<string, string>;
  autoAccept?: boolean;
  ttlSeconds?: number;
}

/** Result of a delete: 200 means gone, 202 means finalisation was queued. */
export interface DeleteResult {
  status: number;
  object?: Resource;
}

const ResourceShape = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: z.looseObject({ name: z.string() }),
});
const ListShape = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: z.looseObject({ continue: z.string().optional() }).optional(),
  items: z.array(ResourceShape),
});
const AuditListShape = z.looseObject({
  metadata: z.looseObject({ continue: z.string().optional() }).optional(),
  items: z.array(AuditEventSchema),
});
const LenientProblem = ProblemSchema.extend({ type: z.string().default('about:blank'), detail: z.string().optional() });
const HealthShape = z.looseObject({ status: z.string(), version: z.string().optional() });
const ImportShape = z.looseObject({
  cluster: ResourceShape,
  manifest: z.string(),
  command: z.string(),
  bootstrapTokenExpiresAt: z.string(),
});
const DetachShape = z.looseObject({ cluster: ResourceShape, message: z.string() });

interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Raw body text sent as is (apply); `body` is JSON-encoded otherwise. */
  rawBody?: string;
  contentType?: string;
  /** `/healthz` needs no token. */
  auth?: boolean;
  /** Sent as `If-None-Match`; a 304 answer is then returned rather than thrown. */
  ifNoneMatch?: string;
  /** The answer is a document of its own (a CSV or HTML report): returned as text, not parsed as JSON. */
  text?: boolean;
}

interface HubAnswer {
  status: number;
  body: unknown;
  etag?: string;
  contentType?: string;
}

/** A document the hub renders (a compliance report), exactly as it sent it. */
export interface TextAnswer {
  contentType: string;
  body: string;
}

/** The hub's admin API. One instance per command run. */
export class HubClient {
  readonly hub: string;
  private readonly token?: string;
  private readonly timeoutMs: number;
  private readonly userAgent: string;
  private readonly onRequest?: (line: string) => void;

  constructor(options: HubClientOptions) {
    this.hub = options.hub;
    this.token = options.token;
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.userAgent = options.userAgent ?? 'tether-cli';
    this.onRequest = options.onRequest;
  }

  /** `GET /healthz`: liveness and the hub's version. Sends no token. */
  async health(): Promise<{ status: string; version?: string }> {
    const answer = await this.request('GET', '/healthz', { auth: false });
    return this.shaped(HealthShape, answer.body, 'GET /healthz');
  }

  /** One page of the audit trail (`GET /v1/audit`), newest first. */
  async auditPage(query: Record<string, string | number | undefined>): Promise<{ items: AuditEvent[]; continue?: string }> {
    const answer = await this.request('GET', '/v1/audit', { query });
    const page = this.shaped(AuditListShape, answer.body, 'GET /v1/audit');
    return { items: page.items, ...(page.metadata?.continue ? { continue: page.metadata.continue } : {}) };
  }

  /** One page of `GET /v1/{plural}` (or `/v1/clusters/{cluster}/{plural}` for namespaced kinds). */
  async list(info: KindInfo, query: ListQuery = {}): Promise<ResourceList> {
    const answer = await this.request('GET', collectionPath(info, query.cluster), {
      query: { labelSelector: query.labelSelector || undefined, limit: query.limit, continue: query.continue },
    });
    const page = this.shaped(ListShape, answer.body, `GET ${collectionPath(info, query.cluster)}`);
    return {
      apiVersion: page.apiVersion,
      kind: page.kind,
      metadata: { continue: page.metadata?.continue || undefined },
      items: page.items as unknown as Resource[],
    };
  }

  /**
   * One page of a list, conditionally: the hub answers 304 when the page's content still has the
   * ETag it sent last time, which costs the watcher neither the transfer nor the parse.
   */
  async listIfChanged(info: KindInfo, query: ListQuery, etag: string | undefined): Promise<Conditional<ResourceList>> {
    const path = collectionPath(info, query.cluster);
    const answer = await this.request('GET', path, {
      query: { labelSelector: query.labelSelector || undefined, limit: query.limit, continue: query.continue },
      ifNoneMatch: etag,
    });
    if (answer.status === 304) return { notModified: true, etag: answer.etag ?? etag };
    const page = this.shaped(ListShape, answer.body, `GET ${path}`);
    const value: ResourceList = {
      apiVersion: page.apiVersion,
      kind: page.kind,
      metadata: { continue: page.metadata?.continue || undefined },
      items: page.items as unknown as Resource[],
    };
    return { notModified: false, value, etag: answer.etag };
  }

  /** `GET /v1/{plural}/{name}` with `If-None-Match` (the hub's ETag of an object is its quoted resourceVersion). */
  async getIfChanged(info: KindInfo, name: string, scope: Scope, etag: string | undefined): Promise<Conditional<Resource>> {
    const path = objectPath(info, name, scope.cluster);
    const answer = await this.request('GET', path, { ifNoneMatch: etag });
    if (answer.status === 304) return { notModified: true, etag: answer.etag ?? etag };
    const value = this.resource(answer, `GET ${path}`);
    return {
      notModified: false,
      value,
      etag: answer.etag ?? (value.metadata.resourceVersion ? `"${value.metadata.resourceVersion}"` : undefined),
    };
  }

  /** Every item of a list, following `metadata.continue` page by page. */
  async listAll(info: KindInfo, query: Omit<ListQuery, 'continue'> = {}): Promise<Resource[]> {
    const items: Resource[] = [];
    const seen = new Set<string>();
    let next: string | undefined;
    do {
      const page = await this.list(info, { ...query, continue: next });
      items.push(...page.items);
      next = page.metadata.continue;
      if (next !== undefined) {
        // A hub that hands back a token it already gave would otherwise loop forever.
        if (seen.has(next)) throw new HubResponseError(`the hub returned the same continue token twice while listing ${info.plural}`);
        seen.add(next);
      }
    } while (next !== undefined);
    return items;
  }

  /** `GET /v1/{plural}/{name}`. */
  async get(info: KindInfo, name: string, scope: Scope = {}): Promise<Resource> {
    const path = objectPath(info, name, scope.cluster);
    return this.resource(await this.request('GET', path), `GET ${path}`);
  }

  /** `POST /v1/{plural}`: creates the object. */
  async create(info: KindInfo, object: unknown, scope: Scope = {}): Promise<Resource> {
    const path = collectionPath(info, scope.cluster);
    return this.resource(await this.request('POST', path, { body: object }), `POST ${path}`);
  }

  /**
   * `PATCH /v1/{plural}/{name}` with an RFC 7396 merge patch. A `metadata.resourceVersion` in the
   * patch makes the write conditional: the hub answers 409 when the object changed meanwhile.
   */
  async patch(info: KindInfo, name: string, patch: Record<string, unknown>, scope: Scope = {}): Promise<Resource> {
    const path = objectPath(info, name, scope.cluster);
    return this.resource(await this.request('PATCH', path, { body: patch, contentType: 'application/merge-patch+json' }), `PATCH ${path}`);
  }

  /**
   * `PUT /v1/{plural}/{name}`: replaces labels, annotations and spec, conditional on the object's
   * `metadata.resourceVersion` when it carries one (409 when the object changed meanwhile).
   */
  async replace(info: KindInfo, name: string, object: unknown, scope: Scope = {}): Promise<Resource> {
    const path = objectPath(info, name, scope.cluster);
    return this.resource(await this.request('PUT', path, { body: object }), `PUT ${path}`);
  }

  /**
   * `GET` of a read-only view the hub serves besides resources (rollout revisions, events), checked
   * against `schema`. `path` starts with `/v1/` and is already encoded.
   */
  async read<S extends z.ZodType>(path: string, schema: S, query: Record<string, string | number | undefined> = {}): Promise<z.infer<S>> {
    return this.shaped(schema, (await this.request('GET', path, { query })).body, `GET ${path}`);
  }

  /**
   * `GET` of a document the hub renders in a format of its own (CSV, HTML), returned unparsed with
   * its content type; error answers are problems as everywhere else. `path` is already encoded.
   */
  async readText(path: string, query: Record<string, string | number | undefined> = {}): Promise<TextAnswer> {
    const answer = await this.request('GET', path, { query, text: true });
    return { contentType: answer.contentType ?? 'application/octet-stream', body: answer.body as string };
  }

  /** `GET /v1/auth/config` (public): the OIDC issuer and public client id when the hub has single sign-on, else `{}`. */
  async authConfig(): Promise<{ oidc?: { issuer: string; clientId: string; scopes?: string; usernamePrefix?: string } }> {
    const answer = await this.request('GET', '/v1/auth/config', { auth: false });
    return (answer.body ?? {}) as { oidc?: { issuer: string; clientId: string; scopes?: string; usernamePrefix?: string } };
  }

  /** `DELETE /v1/{plural}/{name}`: 200 with the deleted object, or 202 when finalisation is queued. */
  async delete(info: KindInfo, name: string, scope: Scope = {}): Promise<DeleteResult> {
    const answer = await this.request('DELETE', objectPath(info, name, scope.cluster));
    const parsed = ResourceShape.safeParse(answer.body);
    return { status: answer.status, object: parsed.success ? (parsed.data as unknown as Resource) : undefined };
  }

  /** A route with an answer of its own shape (tokens, auth), parsed with `schema`. */
  async call<S extends z.ZodType>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    schema: S,
    init: { body?: unknown; query?: Record<string, string | number | undefined> } = {},
  ): Promise<z.infer<S>> {
    return this.shaped(schema, (await this.request(method, path, init)).body, `${method} ${path}`);
  }

  /** `POST /v1/apply[?dryRun=true]` with a multi-document YAML or JSON body. */
  async apply(body: string, options: { contentType: string; dryRun?: boolean }): Promise<ApplyResponse> {
    const answer = await this.request('POST', '/v1/apply', {
      rawBody: body,
      contentType: options.contentType,
      query: { dryRun: options.dryRun ? 'true' : undefined },
    });
    return this.shaped(ApplyResponseSchema, answer.body, 'POST /v1/apply');
  }

  /** `POST /v1/clusters/{name}/import`: the import manifest and one-line command. */
  async importCluster(name: string, request: ImportRequest): Promise<ImportResponse> {
    const path = `/v1/clusters/${enc(name)}/import`;
    const answer = await this.request('POST', path, { body: request });
    return this.shaped(ImportShape, answer.body, `POST ${path}`) as unknown as ImportResponse;
  }

  /** `POST /v1/clusters/{name}/accept`: opens the acceptance gate. */
  async acceptCluster(name: string): Promise<Resource> {
    return this.clusterAction(name, 'accept');
  }

  /** `POST /v1/clusters/{name}/deny`: closes the gate and revokes credentials. */
  async denyCluster(name: string): Promise<Resource> {
    return this.clusterAction(name, 'deny');
  }

  /** `POST /v1/clusters/{name}/detach` with `{force?}`. */
  async detachCluster(name: string, force: boolean): Promise<{ cluster: Resource; message: string }> {
    const path = `/v1/clusters/${enc(name)}/detach`;
    const answer = await this.request('POST', path, { body: force ? { force: true } : {} });
    return this.shaped(DetachShape, answer.body, `POST ${path}`) as unknown as { cluster: Resource; message: string };
  }

  /** `POST /v1/clusters/{name}/upgrade` with `{version}`: the desired agent version. */
  async upgradeCluster(name: string, version: string): Promise<Resource> {
    const path = `/v1/clusters/${enc(name)}/upgrade`;
    return this.resource(await this.request('POST', path, { body: { version } }), `POST ${path}`);
  }

  private async clusterAction(name: string, action: 'accept' | 'deny'): Promise<Resource> {
    const path = `/v1/clusters/${enc(name)}/${action}`;
    return this.resource(await this.request('POST', path), `POST ${path}`);
  }

  private resource(answer: HubAnswer, what: string): Resource {
    return this.shaped(ResourceShape, answer.body, what) as unknown as Resource;
  }

  private shaped<S extends z.ZodType>(schema: S, body: unknown, what: string): z.infer<S> {
    const r = schema.safeParse(body);
    if (!r.success) {
      const issue = r.error.issues[0];
      throw new HubResponseError(`unexpected answer to ${what}: ${issue.path.join('.') || '(root)'}: ${issue.message}`, { cause: r.error });
    }
    return r.data;
  }

  private async request(method: string, path: string, options: RequestOptions = {}): Promise<HubAnswer> {
    const url = new URL(this.hub + path);
    for (const [k, v] of Object.entries(options.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = {
      accept: options.text ? '*/*' : 'application/json, application/problem+json',
      'user-agent': this.userAgent,
    };
    if (options.ifNoneMatch) headers['if-none-match'] = options.ifNoneMatch;
    if (options.auth !== false) {
      if (!this.token) throw new AuthMissingError(['token']);
      headers.authorization = `Bearer ${this.token}`;
    }
    let body: string | undefined;
    if (options.rawBody !== undefined) {
      body = options.rawBody;
      headers['content-type'] = options.contentType ?? 'application/yaml';
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = options.contentType ?? 'application/json';
    }
    const started = Date.now();
    let response: Response;
    try {
      response = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      this.onRequest?.(`${method} ${url} -> failed (${Date.now() - started} ms)`);
      throw new HubUnreachableError(this.hub, this.failureReason(err), { cause: err });
    }
    let text: string;
    try {
      text = await response.text();
    } catch (err) {
      throw new HubUnreachableError(this.hub, `the connection broke while reading the answer: ${this.failureReason(err)}`, { cause: err });
    }
    this.onRequest?.(`${method} ${url} -> ${response.status} (${Date.now() - started} ms)`);
    const etag = response.headers.get('etag') ?? undefined;
    if (response.status === 304 && options.ifNoneMatch) return { status: 304, body: undefined, etag };
    // A rendered document is returned as sent; parsing a large report as JSON would only waste time.
    if (options.text && response.ok)
      return { status: response.status, body: text, etag, contentType: response.headers.get('content-type') ?? undefined };
    const parsed = parseJson(text);
    if (!response.ok) {
      throw new HubProblemError(problemOf(response, parsed, text), `${method} ${url}`);
    }
    if (parsed === undefined && text.trim() !== '') {
      throw new HubResponseError(
        `the hub answered ${method} ${path} with something that is not JSON (content-type ${response.headers.get('content-type') ?? 'none'})`,
      );
    }
    return { status: response.status, body: parsed, etag };
  }

  private failureReason(err: unknown): string {
    const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    if (e?.name === 'TimeoutError') return `timed out after ${Math.round(this.timeoutMs / 1000)}s`;
    return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
  }
}

/** `/v1/{plural}`, or `/v1/clusters/{cluster}/{plural}` for namespaced kinds. */
export function collectionPath(info: KindInfo, cluster?: string): string {
  if (!info.namespaced) return `/v1/${info.plural}`;
  if (!cluster) throw new UsageError(`${info.plural} belong to a cluster: pass --cluster NAME`);
  return `/v1/clusters/${enc(cluster)}/${info.plural}`;
}

/** `/v1/{plural}/{name}`, scoped to the cluster for namespaced kinds. */
export function objectPath(info: KindInfo, name: string, cluster?: string): string {
  return `${collectionPath(info, cluster)}/${enc(name)}`;
}

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The hub's problem, or one made up from the status when the body is not a problem (e.g. a proxy's HTML page). */
function problemOf(response: Response, parsed: unknown, text: string): Problem {
  // RFC 9457 makes every member optional; accept a problem that has at least a title and a status.
  const r = LenientProblem.safeParse(parsed);
  if (r.success) return { ...r.data, detail: r.data.detail ?? r.data.title };
  const snippet = text.replace(/\s+/g, ' ').trim().slice(0, 200);
  const title = response.statusText || `HTTP ${response.status}`;
  return {
    type: 'about:blank',
    title,
    status: response.status,
    detail: snippet ? `the hub answered ${response.status} ${title}: ${snippet}` : `the hub answered ${response.status} ${title}`,
  };
}
