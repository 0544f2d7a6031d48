import { afterAll, beforeAll } from '@jest/globals';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoPorts, createTableIfMissing, type DynamoPorts } from '../../../lambdas/adapters/dynamodb/index.js';
import { API_VERSION, type Resource } from '../../../shared/resources/meta.js';
import { createTestDynamoClient, type DynamoBackend, type DynamoServer } from '../../support/dynamo-servers.js';

/** One started backend as the shared cases see it. */
export interface BackendContext {
  readonly name: string;
  readonly client: DynamoDBClient;
  /** A new empty table and the ports on it, so that cases never see each other's items. */
  freshTable(): Promise<{ table: string; ports: DynamoPorts }>;
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
    get client() {
      if (!client) throw new Error(`${backend.name} is not started`);
      return client;
    },
    async freshTable() {
      const table = `tether-test-${process.pid}-${++tableCounter}`;
      await createTableIfMissing(ctx.client, table);
      return { table, ports: createDynamoPorts(ctx.client, table) };
    },
  };
  return ctx;
}

/** A stored-shape resource of `kind` for tests. */
export function resource(kind: string, name: string, opts: { namespace?: string; labels?: Record<string, string>; spec?: unknown } = {}): Resource {
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
