import { describe } from '@jest/globals';
import { DYNAMO_BACKENDS } from '../../support/dynamo-servers.js';
import { batchCases } from './batch-cases.js';
import { clusterHeadStoreCases } from './head-cases.js';
import { complianceHistoryCases } from './compliance-history-cases.js';
import { heartbeatLogCases } from './heartbeat-cases.js';
import { useBackend } from './harness.js';
import { relationAndTokenCases } from './relation-token-cases.js';
import { resourceStoreCases } from './resource-cases.js';

// One suite, two servers: dynalite is what the local hub embeds, DynamoDB Local is AWS's reference
// behaviour. A case that passes on one and fails on the other is an emulator gap worth knowing.
describe.each(DYNAMO_BACKENDS)('DynamoDB adapter on $name', (backend) => {
  const ctx = useBackend(backend);
  resourceStoreCases(ctx);
  clusterHeadStoreCases(ctx);
  heartbeatLogCases(ctx);
  relationAndTokenCases(ctx);
  batchCases(ctx);
  complianceHistoryCases(ctx);
});
