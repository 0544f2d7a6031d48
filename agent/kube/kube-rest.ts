import { request as httpRequest, type IncomingHttpHeaders, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { KubeUnavailableError } from './errors.js';

/**
 * The few REST calls the agent makes to a kube-apiserver, over node:http/node:https. Connection
 * settings (the HTTP agent with TLS material or a proxy tunnel) and credentials (headers, basic
 * auth) come from `authorize`, which the client-node adapter points at
 * `KubeConfig.applyToHTTPSOptions`; this file never imports client-node.
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

/** Sends requests to one API server. */
export class KubeRest {
  private readonly base: string;

  /**
   * @param server The API server URL from the kubeconfig (may carry a path prefix, as behind Rancher).
   * @param timeoutMs Abort any single request after this long.
   */
  constructor(
    readonly server: string,
    private readonly authorize: Authorize,
    private readonly timeoutMs: number,
  ) {
    this.base = server.replace(/\/+$/, '');
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
    const headers: Record<string, string | number> = { accept: 'application/json', ...(options.headers as Record<string, string> | undefined) };
    if (body) {
      headers['content-type'] = req.contentType ?? 'application/json';
      headers['content-length'] = body.length;
    }
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    try {
      return await new Promise<RestAnswer>((resolve, reject) => {
        const outgoing = send(url, { method: req.method, headers, agent: options.agent, auth: options.auth, signal: AbortSignal.timeout(this.timeoutMs) }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: flatHeaders(res.headers), text: Buffer.concat(chunks).toString('utf8') }));
        });
        outgoing.on('error', reject);
        outgoing.end(body);
      });
    } catch (err) {
      throw new KubeUnavailableError(`cannot reach the Kubernetes API server at ${this.server} (${req.target}): ${(err as Error).message}`, undefined, { cause: err });
    }
  }
}
