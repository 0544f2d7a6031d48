import {
  AbortError,
  ApiException,
  FetchError,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  ServerConfiguration,
  VersionApi,
  createConfiguration,
  type Configuration,
  type KubernetesObject,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';
// Not re-exported by the package index in 1.4.0; the registry is the documented way to plug in serializers.
import { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js';
import { formatSelector } from '../../shared/labels.js';
import { errorFromResponse } from './api-errors.js';
import type { ApplyOptions, ClusterApi, CreateOptions, DeleteOptions, ListQuery, ResourceInfo, ServerVersion } from './cluster-api.js';
import { KubeConfigError, KubeError, KubeUnavailableError, KubeUnknownKindError } from './errors.js';
import { proxyForServer, type ProxyEnv } from './proxy-env.js';
import { conditionOf, describeRef, refOf, splitApiVersion, withoutServerFields, type KubeObject, type ObjectRef } from './types.js';

/**
 * {@link ClusterApi} over a real API server, with @kubernetes/client-node 1.4.0 (the only file that
 * imports it). Server-side apply is `KubernetesObjectApi.patch(..., PatchStrategy.ServerSideApply)`:
 * a discovery GET per apiVersion (cached), then `PATCH <object URL>?fieldManager=...&force=...` with
 * `Content-Type: application/apply-patch+yaml` and a JSON body (JSON is YAML).
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

/**
 * client-node's typed models drop every field they do not know (a field newer than the models, any
 * status detail) and turn timestamps into Dates. For server-side apply a dropped field means the
 * server removes it, so objects cross the wire verbatim: a pass-through serializer is registered per kind.
 */
const verbatim = { serialize: (data: unknown) => data, deserialize: (data: unknown) => data };
const verbatimKinds = new Set<string>();

function keepVerbatim(apiVersion: string, kind: string): void {
  const { group, version } = splitApiVersion(apiVersion);
  for (const k of [kind, `${kind}List`]) {
    const key = `${apiVersion}|${k}`;
    if (verbatimKinds.has(key)) continue;
    try {
      ObjectSerializer.registerModel({ group, version, kind: k }, verbatim);
    } catch {
      // Already registered (e.g. by another copy of this module): the registry is process-wide.
    }
    verbatimKinds.add(key);
  }
}

/** KubernetesObjectApi with its discovery lookup made reachable. */
class ObjectClient extends KubernetesObjectApi {
  static forConfig(configuration: Configuration, kc: KubeConfig): ObjectClient {
    const client = new ObjectClient(configuration);
    client.setDefaultNamespace(kc);
    return client;
  }

  lookup(apiVersion: string, kind: string) {
    return this.resource(apiVersion, kind);
  }
}

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

/** The request shape client-node builds URLs from; an empty namespace means the context's default (namespaced kinds) or none. */
function objectSpec(ref: ObjectRef) {
  return { apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: ref.name, namespace: ref.namespace ?? '' } };
}

/** Our objects are client-node's, with the envelope made required. */
function asClientObject(obj: KubeObject): KubernetesObject {
  return obj as KubernetesObject;
}

function asKubeObject(obj: KubernetesObject): KubeObject {
  return obj as KubeObject;
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
  private readonly objects: ObjectClient;
  private readonly versions: VersionApi;

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
    const timeoutMs = options.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    const configuration = createConfiguration({
      baseServer: new ServerConfiguration(cluster.server, {}),
      authMethods: { default: kc },
      promiseMiddleware: [
        {
          pre: async (ctx: RequestContext) => {
            ctx.setSignal(AbortSignal.timeout(timeoutMs));
            return ctx;
          },
          post: async (rsp: ResponseContext) => rsp,
        },
      ],
    });
    this.objects = ObjectClient.forConfig(configuration, kc);
    this.versions = new VersionApi(configuration);
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
    const target = describeRef(refOf(body));
    await this.requireKind(body.apiVersion, body.kind);
    const applied = await this.call(target, () =>
      this.objects.patch(asClientObject(body), undefined, options.dryRun ? 'All' : undefined, options.fieldManager, options.force, PatchStrategy.ServerSideApply),
    );
    return asKubeObject(applied);
  }

  async create(obj: KubeObject, options: CreateOptions): Promise<KubeObject> {
    const body = withoutServerFields(obj);
    const target = describeRef(refOf(body));
    await this.requireKind(body.apiVersion, body.kind);
    const created = await this.call(target, () => this.objects.create(asClientObject(body), undefined, options.dryRun ? 'All' : undefined, options.fieldManager));
    return asKubeObject(created);
  }

  async get(ref: ObjectRef): Promise<KubeObject | undefined> {
    if (!(await this.knownKind(ref.apiVersion, ref.kind))) return undefined;
    const live = await this.orUndefinedIfMissing(describeRef(ref), () => this.objects.read(objectSpec(ref)));
    return live && asKubeObject(live);
  }

  async list(query: ListQuery): Promise<KubeObject[]> {
    await this.requireKind(query.apiVersion, query.kind);
    const selector = typeof query.labelSelector === 'string' ? query.labelSelector : formatSelector(query.labelSelector);
    const target = `${query.kind} list${query.namespace ? ` in ${query.namespace}` : ''}`;
    const out: KubeObject[] = [];
    let token: string | undefined;
    do {
      const page = (await this.call(target, () =>
        this.objects.list(query.apiVersion, query.kind, query.namespace, undefined, undefined, undefined, undefined, selector || undefined, LIST_PAGE_SIZE, token),
      )) as unknown as { items?: KubeObject[]; metadata?: { continue?: string } };
      for (const item of page.items ?? []) {
        // List items come without apiVersion and kind.
        out.push({ ...item, apiVersion: item.apiVersion ?? query.apiVersion, kind: item.kind ?? query.kind });
      }
      token = page.metadata?.continue || undefined;
    } while (token);
    return out;
  }

  async delete(ref: ObjectRef, options: DeleteOptions = {}): Promise<boolean> {
    if (!(await this.knownKind(ref.apiVersion, ref.kind))) return false;
    const body = options.propagationPolicy ? { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: options.propagationPolicy } : undefined;
    const gone = await this.orUndefinedIfMissing(describeRef(ref), async () => {
      await this.objects.delete(objectSpec(ref), undefined, undefined, undefined, undefined, undefined, body);
      return true;
    });
    return gone === true;
  }

  async discover(apiVersion: string, kind: string): Promise<ResourceInfo | undefined> {
    try {
      const resource = await this.objects.lookup(apiVersion, kind);
      return resource && { namespaced: resource.namespaced, plural: resource.name.split('/')[0] };
    } catch (err) {
      // The whole group/version is not served: the kind is unknown, not the object missing.
      if (err instanceof ApiException && err.code === 404) return undefined;
      throw this.translate(err, `discovery of ${apiVersion}`);
    }
  }

  async isCrdEstablished(name: string): Promise<boolean> {
    const crd = await this.get({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name });
    return conditionOf(crd, 'Established')?.status === 'True';
  }

  async serverVersion(): Promise<ServerVersion> {
    const v = await this.call('the API server version', () => this.versions.getCode());
    return { gitVersion: v.gitVersion, platform: v.platform, major: v.major, minor: v.minor };
  }

  private async knownKind(apiVersion: string, kind: string): Promise<boolean> {
    if (!(await this.discover(apiVersion, kind))) return false;
    keepVerbatim(apiVersion, kind);
    return true;
  }

  private async requireKind(apiVersion: string, kind: string): Promise<void> {
    if (!(await this.knownKind(apiVersion, kind))) throw new KubeUnknownKindError(apiVersion, kind);
  }

  private async call<T>(target: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (err) {
      throw this.translate(err, target);
    }
  }

  private async orUndefinedIfMissing<T>(target: string, request: () => Promise<T>): Promise<T | undefined> {
    try {
      return await request();
    } catch (err) {
      if (err instanceof ApiException && err.code === 404) return undefined;
      throw this.translate(err, target);
    }
  }

  private translate(err: unknown, target: string): unknown {
    if (err instanceof KubeError) return err;
    if (err instanceof ApiException) {
      return errorFromResponse({ status: err.code, body: err.body, headers: err.headers }, target, { cause: err });
    }
    const name = (err as Error | undefined)?.name;
    if (err instanceof FetchError || err instanceof AbortError || name === 'AbortError' || name === 'TimeoutError') {
      return new KubeUnavailableError(`cannot reach the Kubernetes API server at ${this.server} (${target}): ${(err as Error).message}`, undefined, {
        cause: err,
      });
    }
    return err;
  }
}
