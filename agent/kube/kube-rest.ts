import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { KubeUnavailableError } from './errors.js';

/**
 * The few REST calls the agent makes to a kube-apiserver, over node:http/node:https. Connection
 * settings (TLS material, or an HTTP agent that tunnels through a proxy) and credentials (headers,
 * basic auth) come from `authorize` before every request, which the client-node adapter points at
 * `KubeConfig.applyToHTTPSOptions`; this file never imports client-node. Without a proxy, requests
 * share keep-alive connections: a reconcile of 100 resources is then not 100 TCP (and TLS) handshakes.
 */

/** Fills request options with the agent, headers and auth of the current kubeconfig context. */
export type Authorize = (options: RequestOptions) => Promise<void>;

/** One request. `body` is sent as JSON text with `contentType`. */
export interface RestRequest {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Absolute API path, e.g. `/apis/apps/v1/namespaces/shop/deployments/web`. */
  path: string;
  /** Query parameters in this order; undefined values are left out. */
  query?: ReadonlyArray<readonly [string, string | undefined]>;
  body?: unknown;
  /** Default `application/json` when there is a body. */
  contentType?: string;
  /** What the request is about, for error messages: `Deployment shop/web`. */
  target: string;
}

/** The server's answer, any status. */
export interface RestAnswer {
  status: number;
  headers: Record<string, string>;
  text: string;
}

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

/** The TLS settings `authorize` leaves in the request options; a pooled agent is reused while they stay the same. */
const TLS_FIELDS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const;

function sameValue(a: unknown, b: unknown): boolean {
  return Buffer.isBuffer(a) && Buffer.isBuffer(b) ? a.equals(b) : a === b;
}

/** Options of {@link KubeRest}. */
export interface KubeRestOptions {
  /** Abort any single request after this long. */
  timeoutMs: number;
  /**
   * Keep connections alive between requests on an agent of our own, built from the TLS settings
   * `authorize` gives (rebuilt when they change). False: use the agent `authorize` gives for each
   * request (a proxy tunnel, which is not pooled).
   */
  keepAlive: boolean;
}

/** Sends requests to one API server. */
export class KubeRest {
  private readonly base: string;
  private pooled?: { agent: HttpAgent; tls: Partial<Record<(typeof TLS_FIELDS)[number], unknown>> };

  /**
   * @param server The API server URL from the kubeconfig (may carry a path prefix, as behind Rancher).
   */
  constructor(
    readonly server: string,
    private readonly authorize: Authorize,
    private readonly options: KubeRestOptions,
  ) {
    this.base = server.replace(/\/+$/, '');
  }

  /** The keep-alive agent for these TLS settings: the pooled one while they are unchanged. */
  private agentFor(secure: boolean, options: RequestOptions & Partial<Record<(typeof TLS_FIELDS)[number], unknown>>): HttpAgent {
    const tls = Object.fromEntries(TLS_FIELDS.map((f) => [f, options[f]]));
    if (this.pooled && TLS_FIELDS.every((f) => sameValue(this.pooled!.tls[f], tls[f]))) return this.pooled.agent;
    this.pooled?.agent.destroy();
    const settings = Object.fromEntries(Object.entries(tls).filter(([, v]) => v !== undefined));
    const agent = secure ? new HttpsAgent({ ...settings, keepAlive: true }) : new HttpAgent({ keepAlive: true });
    this.pooled = { agent, tls };
    return agent;
  }

  /**
   * Sends the request and reads the whole answer.
   * @throws KubeUnavailableError when the server cannot be reached or the request times out.
   */
  async send(req: RestRequest): Promise<RestAnswer> {
    const url = new URL(this.base + req.path);
    for (const [name, value] of req.query ?? []) if (value !== undefined) url.searchParams.append(name, value);
    const options: RequestOptions = {};
    await this.authorize(options);
    const body = req.body === undefined ? undefined : Buffer.from(JSON.stringify(req.body));
    const headers: Record<string, string | number> = {
      accept: 'application/json',
      ...(options.headers as Record<string, string> | undefined),
    };
    if (body) {
      headers['content-type'] = req.contentType ?? 'application/json';
      headers['content-length'] = body.length;
    }
    const secure = url.protocol === 'https:';
    const send = secure ? httpsRequest : httpRequest;
    const agent = this.options.keepAlive ? this.agentFor(secure, options) : options.agent;
    try {
      return await new Promise<RestAnswer>((resolve, reject) => {
        const outgoing = send(
          url,
          { method: req.method, headers, agent, auth: options.auth, signal: AbortSignal.timeout(this.options.timeoutMs) },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('error', reject);
            res.on('end', () =>
              resolve({ status: res.statusCode ?? 0, headers: flatHeaders(res.headers), text: Buffer.concat(chunks).toString('utf8') }),
            );
          },
        );
        outgoing.on('error', reject);
        outgoing.end(body);
      });
    } catch (err) {
      throw new KubeUnavailableError(
        `cannot reach the Kubernetes API server at ${this.server} (${req.target}): ${(err as Error).message}`,
        undefined,
        { cause: err },
      );
    }
  }
}
