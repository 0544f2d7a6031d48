import { afterAll, beforeAll } from '@jest/globals';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  countOperations,
  createDynamoPorts,
  createTableIfMissing,
  DynamoHeartbeatLog,
  DynamoResourceStore,
  type DynamoPorts,
  type DynamoResourceStoreOptions,
  type HeartbeatLogOptions,
  type OperationCounter,
} from '../../../lambdas/adapters/dynamodb/index.js';
import type { HeartbeatLog } from '../../../lambdas/ports/heartbeat-log.js';
import type { ResourceStore } from '../../../lambdas/ports/resource-store.js';
import { API_VERSION, type Resource } from '../../../shared/resources/meta.js';
import { createTestDynamoClient, type DynamoBackend, type DynamoServer } from '../../support/dynamo-servers.js';

/**
 * One started backend as the shared cases see it: a DynamoDB server, or the in-memory adapters
 * (test/unit/adapters/memory-contract.test.ts), which must keep the same contract.
 */
export interface BackendContext {
  readonly name: string;
  /**
   * Whether the ports are the DynamoDB adapters on a server. The assertions about the table itself
   * (stored items, requests sent, capacity used) run only then; every other assertion runs on
   * every backend.
   */
  readonly isDynamo: boolean;
  /** The server's client; only on a DynamoDB backend. */
  readonly client: DynamoDBClient;
  /** A new empty table and the ports on it, so that cases never see each other's items. */
  freshTable(): Promise<{ table: string; ports: DynamoPorts }>;
  /** Another resource store on `table`, with its own page budget. */
  resourceStore(table: string, options: DynamoResourceStoreOptions): ResourceStore;
  /** A heartbeat log on `table` as one more process writes it. */
  heartbeatLog(table: string, options?: HeartbeatLogOptions): HeartbeatLog;
}

/** An operation counter on the backend's client, or undefined where there is none (memory). */
export function countOperationsOf(ctx: BackendContext): OperationCounter | undefined {
  return ctx.isDynamo ? countOperations(ctx.client) : undefined;
}

let tableCounter = 0;

/** Starts `backend` before the enclosing describe's tests and stops it (and its client) after. */
export function useBackend(backend: DynamoBackend): BackendContext {
  let server: DynamoServer | undefined;
  let client: DynamoDBClient | undefined;
  beforeAll(async () => {
    server = await backend.start();
    client = createTestDynamoClient(server.endpoint);
  }, 90_000);
  afterAll(async () => {
    client?.destroy();
    await server?.stop();
  }, 30_000);
  const ctx: BackendContext = {
    name: backend.name,
    isDynamo: true,
    get client() {
      if (!client) throw new Error(`${backend.name} is not started`);
      return client;
    },
    async freshTable() {
      const table = `tether-test-${process.pid}-${++tableCounter}`;
      await createTableIfMissing(ctx.client, table);
      return { table, ports: createDynamoPorts(ctx.client, table) };
    },
    resourceStore: (table, options) => new DynamoResourceStore(ctx.client, table, options),
    heartbeatLog: (table, options) => new DynamoHeartbeatLog(ctx.client, table, options),
  };
  return ctx;
}

/** A stored-shape resource of `kind` for tests. */
export function resource(
  kind: string,
  name: string,
  opts: { namespace?: string; labels?: Record<string, string>; spec?: unknown } = {},
): Resource {
  return {
    apiVersion: API_VERSION,
    kind,
    metadata: {
      name,
      ...(opts.namespace === undefined ? {} : { namespace: opts.namespace }),
      labels: opts.labels ?? {},
      uid: `uid-${kind}-${opts.namespace ?? ''}-${name}`,
      resourceVersion: '0',
      generation: 1,
      creationTimestamp: '2026-11-01T00:00:00Z',
    },
    spec: opts.spec ?? {},
  };
}

/** Zero-padded names so that name order equals numeric order. */
export function numbered(prefix: string, i: number): string {
  return `${prefix}-${String(i).padStart(3, '0')}`;
}

export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
