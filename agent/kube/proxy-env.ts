import { isIP } from 'node:net';

/**
 * Which proxy, if any, the agent uses to reach the Kubernetes API server, from the conventional
 * environment variables, with the rules Go's net/http (and so kubectl and client-go) applies:
 *
 * - `HTTPS_PROXY` for https servers, `HTTP_PROXY` for http servers (lower-case names also work);
 * - `NO_PROXY` is a comma-separated list of `*`, host names (matching the name and its
 *   subdomains), `.domain` (subdomains only), IP addresses, CIDR ranges, each optionally with `:port`;
 * - `localhost` and loopback addresses are never proxied.
 */

/** Environment variables, as `process.env`. */
export type ProxyEnv = Readonly<Record<string, string | undefined>>;

function envValue(env: ProxyEnv, name: string): string | undefined {
  const v = env[name] ?? env[name.toLowerCase()];
  return v && v.trim() !== '' ? v.trim() : undefined;
}

/** The proxy URL for requests to `serverUrl`, or undefined to connect directly. */
export function proxyForServer(serverUrl: string, env: ProxyEnv): string | undefined {
  const url = new URL(serverUrl);
  const proxy = envValue(env, url.protocol === 'https:' ? 'HTTPS_PROXY' : 'HTTP_PROXY');
  if (!proxy) return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || isLoopback(host)) return undefined;
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  if (bypassesProxy(host, port, envValue(env, 'NO_PROXY'))) return undefined;
  return proxy.includes('://') ? proxy : `http://${proxy}`;
}

/** Does a `NO_PROXY` list exempt this host and port? */
export function bypassesProxy(host: string, port: string, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  for (const raw of noProxy.split(',')) {
    let entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    const portMatch = isIP(entry) ? null : /^(.+):(\d+)$/.exec(entry);
    if (portMatch) {
      if (portMatch[2] !== port) continue;
      entry = portMatch[1];
    }
    entry = entry.replace(/^\[|\]$/g, '');
    if (entry.includes('/')) {
      if (inCidr(host, entry)) return true;
      continue;
    }
    if (isIP(entry)) {
      if (entry === host) return true;
      continue;
    }
    if (entry.startsWith('.')) {
      if (host.endsWith(entry)) return true;
      continue;
    }
    if (host === entry || host.endsWith(`.${entry}`)) return true;
  }
  return false;
}

function isLoopback(host: string): boolean {
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

function inCidr(host: string, cidr: string): boolean {
  const [range, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  if (isIP(host) !== 4 || isIP(range) !== 4 || !Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  const toInt = (ip: string) => ip.split('.').reduce((n, part) => (n << 8) + Number(part), 0) >>> 0;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (toInt(host) & mask) === (toInt(range) & mask);
}
