import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { PROBLEM_BASE } from '../../shared/api.js';
import { MAX_BODY_BYTES } from '../http/request.js';

/** A Lambda handler for API Gateway HTTP API (payload format 2.0) events. */
export type HttpLambda = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/** Where a request goes: the first route whose prefix matches the path. */
export interface GatewayRoute {
  prefix: string;
  functionName: string;
  handler: HttpLambda;
}

/** A fake Lambda context, enough for middy and Powertools. */
export function lambdaContext(functionName: string): Context {
  const deadline = Date.now() + 30_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * Translates a node:http request into the API Gateway v2 event that Lambda would receive, with
 * the same header, query and base64 rules, so the same handler functions serve local and AWS.
 */
export function toApiGatewayEvent(req: IncomingMessage, body: Buffer, sourceIp: string): APIGatewayProxyEventV2 {
  const { path: rawPath, search } = splitTarget(req.url ?? '/');
  const url = new URL(`http://local/${search}`);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v === undefined) continue;
    headers[k.toLowerCase()] = Array.isArray(v) ? v.join(',') : v;
  }
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = query[k] !== undefined ? `${query[k]},${v}` : v;
  const textual = /^(application\/(json|yaml|x-yaml|merge-patch\+json|problem\+json)|text\/)/i.test(
    headers['content-type'] ?? 'application/json',
  );
  const method = (req.method ?? 'GET').toUpperCase();
  const now = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    isBase64Encoded: !textual && body.length > 0,
    body: body.length ? (textual ? body.toString('utf8') : body.toString('base64')) : undefined,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: { method, path: rawPath, protocol: `HTTP/${req.httpVersion}`, sourceIp, userAgent: headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
  };
}

/**
 * The path and query of a request target exactly as sent. `new URL()` would resolve dot segments
 * (`/v1/clusters/a/works/..` becomes `/v1/clusters/a`), making a request act on another object than
 * it names; the hub's router refuses such segments instead, so they must reach it untouched.
 */
export function splitTarget(target: string): { path: string; search: string } {
  let rest = target;
  // An absolute-form target (RFC 9112, 3.2.2) names scheme and host first: keep only what follows.
  const absolute = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(rest);
  if (absolute) rest = rest.slice(absolute[0].length);
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf('?');
  const path = q >= 0 ? rest.slice(0, q) : rest;
  return { path: path.startsWith('/') ? path : `/${path}`, search: q >= 0 ? rest.slice(q) : '' };
}

const NO_BODY = Buffer.alloc(0);

/**
 * The request body, or undefined as soon as it exceeds the hub's limit. A request with neither
 * Content-Length nor Transfer-Encoding has no body (RFC 9112, 6.3), like an agent's poll: it is
 * answered without waiting for the stream's end.
 */
function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const length = req.headers['content-length'];
  if ((length === undefined || length === '0') && req.headers['transfer-encoding'] === undefined) return Promise.resolve(NO_BODY);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      req.pause();
      resolve(undefined);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

function sendProblem(res: ServerResponse, status: number, code: string, title: string, detail: string): void {
  res.writeHead(status, { 'content-type': 'application/problem+json' });
  res.end(JSON.stringify({ type: PROBLEM_BASE + code, title, status, detail }));
}

/**
 * A local HTTP API: node:http on `host:port` routing by path prefix to Lambda handlers.
 * Bodies over the hub's limit are refused with 413 while streaming, before they are buffered.
 */
export async function startHttpGateway(opts: {
  host: string;
  port: number;
  routes: GatewayRoute[];
  /** Serves requests no Lambda route claims (static console files); return false to fall through. */
  fallback?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
}): Promise<{ server: Server; url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      // A handler that outlives its Lambda time limit is what API Gateway reports as 504.
      const timedOut = (err as Error | undefined)?.name === 'TimeoutError';
      if (res.headersSent) res.end();
      else if (timedOut)
        sendProblem(res, 504, 'timeout', 'Gateway timeout', 'the hub did not answer within its time limit; retry the request');
      else sendProblem(res, 500, 'internal', 'Internal error', 'the local gateway failed to handle the request');
    });
  });

  // A request node:http cannot parse (headers over its 16 KiB limit, a malformed request line)
  // never reaches `handle`; node would answer a bare 400/431. Answer a problem like the hub does.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    const status = tooLarge ? 431 : 400;
    const body = JSON.stringify({
      type: PROBLEM_BASE + (tooLarge ? 'headers-too-large' : 'bad-request'),
      title: tooLarge ? 'Request header fields too large' : 'Bad request',
      status,
      detail: tooLarge
        ? 'the request line and headers exceed 16 KiB; send a shorter URL (fewer or shorter query parameters) and smaller headers'
        : 'the request is not valid HTTP/1.1',
    });
    socket.end(
      `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\ncontent-type: application/problem+json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { path } = splitTarget(req.url ?? '/');
    const route = opts.routes.find((r) => path === r.prefix || path.startsWith(r.prefix.endsWith('/') ? r.prefix : `${r.prefix}/`));
    if (!route) {
      if (opts.fallback && (await opts.fallback(req, res))) return;
      sendProblem(
        res,
        404,
        'route-not-found',
        'No such route',
        `no route for ${req.method} ${path}; the API lives under /v1 and /agent/v1`,
      );
      return;
    }
    const requestBody = await readBody(req);
    if (requestBody === undefined) {
      // Answer at once, then read the rest of the body into nothing: a client that is still
      // sending (as fetch does before it reads the answer) would see the connection reset instead
      // of the 413 if the socket were destroyed under it. One that keeps sending is cut off after 10 s.
      res.setHeader('connection', 'close');
      sendProblem(res, 413, 'payload-too-large', 'Payload too large', `request body exceeds the limit of ${MAX_BODY_BYTES} bytes`);
      const cutOff = setTimeout(() => req.destroy(), 10_000);
      cutOff.unref();
      req.once('end', () => clearTimeout(cutOff));
      req.once('close', () => clearTimeout(cutOff));
      req.resume();
      return;
    }
    const event = toApiGatewayEvent(req, requestBody, req.socket.remoteAddress ?? '127.0.0.1');
    const result = await route.handler(event, lambdaContext(route.functionName));
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(result.headers ?? {})) headers[k] = String(v);
    const body = result.body === undefined ? undefined : result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body;
    res.writeHead(result.statusCode ?? 200, headers);
    res.end(body);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    server,
    url: `http://${host}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      }),
  };
}
