import { afterAll, beforeAll } from '@jest/globals';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoPorts } from '../../lambdas/adapters/dynamodb/index.js';
import { memoryEnvelope } from '../../lambdas/adapters/envelope/index.js';
import type { Capability } from '../../lambdas/capabilities/index.js';
import { defaultHubConfig, type HubConfig } from '../../lambdas/core/context.js';
import { composeCapabilities, type ComposedHub } from '../../lambdas/handlers/compose.js';
import { systemClock } from '../../lambdas/ports/clock.js';
import { cryptoIds } from '../../lambdas/ports/ids.js';
import { silentLog } from '../../lambdas/ports/log.js';
import type { StepMessage } from '../../lambdas/ports/queue.js';
import { createTestDynamoClient, startDynaliteServer, type DynamoServer } from './dynamo-servers.js';

/**
 * Starts one dynalite for the test file (beforeAll/afterAll) and returns a getter for its client.
 */
export function useDynalite(): () => DynamoDBClient {
  let server: DynamoServer | undefined;
  let client: DynamoDBClient | undefined;
  beforeAll(async () => {
    server = await startDynaliteServer();
    client = createTestDynamoClient(server.endpoint);
  }, 30_000);
  afterAll(async () => {
    client?.destroy();
    await server?.stop();
  });
  return () => {
    if (!client) throw new Error('dynalite is not started yet: call the getter inside a test');
    return client;
  };
}

/**
 * A composed hub (all capabilities unless `capabilities` is given) over a real table whose queue only records the step messages it is given, so a
 * test can deliver them itself — twice, reordered, late — to prove steps idempotent.
 */
export function recordingHub(
  client: DynamoDBClient,
  table: string,
  opts: { config?: Partial<HubConfig>; dropDelays?: boolean; capabilities?: readonly Capability[] } = {},
): { ctx: ComposedHub; sent: StepMessage[] } {
  const sent: StepMessage[] = [];
  const ctx: ComposedHub = {
    ...composeCapabilities(opts.capabilities),
    ports: {
      ...createDynamoPorts(client, table),
      queue: {
        send: async (messages) => void sent.push(...(opts.dropDelays ? messages.map(({ delaySeconds: _d, ...rest }) => rest) : messages)),
      },
      clock: systemClock,
      ids: cryptoIds,
      log: silentLog,
      audit: { record() {} },
      envelope: memoryEnvelope(),
    },
    config: { ...defaultHubConfig, ...opts.config },
  };
  return { ctx, sent };
}
