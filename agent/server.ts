import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The agent's health and metrics endpoint: `/healthz` (the process is alive), `/readyz` (joined,
 * and a successful poll recently) and `/metrics` (Prometheus text). Read-only, no secrets, no body
 * parsing: anything else is 404.
 */

/** What the server asks the agent. */
export interface HealthSource {
  /** Whether the agent holds a credential. */
  joined(): boolean;
  /** Milliseconds since the epoch of the last successful poll, or undefined. */
  lastSuccessfulPollMs(): number | undefined;
  /** The current poll interval. */
  pollIntervalMs(): number;
  /** Prometheus text. */
  metrics(): string;
  /** Now, in epoch milliseconds. */
  now(): number;
}

/** A running health server. */
export interface HealthServer {
  /** `http://host:port`. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * The listen address when none is given: all interfaces in a cluster (the kubelet probes the pod
 * IP), loopback elsewhere. A simulated agent takes any free port (its start line prints it), so
 * several can run side by side on one machine; a real one keeps the fixed 8081 its probes expect.
 */
export function defaultHealthAddr(mode: 'in-cluster' | 'kubeconfig' | 'simulate'): string {
  if (mode === 'in-cluster') return '0.0.0.0:8081';
  return mode === 'simulate' ? '127.0.0.1:0' : '127.0.0.1:8081';
}

/** Splits `host:port` (`[::1]:8081` for IPv6). */
export function parseHostPort(addr: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(addr.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new Error(`"${addr}" is not host:port (e.g. 127.0.0.1:8081)`);
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

/** Readiness: joined, and the last successful poll no older than three poll intervals. */
export function isReady(source: HealthSource): { ready: boolean; reason: string } {
  if (!source.joined()) return { ready: false, reason: 'not joined yet' };
  const last = source.lastSuccessfulPollMs();
  if (last === undefined) return { ready: false, reason: 'no successful poll yet' };
  const age = source.now() - last;
  const limit = 3 * source.pollIntervalMs();
  if (age > limit)
    return { ready: false, reason: `last successful poll ${Math.round(age / 1000)} s ago (limit ${Math.round(limit / 1000)} s)` };
  return { ready: true, reason: 'ok' };
}

/** Starts the server and resolves once it listens. */
export async function startHealthServer(source: HealthSource, host: string, port: number): Promise<HealthServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'text/plain; charset=utf-8', 'method not allowed\n');
    if (path === '/healthz') return send(200, 'text/plain; charset=utf-8', 'ok\n');
    if (path === '/readyz') {
      const r = isReady(source);
      return send(r.ready ? 200 : 503, 'text/plain; charset=utf-8', `${r.reason}\n`);
    }
    if (path === '/metrics') return send(200, 'text/plain; version=0.0.4; charset=utf-8', source.metrics());
    send(404, 'text/plain; charset=utf-8', 'not found: try /healthz, /readyz or /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const shownHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${shownHost}:${addr.port}`,
    port: addr.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
