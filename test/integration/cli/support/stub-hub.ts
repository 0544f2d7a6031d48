import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { recentEvents } from '../../../../lambdas/capabilities/events/fleet-events.js';
import { applyMergePatch } from '../../../../lambdas/core/merge-patch.js';
import { canonicalHash, canonicalJson } from '../../../../shared/hash.js';
import { matchesSelector, parseSelector } from '../../../../shared/labels.js';
import { parseDocuments } from '../../../../shared/manifests.js';
import { findKind } from '../../../../shared/resources/kinds.js';
import { API_VERSION, isDnsLabel, type Resource } from '../../../../shared/resources/meta.js';
import { StubCompliance, type StubAnswer } from './stub-compliance.js';

/**
 * A small stand-in for the hub's admin API, on 127.0.0.1:0, for the CLI's integration tests.
 * It answers the contract the CLI codes against (paths, auth, lists with continue tokens, apply,
 * cluster actions, problem+json) from memory, and records every request so tests can assert the
 * exact method, path, query, headers and body.
 */

/** One request as the stub saw it. */
export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A canned answer that replaces the stub's own behaviour for matching requests. */
export interface Override {
  status: number;
  body?: unknown;
  contentType?: string;
}

const PLURAL_KIND: Record<string, string> = {
  clusters: 'Cluster',
  clustersets: 'ClusterSet',
  works: 'Work',
  placements: 'Placement',
  fleetdeployments: 'FleetDeployment',
  policies: 'Policy',
  policysets: 'PolicySet',
};

/** The stub hub: start it, seed objects, run the CLI against `url`, inspect `requests`, stop it. */
export class StubHub {
  readonly token = 'test-admin-token';
  readonly requests: RecordedRequest[] = [];
  /** Objects by `plural/name` (or `clusters/<c>/works/<name>`). */
  readonly objects = new Map<string, Resource>();
  /** Items per list page; small so pagination is exercised. */
  pageSize = 2;
  /** Answers keyed by `METHOD /path` that take precedence over the stub's behaviour. */
  readonly overrides = new Map<string, Override>();
  /** Current compliance and history the compliance routes answer from. */
  readonly compliance = new StubCompliance();
  /**
   * Whether GETs carry an ETag and honour If-None-Match as the hub does (objects: the quoted
   * resourceVersion; lists: a weak content hash). Off, the stub plays a hub without ETags.
   */
  etags = true;
  /** Called with each request before it is answered, so a test can change the fleet mid-watch. */
  onRequest?: (r: RecordedRequest) => void;
  private server?: Server;
  private nextVersion = 1;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      void this.handle(req, res);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve, reject) => this.server?.close((err) => (err ? reject(err) : resolve())));
  }

  /** Replaces an object's status (and bumps its resourceVersion), as the hub's status writers do. */
  update(kind: string, name: string, change: { status?: unknown; labels?: Record<string, string>; namespace?: string }): Resource {
    const key = keyOf(kind, name, change.namespace);
    const obj = this.objects.get(key);
    if (!obj) throw new Error(`no ${key} to update`);
    const next: Resource = {
      ...obj,
      metadata: { ...obj.metadata, ...(change.labels ? { labels: change.labels } : {}), resourceVersion: String(this.nextVersion++) },
      ...(change.status !== undefined ? { status: change.status } : {}),
    };
    this.objects.set(key, next);
    return next;
  }

  /** Adds an object as the hub would store it. */
  seed(
    kind: string,
    name: string,
    extra: {
      labels?: Record<string, string>;
      annotations?: Record<string, string>;
      spec?: unknown;
      status?: unknown;
      namespace?: string;
      finalizers?: string[];
    } = {},
  ): Resource {
    const obj: Resource = {
      apiVersion: API_VERSION,
      kind,
      metadata: {
        name,
        ...(extra.namespace ? { namespace: extra.namespace } : {}),
        ...(extra.labels ? { labels: extra.labels } : {}),
        ...(extra.annotations ? { annotations: extra.annotations } : {}),
        uid: `uid-${name}`,
        resourceVersion: String(this.nextVersion++),
        generation: 1,
        creationTimestamp: '2026-11-08T12:00:00Z',
        ...(extra.finalizers ? { finalizers: extra.finalizers } : {}),
      },
      spec: extra.spec ?? {},
      ...(extra.status ? { status: extra.status } : {}),
    };
    this.objects.set(keyOf(kind, name, extra.namespace), obj);
    return obj;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://stub');
    const recorded: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body: Buffer.concat(chunks).toString('utf8'),
    };
    this.requests.push(recorded);
    this.onRequest?.(recorded);
    const override = this.overrides.get(`${recorded.method} ${recorded.path}`);
    if (override) return send(res, override.status, override.body, override.contentType);
    try {
      const [status, body, contentType] = this.route(recorded);
      const tag = this.etags && recorded.method === 'GET' && status === 200 && recorded.path.startsWith('/v1/') ? etagOf(body) : undefined;
      if (tag && matches(recorded.headers['if-none-match'], tag)) return send(res, 304, undefined, undefined, tag);
      send(res, status, body, contentType ?? (status >= 400 ? 'application/problem+json' : 'application/json'), tag);
    } catch (err) {
      send(res, 500, problem(500, 'Internal Server Error', (err as Error).message), 'application/problem+json');
    }
  }

  private route(r: RecordedRequest): StubAnswer {
    if (r.method === 'GET' && r.path === '/healthz') return [200, { status: 'ok', version: '0.1.0-stub' }];
    if (!r.path.startsWith('/v1/')) return [404, problem(404, 'Not Found', `no route for ${r.path}`)];
    const auth = r.headers.authorization;
    if (!auth) return [401, problem(401, 'Unauthorized', 'an admin token is required')];
    if (auth !== `Bearer ${this.token}`) return [403, problem(403, 'Forbidden', 'the token is not valid')];
    const parts = r.path.split('/').slice(2).map(decodeURIComponent);
    if (r.method === 'POST' && parts[0] === 'apply' && parts.length === 1) return this.apply(r);
    if (r.method === 'GET' && parts[0] === 'events' && parts.length === 1) return this.events(r);
    if (r.method === 'GET' && parts[0] === 'compliance' && parts[1] === 'events' && parts.length === 2)
      return this.compliance.history(r.query);
    if (r.method === 'GET' && parts[0] === 'compliance' && parts[1] === 'report' && parts.length === 2)
      return this.compliance.report(r.query);
    if (r.method === 'GET' && parts[0] === 'policies' && parts[2] === 'compliance' && parts.length === 3) {
      if (!this.objects.has(keyOf('Policy', parts[1]))) return [404, problem(404, 'Not Found', `Policy "${parts[1]}" not found`)];
      return this.compliance.policy(parts[1], r.query);
    }
    if (r.method === 'GET' && parts[0] === 'clusters' && parts[2] === 'compliance' && parts.length === 3) {
      if (!this.objects.has(keyOf('Cluster', parts[1]))) return [404, problem(404, 'Not Found', `Cluster "${parts[1]}" not found`)];
      return this.compliance.cluster(parts[1]);
    }
    if (parts[0] === 'clusters' && parts.length === 3 && parts[2] !== 'works') return this.clusterAction(parts[1], parts[2], r);
    if (parts[0] === 'clusters' && parts[2] === 'works') return this.collection('works', parts.slice(3), r, parts[1]);
    return this.collection(parts[0], parts.slice(1), r);
  }

  private collection(plural: string, rest: string[], r: RecordedRequest, namespace?: string): [number, unknown] {
    const kind = PLURAL_KIND[plural];
    if (!kind) return [404, problem(404, 'Not Found', `unknown resource type "${plural}"`)];
    if (rest.length === 0 && r.method === 'GET') {
      const selector = r.query.labelSelector ? parseSelector(r.query.labelSelector) : undefined;
      const all = [...this.objects.values()]
        .filter((o) => o.kind === kind && o.metadata.namespace === namespace && matchesSelector(selector, o.metadata.labels))
        .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
      const start = r.query.continue ? Number(r.query.continue) : 0;
      const size = r.query.limit ? Number(r.query.limit) : this.pageSize;
      const items = all.slice(start, start + size);
      const next = start + size < all.length ? String(start + size) : undefined;
      return [200, { apiVersion: API_VERSION, kind: `${kind}List`, metadata: next ? { continue: next } : {}, items }];
    }
    if (rest.length === 0 && r.method === 'POST') {
      const input = JSON.parse(r.body) as Resource;
      const name = input.metadata?.name;
      if (!isDnsLabel(name ?? '')) {
        return [
          422,
          {
            ...problem(422, 'Unprocessable Entity', `${kind} "${name}" is invalid: metadata.name: name must be a DNS-1123 label`),
            errors: [{ path: 'metadata.name', message: 'name must be a DNS-1123 label' }],
          },
        ];
      }
      if (this.objects.has(keyOf(kind, name, namespace))) return [409, problem(409, 'Conflict', `${kind} "${name}" already exists`)];
      return [201, this.seed(kind, name, { labels: input.metadata.labels, spec: input.spec, namespace })];
    }
    const name = rest[0];
    const key = keyOf(kind, name, namespace);
    const obj = this.objects.get(key);
    if (!obj) return [404, problem(404, 'Not Found', `${kind} "${name}" not found`)];
    if (r.method === 'GET') return [200, obj];
    if (r.method === 'PATCH' || r.method === 'PUT') return this.write(obj, key, r);
    if (r.method === 'DELETE') {
      if (obj.metadata.finalizers?.length)
        return [202, { ...obj, metadata: { ...obj.metadata, deletionTimestamp: '2026-11-10T12:00:00Z' } }];
      this.objects.delete(key);
      return [200, obj];
    }
    return [405, problem(405, 'Method Not Allowed', `${r.method} is not allowed here`)];
  }

  /**
   * PUT (replace labels, annotations and spec) and PATCH (RFC 7396 merge patch of them), as the hub
   * does: conditional on a `metadata.resourceVersion` in the body (409 when stale), status
   * untouched, the version bumped only when something changed, 422 for invalid label keys.
   */
  private write(obj: Resource, key: string, r: RecordedRequest): [number, unknown] {
    const body = JSON.parse(r.body || '{}') as {
      metadata?: { name?: string; resourceVersion?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
      spec?: unknown;
    };
    const expected = body.metadata?.resourceVersion;
    if (expected !== undefined && expected !== obj.metadata.resourceVersion) {
      return [
        409,
        {
          ...problem(
            409,
            'Conflict',
            `${obj.kind} "${obj.metadata.name}" was modified: you sent resourceVersion ${expected}, the current one is ${obj.metadata.resourceVersion}; get it again, re-apply your change and retry`,
          ),
          currentResourceVersion: obj.metadata.resourceVersion,
        },
      ];
    }
    const base = {
      metadata: { name: obj.metadata.name, labels: obj.metadata.labels, annotations: obj.metadata.annotations },
      spec: obj.spec,
    };
    const next = (
      r.method === 'PATCH'
        ? applyMergePatch(base, body)
        : {
            metadata: { name: body.metadata?.name, labels: body.metadata?.labels, annotations: body.metadata?.annotations },
            spec: body.spec ?? {},
          }
    ) as typeof base;
    if (next.metadata.name !== obj.metadata.name)
      return [
        422,
        problem(
          422,
          'Unprocessable Entity',
          `metadata.name "${next.metadata.name}" does not match the name in the path "${obj.metadata.name}"`,
        ),
      ];
    const badKey = Object.keys({ ...next.metadata.labels, ...next.metadata.annotations }).find(
      (k) => !/^([a-z0-9.-]+\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(k),
    );
    if (badKey !== undefined)
      return [
        422,
        {
          ...problem(
            422,
            'Unprocessable Entity',
            `${obj.kind} "${obj.metadata.name}" is invalid: metadata.labels: invalid key "${badKey}"`,
          ),
          errors: [{ path: 'metadata.labels', message: `invalid key "${badKey}"` }],
        },
      ];
    const parsed = findKind(obj.kind)?.spec.safeParse(next.spec ?? {});
    if (parsed && !parsed.success) {
      const errors = parsed.error.issues.map((i) => ({ path: ['spec', ...i.path].join('.'), message: i.message }));
      return [
        422,
        {
          ...problem(422, 'Unprocessable Entity', `${obj.kind} "${obj.metadata.name}" is invalid: ${errors[0].path}: ${errors[0].message}`),
          errors,
        },
      ];
    }
    if (parsed?.success) next.spec = parsed.data;
    const labels = next.metadata.labels && Object.keys(next.metadata.labels).length ? next.metadata.labels : undefined;
    const annotations = next.metadata.annotations && Object.keys(next.metadata.annotations).length ? next.metadata.annotations : undefined;
    const same =
      canonicalJson([obj.spec, obj.metadata.labels ?? {}, obj.metadata.annotations ?? {}]) ===
      canonicalJson([next.spec, labels ?? {}, annotations ?? {}]);
    if (same) return [200, obj];
    const { labels: _l, annotations: _a, ...meta } = obj.metadata;
    const written: Resource = {
      ...obj,
      metadata: {
        ...meta,
        ...(labels ? { labels } : {}),
        ...(annotations ? { annotations } : {}),
        resourceVersion: String(this.nextVersion++),
        generation: obj.metadata.generation + (canonicalJson(obj.spec) === canonicalJson(next.spec) ? 0 : 1),
      },
      spec: next.spec,
    };
    this.objects.set(key, written);
    return [200, written];
  }

  private clusterAction(name: string, action: string, r: RecordedRequest): [number, unknown] {
    let cluster = this.objects.get(keyOf('Cluster', name));
    if (action === 'import') {
      const body = JSON.parse(r.body || '{}') as { labels?: Record<string, string>; autoAccept?: boolean; ttlSeconds?: number };
      cluster ??= this.seed('Cluster', name, { labels: body.labels, spec: { hubAcceptsClient: Boolean(body.autoAccept) } });
      const expires = new Date(Date.parse('2026-11-10T12:00:00Z') + (body.ttlSeconds ?? 86400) * 1000).toISOString();
      return [
        200,
        {
          cluster,
          manifest: `apiVersion: v1\nkind: Secret\nmetadata:\n  name: tether-bootstrap\nstringData:\n  token: boot-${name}\n`,
          command: `curl -sSf ${this.url}/agent/v1/install/${name}?token=boot-${name} | kubectl apply -f -`,
          bootstrapTokenExpiresAt: expires,
        },
      ];
    }
    if (!cluster) return [404, problem(404, 'Not Found', `Cluster "${name}" not found`)];
    const update = (spec: Record<string, unknown>) => {
      cluster = {
        ...cluster!,
        spec: { ...(cluster!.spec as object), ...spec },
        metadata: { ...cluster!.metadata, resourceVersion: String(this.nextVersion++) },
      };
      this.objects.set(keyOf('Cluster', name), cluster);
      return cluster;
    };
    switch (action) {
      case 'accept':
        return [200, update({ hubAcceptsClient: true })];
      case 'deny':
        return [200, update({ hubAcceptsClient: false })];
      case 'detach':
        return [
          200,
          {
            cluster: update({}),
            message: JSON.parse(r.body || '{}').force
              ? 'forced: credentials revoked, nothing cleaned up'
              : 'the agent will clean up and leave',
          },
        ];
      case 'upgrade': {
        const { version } = JSON.parse(r.body) as { version: string };
        return [200, update({ agent: { version } })];
      }
    }
    return [404, problem(404, 'Not Found', `no route for ${r.path}`)];
  }

  /** `GET /v1/events`, derived from the stored objects with the hub's own function. */
  private events(r: RecordedRequest): [number, unknown] {
    const cluster = r.query.cluster;
    const limit = r.query.limit ? Number(r.query.limit) : 100;
    const objects = [...this.objects.values()].filter((o) =>
      cluster ? (o.kind === 'Cluster' && o.metadata.name === cluster) || o.metadata.namespace === cluster : !o.metadata.namespace,
    );
    const all = recentEvents(objects);
    return [200, { kind: 'EventList', items: all.slice(0, limit), total: all.length }];
  }

  private apply(r: RecordedRequest): [number, unknown] {
    const dryRun = r.query.dryRun === 'true';
    let docs: unknown[];
    try {
      docs = parseDocuments(r.body, 'request body');
    } catch (err) {
      return [400, problem(400, 'Bad Request', (err as Error).message)];
    }
    const results = docs.map((d, index) => {
      const doc = d as Partial<Resource>;
      const kind = doc.kind;
      const name = doc.metadata?.name;
      if (!kind || !Object.values(PLURAL_KIND).includes(kind)) {
        return { index, kind, name, action: 'failed', problem: problem(422, 'Unprocessable Entity', `unknown kind "${kind}"`) };
      }
      const taints = (doc.spec as { taints?: Array<{ effect?: string }> } | undefined)?.taints ?? [];
      const bad = taints.findIndex((t) => !['NoSelect', 'PreferNoSelect', 'NoSelectIfNew'].includes(t.effect ?? ''));
      if (bad >= 0 || !isDnsLabel(name ?? '')) {
        const errors =
          bad >= 0
            ? [{ path: `spec.taints.${bad}.effect`, message: 'effect must be one of NoSelect, PreferNoSelect, NoSelectIfNew' }]
            : [{ path: 'metadata.name', message: 'name must be a DNS-1123 label' }];
        return {
          index,
          kind,
          name,
          action: 'failed',
          problem: {
            ...problem(422, 'Unprocessable Entity', `${kind} "${name}" is invalid: ${errors[0].path}: ${errors[0].message}`),
            errors,
          },
        };
      }
      const key = keyOf(kind, name!, doc.metadata?.namespace);
      const existing = this.objects.get(key);
      // The hub stores the spec as its kind's schema parses it (defaults filled in) and compares that.
      const spec = normalSpec(kind, doc.spec);
      const same =
        existing &&
        canonicalJson([normalSpec(kind, existing.spec), existing.metadata.labels ?? {}, existing.metadata.annotations ?? {}]) ===
          canonicalJson([spec, doc.metadata?.labels ?? {}, doc.metadata?.annotations ?? {}]);
      const action = !existing ? 'created' : same ? 'unchanged' : 'configured';
      if (!dryRun && action !== 'unchanged')
        this.seed(kind, name!, {
          labels: doc.metadata?.labels,
          annotations: doc.metadata?.annotations,
          spec,
          namespace: doc.metadata?.namespace,
        });
      return {
        index,
        kind,
        name,
        ...(doc.metadata?.namespace ? { namespace: doc.metadata.namespace } : {}),
        action,
        resourceVersion: this.objects.get(key)?.metadata.resourceVersion,
      };
    });
    const summary: Record<string, number> = {};
    for (const res of results) summary[res.action] = (summary[res.action] ?? 0) + 1;
    return [200, { dryRun, results, summary }];
  }
}

/** A spec as the hub stores it: parsed by the kind's schema when it parses, else as given. */
function normalSpec(kind: string, spec: unknown): unknown {
  const parsed = findKind(kind)?.spec.safeParse(spec ?? {});
  return parsed?.success ? parsed.data : (spec ?? {});
}

function keyOf(kind: string, name: string, namespace?: string): string {
  return namespace ? `${kind}/${namespace}/${name}` : `${kind}/${name}`;
}

function problem(status: number, title: string, detail: string) {
  return { type: `https://tether.dev/problems/${title.toLowerCase().replace(/\s+/g, '-')}`, title, status, detail };
}

/** The hub's ETags: an object's quoted resourceVersion, a list's weak content hash. */
function etagOf(body: unknown): string | undefined {
  const b = body as { items?: unknown; metadata?: { resourceVersion?: string } } | undefined;
  if (Array.isArray(b?.items)) return `W/"${canonicalHash(body).slice(0, 32)}"`;
  return b?.metadata?.resourceVersion ? `"${b.metadata.resourceVersion}"` : undefined;
}

function matches(header: string | string[] | undefined, tag: string): boolean {
  if (typeof header !== 'string') return false;
  const strong = tag.replace(/^W\//, '');
  return header.split(',').some((t) => t.trim().replace(/^W\//, '') === strong);
}

function send(res: ServerResponse, status: number, body: unknown, contentType = 'application/json', etag?: string): void {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    ...(status === 304 ? {} : { 'content-type': contentType, 'content-length': Buffer.byteLength(text) }),
    ...(etag ? { etag } : {}),
  });
  res.end(text);
}
