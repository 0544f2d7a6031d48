import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { HubClient } from '../../../agent/hub-client.js';
import { envFetch } from '../../../agent/transport.js';

/**
 * The agent's HTTPS_PROXY/NO_PROXY support against real servers: an HTTPS hub with a self-signed
 * certificate for `hub.tether.test`, and a forward proxy that tunnels CONNECT to it. The agent
 * never resolves the hub's name itself, so the name needs no DNS entry.
 */

const HOST = 'hub.tether.test';

describe('agent traffic through an HTTP proxy', () => {
  let dir: string;
  let cert: string;
  let hub: https.Server;
  let proxy: http.Server;
  let plain: http.Server;
  let hubPort: number;
  let proxyUrl: string;
  const seen: { method: string; url: string; auth?: string }[] = [];
  const sockets = new Set<net.Socket>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tether-proxy-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        `/CN=${HOST}`,
        '-addext',
        `subjectAltName=DNS:${HOST}`,
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
    hub = https.createServer({ key: readFileSync(join(dir, 'key.pem')), cert }, (req, res) => {
      const body = JSON.stringify({
        path: req.url,
        host: req.headers.host,
        authorization: req.headers.authorization,
        acceptEncoding: req.headers['accept-encoding'],
      });
      // Like the hub: gzip for a client that asks for it (here on every path under /gzip).
      if (req.url?.startsWith('/gzip') && /gzip/.test(req.headers['accept-encoding'] ?? '')) {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        res.end(gzipSync(body));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
    });
    await new Promise<void>((resolve) => hub.listen(0, '127.0.0.1', resolve));
    hubPort = (hub.address() as AddressInfo).port;
    plain = http.createServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ path: req.url, via: 'plain' }));
    });
    await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
    const plainPort = (plain.address() as AddressInfo).port;

    proxy = http.createServer((req, res) => {
      // Absolute-form request for a plain-http target: forward to the plain server.
      seen.push({ method: req.method ?? '', url: req.url ?? '', auth: req.headers['proxy-authorization'] });
      const target = new URL(req.url ?? '/');
      const fwd = http.request({ host: '127.0.0.1', port: plainPort, path: target.pathname, method: req.method }, (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      req.pipe(fwd);
    });
    proxy.on('connect', (req, client: net.Socket, head) => {
      seen.push({ method: 'CONNECT', url: req.url ?? '', auth: req.headers['proxy-authorization'] });
      const upstream = net.connect(hubPort, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
        s.on('error', () => undefined);
      }
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const s of sockets) s.destroy();
    for (const server of [hub, proxy, plain]) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(() => {
    seen.length = 0;
  });

  test('https through HTTPS_PROXY: a CONNECT tunnel, TLS to the hub end to end', async () => {
    const hubFetch = envFetch({ env: { HTTPS_PROXY: proxyUrl }, ca: cert });
    const res = await hubFetch(`https://${HOST}:${hubPort}/agent/v1/desired?x=1`, {
      method: 'GET',
      headers: { authorization: 'Bearer thc_secret' },
    });
    expect(res.status).toBe(200);
    expect(JSON.parse(await res.text())).toEqual({
      path: '/agent/v1/desired?x=1',
      host: `${HOST}:${hubPort}`,
      authorization: 'Bearer thc_secret',
      acceptEncoding: 'gzip',
    });
    // The proxy saw only the authority, never the path or the credential.
    expect(seen).toEqual([{ method: 'CONNECT', url: `${HOST}:${hubPort}`, auth: undefined }]);
  });

  test('a gzipped answer through the tunnel is decompressed, as fetch would', async () => {
    const hubFetch = envFetch({ env: { HTTPS_PROXY: proxyUrl }, ca: cert });
    const res = await hubFetch(`https://${HOST}:${hubPort}/gzip/desired`, { method: 'GET', headers: {} });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(JSON.parse(await res.text())).toEqual({ path: '/gzip/desired', host: `${HOST}:${hubPort}`, acceptEncoding: 'gzip' });
  });

  test('the HubClient works through the proxy, sending proxy credentials from the proxy URL', async () => {
    const withAuth = proxyUrl.replace('http://', 'http://user:p%40ss@');
    const client = new HubClient({ hubUrl: `https://${HOST}:${hubPort}`, fetch: envFetch({ env: { https_proxy: withAuth }, ca: cert }) });
    // The test hub echoes instead of speaking the protocol, so the answer fails validation: it got there.
    await expect(client.desired('thc_x', undefined)).rejects.toThrow(/does not match protocol v1/);
    expect(seen[0].auth).toBe(`Basic ${Buffer.from('user:p@ss').toString('base64')}`);
  });

  test('NO_PROXY sends matching hosts directly', async () => {
    const direct: string[] = [];
    const hubFetch = envFetch({
      env: { HTTPS_PROXY: proxyUrl, NO_PROXY: 'localhost,.tether.test' },
      direct: async (url) => {
        direct.push(url);
        return { status: 204, headers: { get: () => null }, text: async () => '' };
      },
    });
    const res = await hubFetch(`https://${HOST}:${hubPort}/x`, { method: 'GET', headers: {} });
    expect(res.status).toBe(204);
    expect(direct).toEqual([`https://${HOST}:${hubPort}/x`]);
    expect(seen).toEqual([]);
  });

  test('plain http through HTTP_PROXY uses an absolute-form request', async () => {
    const hubFetch = envFetch({ env: { HTTP_PROXY: proxyUrl } });
    const res = await hubFetch('http://hub.tether.test:8080/agent/v1/desired', { method: 'GET', headers: {} });
    expect(JSON.parse(await res.text())).toEqual({ path: '/agent/v1/desired', via: 'plain' });
    expect(seen).toEqual([{ method: 'GET', url: 'http://hub.tether.test:8080/agent/v1/desired', auth: undefined }]);
  });

  test('a proxy that refuses the tunnel is an error naming the proxy, without its password', async () => {
    const refusing = http.createServer();
    refusing.on('connect', (_req, socket: net.Socket) => socket.end('HTTP/1.1 403 Forbidden\r\n\r\n'));
    await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
    const port = (refusing.address() as AddressInfo).port;
    try {
      const hubFetch = envFetch({ env: { HTTPS_PROXY: `http://u:topsecret@127.0.0.1:${port}` } });
      const err = await hubFetch(`https://${HOST}/x`, { method: 'GET', headers: {} }).catch((e) => e);
      expect(err.message).toBe(`proxy http://127.0.0.1:${port} refused CONNECT ${HOST}:443: HTTP 403`);
    } finally {
      refusing.closeAllConnections();
      await new Promise<void>((resolve) => refusing.close(() => resolve()));
    }
  });

  describe('without a proxy (node:http(s), not the global fetch)', () => {
    test('sends method, headers and body, decodes gzip, and reuses the connection', async () => {
      const connections: net.Socket[] = [];
      const got: { method?: string; body: string; type?: string; encoding?: string }[] = [];
      const server = http.createServer((req, res) => {
        let body = '';
        req.on('data', (c: Buffer) => (body += c.toString()));
        req.on('end', () => {
          got.push({ method: req.method, body, type: req.headers['content-type'], encoding: req.headers['accept-encoding'] });
          res.writeHead(201, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'x-answer': 'yes' });
          res.end(gzipSync(JSON.stringify({ echoed: body })));
        });
      });
      server.on('connection', (socket: net.Socket) => connections.push(socket));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const hubFetch = envFetch({ env: {} });
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/agent/v1/status`;
        const first = await hubFetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":1}' });
        const second = await hubFetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":2}' });

        expect([first.status, first.headers.get('x-answer'), await first.text()]).toEqual([201, 'yes', '{"echoed":"{\\"a\\":1}"}']);
        expect(await second.text()).toBe('{"echoed":"{\\"a\\":2}"}');
        expect(got.map((g) => [g.method, g.type, g.encoding])).toEqual([
          ['POST', 'application/json', 'gzip'],
          ['POST', 'application/json', 'gzip'],
        ]);
        expect(connections).toHaveLength(1);
      } finally {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    });

    test('verifies the TLS certificate: the hub reached by an address its certificate does not name is refused', async () => {
      const err = await envFetch({ env: {}, ca: cert })(`https://127.0.0.1:${hubPort}/x`, { method: 'GET', headers: {} }).catch(
        (e: Error) => e,
      );
      expect((err as NodeJS.ErrnoException).code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    });

    test('an aborted request rejects', async () => {
      const err = await envFetch({ env: {} })(`http://127.0.0.1:${hubPort}/x`, {
        method: 'GET',
        headers: {},
        signal: AbortSignal.abort(),
      }).catch((e: Error) => e);
      expect((err as Error).name).toBe('AbortError');
    });
  });
});
