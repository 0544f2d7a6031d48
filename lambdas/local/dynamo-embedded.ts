import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';

/** Options of dynalite's factory that we use (it ships no type declarations). */
interface DynaliteOptions {
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}

/** A running embedded DynamoDB. */
export interface EmbeddedDynamo {
  /** `http://127.0.0.1:<port>`: pass as the DynamoDBClient `endpoint`. */
  endpoint: string;
  /** Stops the server and closes the LevelDB store, releasing its lock so it can be reopened. */
  close(): Promise<void>;
}

/**
 * Starts dynalite in this process on 127.0.0.1 and a free port: the local hub's DynamoDB.
 *
 * With `path`, data persists in a LevelDB directory there (created if missing); without it, data
 * lives in memory. Table creation and deletion complete at once instead of after dynalite's
 * default 500 ms, so start-up does not wait.
 *
 * @example
 * const db = await startDynalite({ path: '.tether/dynamodb' });
 * const client = new DynamoDBClient({ endpoint: db.endpoint, region: 'us-east-1', credentials });
 * // ...
 * client.destroy();
 * await db.close();
 */
export async function startDynalite(opts: { path?: string } = {}): Promise<EmbeddedDynamo> {
  if (opts.path) mkdirSync(opts.path, { recursive: true });
  // dynalite is CommonJS without types; createRequire keeps the import typed at this one spot.
  const require = createRequire(import.meta.url);
  const dynalite = require('dynalite') as (options: DynaliteOptions) => Server;
  const server = dynalite({ path: opts.path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });

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
