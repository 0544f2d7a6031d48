import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import tls from 'node:tls';
import { gunzipSync } from 'node:zlib';
import { proxyForServer, type ProxyEnv } from './kube/proxy-env.js';

/**
 * How the agent's HTTP requests leave the process: node:http(s), not the global fetch. Node's fetch
 * (undici) ignores HTTPS_PROXY and NO_PROXY, and loading it costs the agent about 18 MiB of RSS
 * (measured for B5, the agent footprint). Requests that must go through a proxy use a CONNECT
 * tunnel for https targets (TLS end to end, the proxy sees only the host name) and an absolute-form
 * request for http targets; the others go straight to the target over Node's keep-alive agents.
 * Which proxy applies is decided exactly as for the Kubernetes API server (`./kube/proxy-env.ts`:
 * Go's rules, loopback never proxied), so one set of variables means the same thing for both.
 */

/** The part of `fetch`'s request options the agent uses. */
export interface FetchInit {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
}

/** The part of a fetch Response the agent reads. */
export interface FetchResponse {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/** A fetch-compatible function; the global fetch is one. */
export type FetchLike = (url: string, init: FetchInit) => Promise<FetchResponse>;

/** Options of {@link envFetch}. */
export interface EnvFetchOptions {
  /** Proxy variables; default process.env. */
  env?: ProxyEnv;
  /** Extra trusted CA certificates (PEM) for https targets reached through a proxy. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** What to use when no proxy applies; default {@link directRequest}. */
  direct?: FetchLike;
}

/**
 * A fetch that honours HTTPS_PROXY, HTTP_PROXY and NO_PROXY, deciding per request.
 *
 * @example
 * const hubFetch = envFetch({ env: process.env });
 * const res = await hubFetch('https://hub.example.com/agent/v1/desired', { method: 'GET', headers: {} });
 */
export function envFetch(options: EnvFetchOptions = {}): FetchLike {
  const env = options.env ?? process.env;
  const direct: FetchLike = options.direct ?? ((url, init) => directRequest(new URL(url), init, options.ca));
  return (url, init) => {
    const proxy = proxyForServer(url, env);
    return proxy ? proxiedRequest(new URL(proxy), new URL(url), init, options.ca) : direct(url, init);
  };
}

/**
 * Sends one request straight to the target and reads the whole answer, asking for gzip as fetch
 * does. The connection goes back to Node's keep-alive pool for the next poll. Redirects are not
 * followed (the hub sends none).
 */
export function directRequest(target: URL, init: FetchInit, ca?: EnvFetchOptions['ca']): Promise<FetchResponse> {
  if (target.protocol !== 'http:' && target.protocol !== 'https:')
    throw new Error(`unsupported URL scheme ${target.protocol}; use http:// or https://`);
  const headers: Record<string, string> = { 'accept-encoding': 'gzip', ...init.headers };
  if (init.body !== undefined) headers['content-length'] = String(Buffer.byteLength(init.body));
  const req =
    target.protocol === 'https:'
      ? https.request(target, { method: init.method, headers, signal: init.signal, ...(ca ? { ca } : {}) })
      : http.request(target, { method: init.method, headers, signal: init.signal });
  return send(req, init.body, { keepAlive: true });
}

/** Sends one request through an HTTP(S) proxy and reads the whole answer. */
export async function proxiedRequest(proxy: URL, target: URL, init: FetchInit, ca?: EnvFetchOptions['ca']): Promise<FetchResponse> {
  if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') {
    throw new Error(`unsupported proxy scheme ${proxy.protocol} in ${redactProxy(proxy)}; use http:// or https://`);
  }
  const proxyHeaders: Record<string, string> = {};
  if (proxy.username) {
    const user = decodeURIComponent(proxy.username);
    const pass = decodeURIComponent(proxy.password);
    proxyHeaders['proxy-authorization'] = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  }
  const proxyPort = Number(proxy.port || (proxy.protocol === 'https:' ? 443 : 80));
  const viaProxy = proxy.protocol === 'https:' ? https.request : http.request;
  // Ask for gzip as fetch does: the hub compresses large answers (a desired state of many works).
  const headers: Record<string, string> = { 'accept-encoding': 'gzip', ...init.headers, host: target.host };
  if (init.body !== undefined) headers['content-length'] = String(Buffer.byteLength(init.body));

  if (target.protocol === 'http:') {
    // Plain http through a proxy: send the absolute URL to the proxy itself.
    const req = viaProxy({
      host: proxy.hostname,
      port: proxyPort,
      method: init.method,
      path: target.href,
      headers: { ...headers, ...proxyHeaders },
      signal: init.signal,
    });
    return send(req, init.body);
  }

  const targetPort = Number(target.port || 443);
  const authority = `${target.hostname}:${targetPort}`;
  const socket = await new Promise<import('node:net').Socket>((resolve, reject) => {
    const connect = viaProxy({
      host: proxy.hostname,
      port: proxyPort,
      method: 'CONNECT',
      path: authority,
      headers: { host: authority, ...proxyHeaders },
      signal: init.signal,
    });
    connect.once('connect', (res, sock) => {
      if (res.statusCode !== 200) {
        sock.destroy();
        reject(new Error(`proxy ${redactProxy(proxy)} refused CONNECT ${authority}: HTTP ${res.statusCode}`));
      } else resolve(sock);
    });
    connect.once('error', reject);
    connect.end();
  });
  const servername = isIP(target.hostname.replace(/^\[|\]$/g, '')) ? undefined : target.hostname;
  const secure = await new Promise<tls.TLSSocket>((resolve, reject) => {
    const s = tls.connect({ socket, servername, ca });
    s.once('secureConnect', () => resolve(s));
    s.once('error', (err) => {
      socket.destroy();
      reject(err);
    });
  });
  const req = https.request({
    host: target.hostname,
    port: targetPort,
    method: init.method,
    path: target.pathname + target.search,
    headers,
    signal: init.signal,
    createConnection: () => secure,
  });
  return send(req, init.body);
}

/** Writes the body, reads the whole answer; the socket is closed afterwards unless `keepAlive` (a pooled connection). */
function send(req: http.ClientRequest, body: string | undefined, options: { keepAlive?: boolean } = {}): Promise<FetchResponse> {
  return new Promise((resolve, reject) => {
    req.once('error', reject);
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.once('error', reject);
      res.once('end', () => {
        const raw = res.headers;
        let text: string;
        try {
          const body = Buffer.concat(chunks);
          text = (raw['content-encoding'] === 'gzip' ? gunzipSync(body) : body).toString('utf8');
        } catch (err) {
          req.socket?.destroy();
          reject(new Error(`the answer said content-encoding gzip but is not valid gzip: ${(err as Error).message}`));
          return;
        }
        resolve({
          status: res.statusCode ?? 0,
          headers: {
            get: (name) => {
              const v = raw[name.toLowerCase()];
              return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
            },
          },
          text: async () => text,
        });
        if (!options.keepAlive) req.socket?.destroy();
      });
    });
    req.end(body);
  });
}

/** The proxy URL without its password, for messages. */
function redactProxy(proxy: URL): string {
  return `${proxy.protocol}//${proxy.host}`;
}
