/**
 * The embedded SQS emulator of the local hub: fauxqs's SQS engine served on 127.0.0.1 by node:http.
 *
 * Why not `startFauxqs()`: it always listens on 0.0.0.0, which breaks the rule that embedded
 * servers are never reachable from outside, and it loads the S3 and SNS emulators too. Its SQS
 * engine (`dist/sqs/*` plus `dist/common/*`) and its SQLite write-through persistence
 * (`dist/persistence.js`, on `node:sqlite`) load by file path, behind our own loopback-only listener. fauxqs is pinned
 * exactly in package.json because these are internal modules; a changed layout fails loudly here.
 *
 * This file is the only place that knows which emulator is used (see docs/queue.md to swap it).
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TetherError } from '../../shared/errors.js';

/** A running embedded SQS endpoint. */
export interface SqsEmulator {
  /** Base URL for SQSClient's `endpoint`, e.g. `http://127.0.0.1:43121`. */
  endpoint: string;
  /** Ends pending long polls, closes every connection and stops listening. Idempotent. */
  close(): Promise<void>;
}

/** Options for {@link startSqsEmulator}. The host is always 127.0.0.1 and cannot be changed. */
export interface SqsEmulatorOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /**
   * Keep queues and messages in a SQLite file in this directory (fauxqs's write-through
   * persistence on `node:sqlite`), so that queued and delayed steps survive a crash or a restart.
   * Without it, state is in memory and lost on close.
   */
  dataDir?: string;
}

/** The embedded emulator could not be loaded or could not listen. */
export class SqsEmulatorError extends TetherError {
  // 503: the queue behind the local hub is down: nothing the caller did, and a restart may cure it.
  static override readonly status = 503;
  static override readonly title = 'Queue unavailable';
  readonly code = 'sqs-emulator-failed';
}

/** The SQS actions fauxqs implements; each lives in `dist/sqs/actions/<camelCaseName>.js`. */
const ACTIONS = [
  'CreateQueue',
  'DeleteQueue',
  'GetQueueUrl',
  'ListQueues',
  'GetQueueAttributes',
  'SetQueueAttributes',
  'PurgeQueue',
  'SendMessage',
  'ReceiveMessage',
  'DeleteMessage',
  'SendMessageBatch',
  'DeleteMessageBatch',
  'ChangeMessageVisibility',
  'ChangeMessageVisibilityBatch',
  'TagQueue',
  'UntagQueue',
  'ListQueueTags',
] as const;

/** Largest request body accepted; SQS itself caps a batch at 1 MiB of payload plus JSON framing. */
const MAX_REQUEST_BYTES = 2 * 1024 * 1024;

/** The slice of fauxqs's SqsStore we touch. */
interface FauxqsStore {
  host: string;
  /** Queues by URL. */
  queues: Map<string, FauxqsQueue>;
  persistence?: FauxqsPersistence;
  shutdown(): void;
}

/** The slice of a fauxqs queue we touch. */
interface FauxqsQueue {
  name: string;
  url: string;
  persistence?: FauxqsPersistence;
}

/** The slice of fauxqs's PersistenceManager (SQLite write-through) we touch. */
interface FauxqsPersistence {
  loadSqsQueues(store: FauxqsStore): void;
  close(): void;
}

/** The reply object fauxqs's SqsRouter writes to (a subset of Fastify's reply). */
interface RouterReply {
  status(code: number): RouterReply;
  header(name: string, value: string): RouterReply;
}

/** The slice of fauxqs's SqsRouter we touch. */
interface FauxqsRouter {
  register(action: string, handler: unknown): void;
  handle(request: { headers: IncomingHttpHeaders; body: unknown }, reply: RouterReply): Promise<unknown>;
}

interface FauxqsEngine {
  store: FauxqsStore;
  router: FauxqsRouter;
  persistence?: FauxqsPersistence;
}

/**
 * Starts an in-process SQS endpoint (AWS JSON protocol) listening on 127.0.0.1 only.
 *
 * Supports standard and FIFO queues, SendMessageBatch, long-polling ReceiveMessage, visibility
 * timeouts, ChangeMessageVisibility, DeleteMessageBatch, GetQueueAttributes and DLQ redrive after
 * `maxReceiveCount`. State is in memory and lost on close, unless `dataDir` is given: then every
 * queue and message is written through to SQLite and loaded again at the next start (messages in
 * flight at a crash come back when their visibility timeout has passed, as in SQS).
 *
 * @example
 * const sqs = await startSqsEmulator();
 * const client = createSqsClient({ endpoint: sqs.endpoint });
 * // ...
 * await sqs.close();
 */
export async function startSqsEmulator(options: SqsEmulatorOptions = {}): Promise<SqsEmulator> {
  const engine = await loadFauxqsEngine(options.dataDir);
  const server = createServer((req, res) => {
    serve(engine.router, req, res).catch((error: unknown) => answerError(res, 500, 'InternalError', error));
  });
  let address: AddressInfo;
  try {
    address = await listenOnLoopback(server, options.port ?? 0);
  } catch (err) {
    engine.persistence?.close();
    throw err;
  }
  rehomeQueues(engine.store, `127.0.0.1:${address.port}`);

  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        // Pending long polls hold their sockets open; release them first so close() is prompt.
        engine.store.shutdown();
        server.close(() => {
          engine.persistence?.close();
          resolve();
        });
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/**
 * Queue URLs carry the host and port of the request that created the queue, and a restarted
 * emulator listens on a new port: point the queues loaded from disk at this one. Only memory
 * changes; the URL on disk is rewritten the same way at every start.
 */
function rehomeQueues(store: FauxqsStore, host: string): void {
  for (const [url, queue] of [...store.queues]) {
    const next = url.replace(/^(https?:\/\/)[^/]+/, `$1${host}`);
    if (next === url) continue;
    store.queues.delete(url);
    queue.url = next;
    store.queues.set(next, queue);
  }
}

async function loadFauxqsEngine(dataDir?: string): Promise<FauxqsEngine> {
  const dist = findFauxqsDist();
  const load = async (relative: string): Promise<Record<string, unknown>> => {
    try {
      return (await import(pathToFileURL(join(dist, relative)).href)) as Record<string, unknown>;
    } catch (error) {
      throw new SqsEmulatorError(`cannot load fauxqs module ${relative}; is fauxqs still pinned to 2.4.1?`, {
        cause: error,
      });
    }
  };
  const { SqsStore } = (await load('sqs/sqsStore.js')) as { SqsStore: new () => FauxqsStore };
  const { SqsRouter } = (await load('sqs/sqsRouter.js')) as { SqsRouter: new (store: FauxqsStore) => FauxqsRouter };
  const store = new SqsStore();
  // An empty host makes queue URLs use the request's Host header (http://127.0.0.1:<port>/...),
  // which resolves, instead of fauxqs's default sqs.<region>.localhost, which does not.
  store.host = '';
  const router = new SqsRouter(store);
  let persistence: FauxqsPersistence | undefined;
  if (dataDir) {
    // Load before wiring write-through, as fauxqs itself does: loading must not re-write every row.
    const { PersistenceManager } = (await load('persistence.js')) as { PersistenceManager: new (dir: string) => FauxqsPersistence };
    persistence = new PersistenceManager(dataDir);
    persistence.loadSqsQueues(store);
    store.persistence = persistence;
    for (const queue of store.queues.values()) queue.persistence = persistence;
  }
  for (const action of ACTIONS) {
    const name = action.charAt(0).toLowerCase() + action.slice(1);
    const handler = (await load(`sqs/actions/${name}.js`))[name];
    if (typeof handler !== 'function') {
      throw new SqsEmulatorError(`fauxqs module sqs/actions/${name}.js no longer exports ${name}()`);
    }
    router.register(action, handler);
  }
  return { store, router, persistence };
}

/** fauxqs's package `exports` hide its internals, so find its directory the way Node would. */
function findFauxqsDist(): string {
  const searchPaths = createRequire(import.meta.url).resolve.paths('fauxqs') ?? [];
  for (const nodeModules of searchPaths) {
    const dist = join(nodeModules, 'fauxqs', 'dist');
    if (existsSync(join(dist, 'sqs', 'sqsStore.js'))) return dist;
  }
  throw new SqsEmulatorError(`fauxqs is not installed (looked in ${searchPaths.join(', ')})`);
}

function listenOnLoopback(server: Server, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(new SqsEmulatorError(`cannot listen on 127.0.0.1:${port}`, { cause: error }));
    server.once('error', onError);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

async function serve(router: FauxqsRouter, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const contentType = req.headers['content-type'] ?? '';
  if (req.method !== 'POST' || !contentType.includes('application/x-amz-json-1.0')) {
    req.resume();
    answerError(res, 400, 'InvalidAction', 'only the AWS JSON protocol (POST, application/x-amz-json-1.0) is served');
    return;
  }
  const raw = await readBody(req);
  if (raw === undefined) {
    answerError(res, 413, 'RequestEntityTooLarge', `request body exceeds ${MAX_REQUEST_BYTES} bytes`);
    return;
  }
  let body: unknown;
  try {
    body = raw.length === 0 ? {} : JSON.parse(raw);
  } catch {
    answerError(res, 400, 'SerializationException', 'request body is not valid JSON');
    return;
  }
  let statusCode = 200;
  const headers: Record<string, string> = {};
  const reply: RouterReply = {
    status(code) {
      statusCode = code;
      return reply;
    },
    header(name, value) {
      headers[name.toLowerCase()] = value;
      return reply;
    },
  };
  const result = await router.handle({ headers: req.headers, body }, reply);
  // A client that gave up on a long poll is gone; there is nobody to answer.
  if (res.destroyed) return;
  res.writeHead(statusCode, {
    'content-type': 'application/x-amz-json-1.0',
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  res.end(JSON.stringify(result ?? {}));
}

/** Resolves to the body text, or undefined when it is larger than {@link MAX_REQUEST_BYTES}. */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function answerError(res: ServerResponse, status: number, code: string, detail: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const message = detail instanceof Error ? detail.message : String(detail);
  res.writeHead(status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': randomUUID() });
  res.end(JSON.stringify({ __type: `com.amazonaws.sqs#${code}`, message }));
}
