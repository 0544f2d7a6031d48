import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { matchesFieldTerms, parseFieldSelector } from '../../agent/kube/field-selector.js';
import { applyMergePatch } from '../../agent/kube/merge-patch.js';
import type { KubeObject } from '../../agent/kube/types.js';
import { matchesSelector, parseSelector } from '../../shared/labels.js';

/**
 * A stand-in kube-apiserver for contract tests: records every request exactly as received and
 * answers the way the real one does (discovery documents, objects with server-owned metadata,
 * `Status` objects for errors, paginated lists). It also acts as an HTTP CONNECT proxy (as hpagent,
 * client-node's proxy agent, tunnels every request) and serves the tunnelled requests itself.
 * Listens on 127.0.0.1, port 0.
 *
 * Used by the adapter's contract tests (test/integration/agent/kube) and by bench B5, which runs a
 * real agent process against it (`tether agent --kubeconfig`).
 */

export interface RecordedRequest {
  method: string;
  /** The request target as received: a path, or an absolute URL when sent through a proxy. */
  rawUrl: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Canned {
  method: string;
  path: string;
  status: number;
  body: unknown;
  headers: Record<string, string>;
  hang: boolean;
}

type ApiResource = { name: string; namespaced: boolean; kind: string; verbs: string[] };

const VERBS = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];
const r = (name: string, kind: string, namespaced: boolean): ApiResource => ({ name, kind, namespaced, verbs: VERBS });

/** Discovery documents, as the real server lists them (subresources included, after their parent). */
const DISCOVERY: Record<string, ApiResource[]> = {
  v1: [
    r('configmaps', 'ConfigMap', true),
    r('pods', 'Pod', true),
    r('namespaces', 'Namespace', false),
    r('namespaces/status', 'Namespace', false),
    r('nodes', 'Node', false),
    r('secrets', 'Secret', true),
    r('serviceaccounts', 'ServiceAccount', true),
  ],
  'apps/v1': [r('deployments', 'Deployment', true), r('deployments/scale', 'Scale', true), r('deployments/status', 'Deployment', true)],
  'apiextensions.k8s.io/v1': [r('customresourcedefinitions', 'CustomResourceDefinition', false)],
};

/** A Kubernetes `Status` failure body. */
export function statusBody(code: number, reason: string, message: string, details?: Record<string, unknown>): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

export class StubApiServer {
  readonly requests: RecordedRequest[] = [];
  /** Objects by path, e.g. `/apis/apps/v1/namespaces/shop/deployments/web`. */
  readonly objects = new Map<string, Record<string, unknown>>();
  /** Extra discovery documents (e.g. a CRD's group once "installed"). */
  readonly discovery: Record<string, ApiResource[]> = { ...DISCOVERY };
  /** Page size cap, to exercise pagination. */
  pageSize = Infinity;
  /** TCP connections accepted (tunnelled ones included). */
  connections = 0;
  private readonly canned: Canned[] = [];
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private revision = 100;
  /** Who owns each field of each object (see {@link StubApiServer.applyConflicts}). */
  private readonly owners = new Map<string, Map<string, string>>();

  constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://stub.invalid');
        const recorded: RecordedRequest = {
          method: req.method ?? '',
          rawUrl: req.url ?? '',
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        };
        this.requests.push(recorded);
        this.handle(recorded, res);
      });
    });
    this.server.on('connection', (socket: Socket) => {
      this.connections++;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    // Act as an HTTP CONNECT proxy too: record the tunnel, then serve the tunnelled requests ourselves.
    this.server.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
      this.requests.push({
        method: 'CONNECT',
        rawUrl: req.url ?? '',
        path: req.url ?? '',
        query: new URLSearchParams(),
        headers: req.headers,
        body: '',
      });
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) socket.unshift(head);
      this.server.emit('connection', socket);
    });
  }

  /** Starts listening; resolves to the base URL. */
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this.url;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The next request with this method and path gets this answer instead (or never an answer, with `hang`); a Buffer body is sent verbatim. */
  answerNext(
    method: string,
    path: string,
    status: number,
    body: unknown,
    options: { headers?: Record<string, string>; hang?: boolean } = {},
  ): void {
    this.canned.push({ method, path, status, body, headers: options.headers ?? {}, hang: options.hang ?? false });
  }

  /** Requests other than discovery, for asserting the calls that matter. */
  get calls(): RecordedRequest[] {
    return this.requests.filter((q) => !(q.method === 'GET' && this.isDiscoveryPath(q.path)));
  }

  private isDiscoveryPath(path: string): boolean {
    return /^\/api\/v1$/.test(path) || /^\/apis\/[^/]+\/[^/]+$/.test(path);
  }

  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    // A Buffer goes out as is (e.g. an HTML error page from a proxy in front of the server).
    res.end(Buffer.isBuffer(body) ? body : JSON.stringify(body));
  }

  private handle(q: RecordedRequest, res: ServerResponse): void {
    const i = this.canned.findIndex((c) => c.method === q.method && c.path === q.path);
    if (i >= 0) {
      const [c] = this.canned.splice(i, 1);
      if (!c.hang) this.send(res, c.status, c.body, c.headers);
      return;
    }
    if (q.method === 'GET' && q.path === '/version') {
      this.send(res, 200, {
        major: '1',
        minor: '33',
        gitVersion: 'v1.33.1-eks-7308294',
        gitCommit: 'abc',
        gitTreeState: 'clean',
        buildDate: '2026-05-01T00:00:00Z',
        goVersion: 'go1.24.3',
        compiler: 'gc',
        platform: 'linux/arm64',
      });
      return;
    }
    const groupVersion = /^\/api\/(v1)$/.exec(q.path)?.[1] ?? /^\/apis\/([^/]+\/[^/]+)$/.exec(q.path)?.[1];
    if (q.method === 'GET' && groupVersion) {
      const resources = this.discovery[groupVersion];
      if (!resources) this.send(res, 404, statusBody(404, 'NotFound', 'the server could not find the requested resource', {}));
      else this.send(res, 200, { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources });
      return;
    }
    this.handleObject(q, res);
  }

  private handleObject(q: RecordedRequest, res: ServerResponse): void {
    const m = /^\/(?:api\/(v1)|apis\/([^/]+\/[^/]+))(?:\/namespaces\/([^/]+))?\/([^/]+)(?:\/([^/]+))?(\/status)?$/.exec(q.path);
    if (!m) return this.send(res, 404, statusBody(404, 'NotFound', 'the server could not find the requested resource'));
    const [, core, group, namespace, plural, name, statusSubresource] = m;
    const groupVersion = core ?? group;
    const notFound = () => this.send(res, 404, statusBody(404, 'NotFound', `${plural} "${name}" not found`, { name, kind: plural }));
    if (!name && q.method === 'GET') return this.list(q, res, groupVersion, plural, namespace);
    if (!name && q.method === 'POST') {
      const obj = JSON.parse(q.body) as { metadata: { name: string } };
      const path = `${q.path}/${obj.metadata.name}`;
      if (this.objects.has(path)) {
        return this.send(
          res,
          409,
          statusBody(409, 'AlreadyExists', `${plural} "${obj.metadata.name}" already exists`, { name: obj.metadata.name, kind: plural }),
        );
      }
      return this.send(res, 201, this.store(path, obj, q.query.get('fieldManager') ?? '', 'Update'));
    }
    if (statusSubresource) return this.handleStatus(q, res, q.path.slice(0, -'/status'.length), notFound);
    const existing = this.objects.get(q.path);
    switch (q.method) {
      case 'GET':
        return existing ? this.send(res, 200, existing) : notFound();
      case 'PATCH':
        if (q.headers['content-type'] === 'application/merge-patch+json') {
          // A merge patch needs the object; it merges (RFC 7386) and records an Update.
          if (!existing) return notFound();
          const merged = applyMergePatch(existing, JSON.parse(q.body)) as Record<string, unknown>;
          return this.send(res, 200, this.store(q.path, merged, q.query.get('fieldManager') ?? '', 'Update'));
        }
        {
          const manager = q.query.get('fieldManager') ?? '';
          const body = JSON.parse(q.body) as Record<string, unknown>;
          const conflicts = existing && q.query.get('force') !== 'true' ? this.applyConflicts(q.path, existing, body, manager) : [];
          if (conflicts.length > 0) {
            return this.send(
              res,
              409,
              statusBody(
                409,
                'Conflict',
                `Apply failed with ${conflicts.length} conflict${conflicts.length > 1 ? 's' : ''}: ${conflicts.map((c) => `conflict with "${c.owner}": ${c.field}`).join('; ')}`,
                {
                  name,
                  kind: plural,
                  causes: conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.owner}"`, field: c.field })),
                },
              ),
            );
          }
          return this.send(res, existing ? 200 : 201, this.store(q.path, body, manager, 'Apply'));
        }
      case 'DELETE':
        if (!existing) return notFound();
        this.objects.delete(q.path);
        this.owners.delete(q.path);
        return this.send(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { name, kind: plural } });
    }
    this.send(res, 405, statusBody(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'));
  }

  /**
   * The fields an apply by `manager` would take from another manager with a different value, as the
   * real server's 409 lists them (ownership tracked per map key, e.g. `.data.k`, and per label and
   * annotation; lists and deeper fields as a whole).
   */
  private applyConflicts(
    path: string,
    existing: Record<string, unknown>,
    body: Record<string, unknown>,
    manager: string,
  ): { owner: string; field: string }[] {
    const owners = this.owners.get(path) ?? new Map<string, string>();
    const live = fieldValues(existing);
    const out: { owner: string; field: string }[] = [];
    for (const [field, value] of fieldValues(body)) {
      const owner = owners.get(field);
      if (owner !== undefined && owner !== manager && live.has(field) && live.get(field) !== value) out.push({ owner, field });
    }
    return out;
  }

  /** The status subresource: GET, and an apply patch that sets the status of an existing object (recorded under the manager for `status`). */
  private handleStatus(q: RecordedRequest, res: ServerResponse, path: string, notFound: () => void): void {
    const existing = this.objects.get(path);
    if (!existing) return notFound();
    if (q.method === 'GET') return this.send(res, 200, existing);
    if (q.method !== 'PATCH')
      return this.send(res, 405, statusBody(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'));
    const body = JSON.parse(q.body) as { status?: unknown };
    const meta = existing.metadata as Record<string, unknown>;
    const stored = {
      ...existing,
      metadata: {
        ...meta,
        resourceVersion: String(++this.revision),
        managedFields: [
          ...((meta.managedFields as unknown[]) ?? []),
          {
            manager: q.query.get('fieldManager') ?? '',
            operation: 'Apply',
            apiVersion: existing.apiVersion,
            time: '2026-11-01T10:00:00Z',
            fieldsType: 'FieldsV1',
            fieldsV1: { 'f:status': {} },
            subresource: 'status',
          },
        ],
      },
      status: body.status,
    };
    this.objects.set(path, stored);
    this.send(res, 200, stored);
  }

  private store(path: string, obj: Record<string, unknown>, manager: string, operation: string): Record<string, unknown> {
    const previous = this.objects.get(path);
    const owners = this.owners.get(path) ?? new Map<string, string>();
    if (!previous) owners.clear();
    for (const field of fieldValues(obj).keys()) owners.set(field, manager);
    this.owners.set(path, owners);
    const meta = obj.metadata as Record<string, unknown>;
    const prevMeta = (previous?.metadata ?? {}) as Record<string, unknown>;
    // Managers accumulate (one entry each) as on a real server; the fieldsV1 are not modelled.
    const others = ((prevMeta.managedFields ?? []) as { manager: string }[]).filter((e) => e.manager !== manager);
    const stored = {
      ...obj,
      metadata: {
        ...meta,
        uid: prevMeta.uid ?? `uid-${this.revision}`,
        resourceVersion: String(++this.revision),
        creationTimestamp: prevMeta.creationTimestamp ?? '2026-11-01T10:00:00Z',
        managedFields: [
          ...others,
          {
            manager,
            operation,
            apiVersion: obj.apiVersion,
            time: '2026-11-01T10:00:00Z',
            fieldsType: 'FieldsV1',
            fieldsV1: { 'f:metadata': {} },
          },
        ],
      },
      status: previous?.status ?? { observedGeneration: 1, someFutureField: { nested: true } },
    };
    this.objects.set(path, stored);
    return stored;
  }

  private list(q: RecordedRequest, res: ServerResponse, groupVersion: string, plural: string, namespace: string | undefined): void {
    // Label selectors with the real grammar (equality, sets, existence); field selectors on
    // metadata.name and metadata.namespace, which the real server supports for every kind.
    const selectorText = q.query.get('labelSelector');
    const fieldText = q.query.get('fieldSelector');
    let selector: ReturnType<typeof parseSelector> | undefined;
    let fields: ReturnType<typeof parseFieldSelector> = [];
    try {
      selector = selectorText ? parseSelector(selectorText) : undefined;
      fields = fieldText ? parseFieldSelector(fieldText, plural) : [];
    } catch (err) {
      return this.send(res, 400, statusBody(400, 'BadRequest', (err as Error).message));
    }
    const all = [...this.objects.entries()]
      .filter(([path, o]) => {
        const meta = o.metadata as { namespace?: string; labels?: Record<string, string> };
        const sameKind = path.split('/').at(-2) === plural && o.apiVersion === groupVersion;
        return (
          sameKind &&
          (!namespace || meta.namespace === namespace) &&
          matchesSelector(selector, meta.labels) &&
          matchesFieldTerms(fields, o as unknown as KubeObject)
        );
      })
      .sort(([a], [b]) => a.localeCompare(b))
      // Real list items carry no apiVersion or kind.
      .map(([, o]) => ({ ...o, apiVersion: undefined, kind: undefined }));
    const limit = Math.min(Number(q.query.get('limit') ?? Infinity), this.pageSize);
    const start = Number(q.query.get('continue') ?? 0);
    const page = all.slice(start, start + limit);
    const next = start + limit < all.length ? String(start + limit) : undefined;
    const kind = this.discovery[groupVersion]?.find((d) => d.name === plural)?.kind ?? 'Unknown';
    this.send(res, 200, {
      kind: `${kind}List`,
      apiVersion: groupVersion,
      metadata: { resourceVersion: String(this.revision), ...(next ? { continue: next } : {}) },
      items: page,
    });
  }
}

/** Field paths of an applied configuration, at the depth the stub tracks ownership: `.data.k`, `.spec.x`, `.metadata.labels.app`. */
function fieldValues(obj: Record<string, unknown>): Map<string, string> {
  const out = new Map<string, string>();
  const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  for (const [k, v] of Object.entries(obj)) {
    if (['apiVersion', 'kind', 'status'].includes(k)) continue;
    if (k === 'metadata') {
      for (const field of ['labels', 'annotations']) {
        const m = (isMap(v) ? v[field] : undefined) as Record<string, unknown> | undefined;
        for (const [key, value] of Object.entries(m ?? {})) out.set(`.metadata.${field}.${key}`, JSON.stringify(value));
      }
    } else if (isMap(v)) for (const [child, value] of Object.entries(v)) out.set(`.${k}.${child}`, JSON.stringify(value));
    else out.set(`.${k}`, JSON.stringify(v));
  }
  return out;
}
