import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import type { EventLoopUtilization } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { TetherError } from '../../shared/errors.js';

/** Options of dynalite's factory that we use (it ships no type declarations). */
interface DynaliteFactoryOptions {
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}

/** Where the embedded dynalite runs. */
export type DynaliteMode = 'thread' | 'inline';

/** Options of {@link startDynalite}. */
export interface DynaliteOptions {
  /** LevelDB directory (created if missing); without it, data lives in memory. */
  path?: string;
  /**
   * `thread` (the default): on a worker thread of its own, so that its request handling, LevelDB
   * work and garbage collection do not stall the caller's event loop. `inline`: on the caller's
   * event loop (quicker to start; for tests that start many).
   */
  mode?: DynaliteMode;
  /** Called if the worker thread stops without {@link EmbeddedDynamo.close} (thread mode). */
  onCrash?: (error: Error) => void;
}

/** A running embedded DynamoDB. */
export interface EmbeddedDynamo {
  /** `http://127.0.0.1:<port>`: pass as the DynamoDBClient `endpoint`. */
  endpoint: string;
  mode: DynaliteMode;
  /**
   * Thread mode: the worker thread's event-loop utilisation (as `performance.eventLoopUtilization`,
   * optionally since an earlier value), i.e. how busy dynalite kept its thread.
   */
  eventLoopUtilization?(since?: EventLoopUtilization): EventLoopUtilization;
  /** Stops the server and closes the LevelDB store, releasing its lock so it can be reopened. */
  close(): Promise<void>;
}

/** The embedded DynamoDB could not start or stopped. */
export class DynaliteError extends TetherError {
  // 503: the store behind the local hub is down: nothing the caller did, and a restart may cure it.
  static override readonly status = 503;
  static override readonly title = 'Database unavailable';
  readonly code = 'dynalite-failed';
}

/**
 * Starts dynalite on 127.0.0.1 and a free port: the local hub's DynamoDB. By default it runs on a
 * worker thread (see {@link DynaliteOptions.mode}); either way it dies with this process.
 *
 * With `path`, data persists in a LevelDB directory there (created if missing); without it, data
 * lives in memory. Table creation and deletion complete at once instead of after dynalite's
 * default 500 ms, so start-up does not wait. A data directory locked by another process fails the
 * start with a {@link DynaliteError} (thread mode).
 *
 * @example
 * const db = await startDynalite({ path: '.tether/dynamodb' });
 * const client = new DynamoDBClient({ endpoint: db.endpoint, region: 'us-east-1', credentials });
 * // ...
 * client.destroy();
 * await db.close();
 */
export async function startDynalite(opts: DynaliteOptions = {}): Promise<EmbeddedDynamo> {
  if (opts.path) mkdirSync(opts.path, { recursive: true });
  return (opts.mode ?? 'thread') === 'thread' ? startOnThread(opts) : startInline(opts.path);
}

/** dynalite's entry module (CommonJS without types); createRequire keeps the import typed at this one spot. */
function dynaliteModule(): string {
  return createRequire(import.meta.url).resolve('dynalite');
}

async function startInline(path: string | undefined): Promise<EmbeddedDynamo> {
  const dynalite = createRequire(import.meta.url)(dynaliteModule()) as (options: DynaliteFactoryOptions) => Server;
  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let closed: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    mode: 'inline',
    close() {
      closed ??= new Promise<void>((resolve, reject) => {
        // dynalite's close stops the HTTP server, then waits for pending store operations and
        // closes LevelDB; keep-alive sockets of clients that were not destroyed would hold it open.
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

/** What ./dynalite-thread.mjs posts. */
type ThreadMessage = { type: 'ready'; port: number } | { type: 'failed'; message: string } | { type: 'closed'; error?: string };

/** How long close() waits for the thread to close LevelDB before it ends the thread. */
const CLOSE_TIMEOUT_MS = 35_000;

async function startOnThread(opts: DynaliteOptions): Promise<EmbeddedDynamo> {
  // No execArgv: the thread needs no TypeScript loader or test-runner flags of this process.
  const worker = new Worker(new URL('./dynalite-thread.mjs', import.meta.url), {
    workerData: { dynalite: dynaliteModule(), path: opts.path },
    execArgv: [],
    name: 'tether-dynalite',
  });
  let closing = false;
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  const messages: Array<(m: ThreadMessage) => void> = [];
  worker.on('message', (m: ThreadMessage) => messages.shift()?.(m));
  const next = () => new Promise<ThreadMessage>((resolve) => messages.push(resolve));

  const started = await Promise.race([
    next(),
    new Promise<Error>((resolve) => worker.once('error', resolve)),
    exited.then((code) => new DynaliteError(`the dynalite thread exited with code ${code} before it was ready`)),
  ]);
  if (started instanceof Error || started.type !== 'ready') {
    const reason = started instanceof Error ? started.message : started.type === 'failed' ? started.message : 'unexpected message';
    await worker.terminate();
    throw new DynaliteError(
      `cannot start the embedded DynamoDB (dynalite): ${reason}`,
      started instanceof Error ? { cause: started } : undefined,
    );
  }
  worker.on('error', (error) => {
    if (!closing) opts.onCrash?.(new DynaliteError(`the embedded DynamoDB (dynalite) failed: ${error.message}`, { cause: error }));
  });
  void exited.then((code) => {
    if (!closing) opts.onCrash?.(new DynaliteError(`the embedded DynamoDB (dynalite) thread exited with code ${code}`));
  });

  let closed: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${started.port}`,
    mode: 'thread',
    eventLoopUtilization: (since) => worker.performance.eventLoopUtilization(since),
    close() {
      closed ??= (async () => {
        closing = true;
        const reply = next();
        worker.postMessage({ type: 'close' });
        const answer = await Promise.race([reply, exited.then(() => undefined), sleep(CLOSE_TIMEOUT_MS)]);
        if (await Promise.race([exited.then(() => false), sleep(1000).then(() => true)])) await worker.terminate();
        if (answer === undefined) throw new DynaliteError('the embedded DynamoDB (dynalite) did not close in time');
        if (answer.type === 'closed' && answer.error)
          throw new DynaliteError(`closing the embedded DynamoDB (dynalite) failed: ${answer.error}`);
      })();
      return closed;
    },
  };
}

/** A timer that does not keep the process alive. */
function sleep(ms: number): Promise<undefined> {
  return delay(ms, undefined, { ref: false });
}
