// Only the kubeconfig module of client-node: loading, contexts, auth plugins (token files, exec,
// OIDC, cloud providers), TLS material and proxies. Not the package index, which brings the
// generated API and model classes and undici; the agent uses none of them, and agent/build.ts
// keeps them out of the bundle too (bench B5: about 8 MiB of RSS for the generated classes).
import { KubeConfig } from '@kubernetes/client-node/dist/config.js';
import { formatSelector } from '../../shared/labels.js';
import { errorFromResponse } from './api-errors.js';
import type {
  ApplyOptions,
  ClusterApi,
  CreateOptions,
  DeleteOptions,
  ListQuery,
  MergePatchOptions,
  ResourceInfo,
  ServerVersion,
} from './cluster-api.js';
import { KubeConfigError, KubeRequestError, KubeUnknownKindError } from './errors.js';
import { KubeRest, type RestAnswer, type RestRequest } from './kube-rest.js';
import { proxyForServer, type ProxyEnv } from './proxy-env.js';
import { conditionOf, describeRef, refOf, splitApiVersion, withoutServerFields, type KubeObject, type ObjectRef } from './types.js';

/**
 * {@link ClusterApi} over a real API server. @kubernetes/client-node 2.0.1 (this is the only file
 * that imports it) supplies the kubeconfig: its `KubeConfig` resolves the context, credentials, TLS
 * and proxy for every request (`applyToHTTPSOptions`). The requests themselves are the few REST
 * calls the agent needs ({@link KubeRest}), with objects crossing the wire verbatim:
 *
 * - discovery: `GET /api/v1` or `/apis/<group>/<version>` once per apiVersion (cached; fetched
 *   again when a kind is not in the cached list, e.g. a CRD installed since);
 * - server-side apply: `PATCH <object URL>?fieldManager=...&force=...` with
 *   `Content-Type: application/apply-patch+yaml` and a JSON body (JSON is YAML);
 * - JSON merge patch: `PATCH <object URL>?fieldManager=...` with `Content-Type: application/merge-patch+json`;
 * - create (`POST` to the collection), get, list (`labelSelector`, `fieldSelector`, `limit` and
 *   `continue` pages), delete (with a
 *   `DeleteOptions` body naming the propagation policy) and `GET /version`.
 */

/** Options of the adapter. */
export interface KubeClientAdapterOptions {
  /** Abort any single request after this long. Default 30 s. */
  requestTimeoutMs?: number;
  /** Where HTTPS_PROXY, HTTP_PROXY and NO_PROXY are read from. Default `process.env`. */
  env?: ProxyEnv;
}

const LIST_PAGE_SIZE = 500;
const DEFAULT_TIMEOUT_MS = 30_000;

type ApiResource = { name: string; namespaced: boolean; kind: string };

function withEnvProxy(kc: KubeConfig, env: ProxyEnv): KubeConfig {
  const cluster = kc.getCurrentCluster();
  if (!cluster || cluster.proxyUrl) return kc;
  const proxyUrl = proxyForServer(cluster.server, env);
  if (!proxyUrl) return kc;
  const copy = new KubeConfig();
  copy.loadFromOptions({
    clusters: kc.clusters.map((c) => (c === cluster ? { ...c, proxyUrl } : c)),
    users: kc.users,
    contexts: kc.contexts,
    currentContext: kc.currentContext,
  });
  return copy;
}

/** The path of an apiVersion: `/api/v1` for the core group, `/apis/<group>/<version>` otherwise. */
function apiVersionPath(apiVersion: string): string {
  const { group, version } = splitApiVersion(apiVersion);
  return group ? `/apis/${group}/${version}` : `/api/${version}`;
}

function parseJson<T>(answer: RestAnswer): T {
  return (answer.text ? JSON.parse(answer.text) : {}) as T;
}

/**
 * The agent's ClusterApi against a real cluster.
 *
 * @example
 * const api = KubeClientAdapter.inCluster();
 * await api.apply(manifest, { fieldManager: TETHER_FIELD_MANAGER, force: false });
 */
export class KubeClientAdapter implements ClusterApi {
  /** The API server URL requests go to. */
  readonly server: string;
  private readonly rest: KubeRest;
  /** Where namespaced objects without a namespace go: the context's namespace, else `default`. */
  private readonly defaultNamespace: string;
  /** Discovery documents by apiVersion. */
  private readonly resources = new Map<string, ApiResource[]>();

  /**
   * Builds the adapter from a loaded KubeConfig (its current context). HTTPS_PROXY/NO_PROXY from
   * `options.env` apply when the kubeconfig's cluster has no `proxy-url` of its own.
   * @throws KubeConfigError when the kubeconfig has no current cluster.
   */
  constructor(kubeConfig: KubeConfig, options: KubeClientAdapterOptions = {}) {
    const kc = withEnvProxy(kubeConfig, options.env ?? process.env);
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new KubeConfigError(`kubeconfig context "${kc.getCurrentContext()}" names no cluster`);
    this.server = cluster.server;
    this.defaultNamespace = kc.getContextObject(kc.getCurrentContext())?.namespace || 'default';
    // A proxy (kubeconfig proxy-url or the environment's) needs client-node's tunnelling agent, made per request.
    this.rest = new KubeRest(cluster.server, (opts) => kc.applyToHTTPSOptions(opts), {
      timeoutMs: options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS,
      keepAlive: !cluster.proxyUrl,
    });
  }

  /**
   * From a kubeconfig file, or without `path` from the usual places (`$KUBECONFIG`, `~/.kube/config`,
   * then the in-cluster service account).
   * @throws KubeConfigError when the file cannot be read or parsed.
   */
  static fromKubeconfig(path?: string, options?: KubeClientAdapterOptions): KubeClientAdapter {
    const kc = new KubeConfig();
    try {
      if (path) kc.loadFromFile(path);
      else kc.loadFromDefault();
    } catch (err) {
      throw new KubeConfigError(`cannot load kubeconfig ${path ?? '(default locations)'}: ${(err as Error).message}`, { cause: err });
    }
    return new KubeClientAdapter(kc, options);
  }

  /**
   * From the pod's service account (KUBERNETES_SERVICE_HOST/PORT, the mounted token and CA).
   * @throws KubeConfigError when not running in a pod.
   */
  static inCluster(options?: KubeClientAdapterOptions): KubeClientAdapter {
    if (!process.env.KUBERNETES_SERVICE_HOST || !process.env.KUBERNETES_SERVICE_PORT) {
      throw new KubeConfigError('not running in a Kubernetes pod: KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are not set');
    }
    const kc = new KubeConfig();
    kc.loadFromCluster();
    return new KubeClientAdapter(kc, options);
  }

  async apply(obj: KubeObject, options: ApplyOptions): Promise<KubeObject> {
    const body = withoutServerFields(obj);
    const ref = refOf(body);
    const path = this.objectPath(ref, await this.requireKind(body.apiVersion, body.kind));
    return this.applyPatch(path, body, options, describeRef(ref));
  }

  async applyStatus(obj: KubeObject, options: ApplyOptions): Promise<KubeObject> {
    const ref = refOf(obj);
    const path = `${this.objectPath(ref, await this.requireKind(obj.apiVersion, obj.kind))}/status`;
    const body = {
      apiVersion: obj.apiVersion,
      kind: obj.kind,
      metadata: { name: obj.metadata.name, ...(obj.metadata.namespace ? { namespace: obj.metadata.namespace } : {}) },
      status: obj.status,
    };
    return this.applyPatch(path, body, options, `${describeRef(ref)} status`);
  }

  /** A server-side apply PATCH of `body` at `path` (the object, or its status subresource). */
  private applyPatch(path: string, body: unknown, options: ApplyOptions, target: string): Promise<KubeObject> {
    const query = [
      ['dryRun', options.dryRun ? 'All' : undefined],
      ['fieldManager', options.fieldManager],
      ['force', String(options.force)],
    ] as const;
    return this.expect<KubeObject>({ method: 'PATCH', path, query, body, contentType: 'application/apply-patch+yaml', target });
  }

  async create(obj: KubeObject, options: CreateOptions): Promise<KubeObject> {
    const body = withoutServerFields(obj);
    const ref = refOf(body);
    const info = await this.requireKind(body.apiVersion, body.kind);
    const query = [
      ['dryRun', options.dryRun ? 'All' : undefined],
      ['fieldManager', options.fieldManager],
    ] as const;
    return this.expect<KubeObject>({
      method: 'POST',
      path: this.collectionPath(body.apiVersion, info, this.namespaceOf(ref, info)),
      query,
      body,
      target: describeRef(ref),
    });
  }

  async mergePatch(ref: ObjectRef, patch: Record<string, unknown>, options: MergePatchOptions): Promise<KubeObject> {
    const path = this.objectPath(ref, await this.requireKind(ref.apiVersion, ref.kind));
    return this.expect<KubeObject>({
      method: 'PATCH',
      path,
      query: [['fieldManager', options.fieldManager]],
      body: patch,
      contentType: 'application/merge-patch+json',
      target: describeRef(ref),
    });
  }

  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    const info = await this.discover(ref.apiVersion, ref.kind);
    if (!info) return undefined;
    const answer = await this.rest.send({ method: 'GET', path: this.objectPath(ref, info), target: describeRef(ref) });
    if (answer.status === 404) return undefined;
    return this.ok<KubeObject>(answer, describeRef(ref));
  }

  async list(query: ListQuery): Promise<KubeObject[]> {
    const info = await this.requireKind(query.apiVersion, query.kind);
    const selector = typeof query.labelSelector === 'string' ? query.labelSelector : formatSelector(query.labelSelector);
    const target = `${query.kind} list${query.namespace ? ` in ${query.namespace}` : ''}`;
    const path = this.collectionPath(query.apiVersion, info, info.namespaced ? query.namespace : undefined);
    const out: KubeObject[] = [];
    let token: string | undefined;
    do {
      const params = [
        ['labelSelector', selector || undefined],
        ['fieldSelector', query.fieldSelector || undefined],
        ['limit', String(LIST_PAGE_SIZE)],
        ['continue', token],
      ] as const;
      const page = await this.expect<{ items?: KubeObject[]; metadata?: { continue?: string } }>({
        method: 'GET',
        path,
        query: params,
        target,
      });
      for (const item of page.items ?? []) {
        // List items come without apiVersion and kind.
        out.push({ ...item, apiVersion: item.apiVersion ?? query.apiVersion, kind: item.kind ?? query.kind });
      }
      token = page.metadata?.continue || undefined;
    } while (token);
    return out;
  }

  async delete(ref: ObjectRef, options: DeleteOptions = {}): Promise<boolean> {
    const info = await this.discover(ref.apiVersion, ref.kind);
    if (!info) return false;
    const body = options.propagationPolicy
      ? { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: options.propagationPolicy }
      : undefined;
    const answer = await this.rest.send({ method: 'DELETE', path: this.objectPath(ref, info), body, target: describeRef(ref) });
    if (answer.status === 404) return false;
    this.ok(answer, describeRef(ref));
    return true;
  }

  async discover(apiVersion: string, kind: string): Promise<ResourceInfo | undefined> {
    const find = (list: ApiResource[] | undefined) => list?.find((r) => r.kind === kind && !r.name.includes('/'));
    let resource = find(this.resources.get(apiVersion));
    if (!resource) {
      const target = `discovery of ${apiVersion}`;
      const answer = await this.rest.send({ method: 'GET', path: apiVersionPath(apiVersion), target });
      // The whole group/version is not served: the kind is unknown, not the object missing.
      if (answer.status === 404) return undefined;
      const list = this.ok<{ resources?: ApiResource[] }>(answer, target).resources ?? [];
      this.resources.set(apiVersion, list);
      resource = find(list);
    }
    return resource && { namespaced: resource.namespaced, plural: resource.name };
  }

  async isCrdEstablished(name: string): Promise<boolean> {
    const crd = await this.get({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name });
    return conditionOf(crd, 'Established')?.status === 'True';
  }

  async serverVersion(): Promise<ServerVersion> {
    const v = await this.expect<ServerVersion>({ method: 'GET', path: '/version', target: 'the API server version' });
    return { gitVersion: v.gitVersion, platform: v.platform, major: v.major, minor: v.minor };
  }

  private async requireKind(apiVersion: string, kind: string): Promise<ResourceInfo> {
    const info = await this.discover(apiVersion, kind);
    if (!info) throw new KubeUnknownKindError(apiVersion, kind);
    return info;
  }

  private namespaceOf(ref: ObjectRef, info: ResourceInfo): string | undefined {
    return info.namespaced ? ref.namespace || this.defaultNamespace : undefined;
  }

  private collectionPath(apiVersion: string, info: ResourceInfo, namespace: string | undefined): string {
    return `${apiVersionPath(apiVersion)}${namespace ? `/namespaces/${encodeURIComponent(namespace)}` : ''}/${info.plural}`;
  }

  private objectPath(ref: ObjectRef, info: ResourceInfo): string {
    return `${this.collectionPath(ref.apiVersion, info, this.namespaceOf(ref, info))}/${encodeURIComponent(ref.name)}`;
  }

  /** Sends the request; a 2xx answer's JSON body, else the named error. */
  private async expect<T>(req: RestRequest): Promise<T> {
    return this.ok<T>(await this.rest.send(req), req.target);
  }

  private ok<T>(answer: RestAnswer, target: string): T {
    if (answer.status < 200 || answer.status > 299)
      throw errorFromResponse({ status: answer.status, body: answer.text, headers: answer.headers }, target);
    try {
      return parseJson<T>(answer);
    } catch (err) {
      throw new KubeRequestError(
        `the API server answered ${answer.status} on ${target} with a body that is not JSON: ${answer.text.slice(0, 200)}`,
        answer.status,
        { cause: err },
      );
    }
  }
}
