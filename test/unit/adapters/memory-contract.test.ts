import { describe } from '@jest/globals';
import { createMemoryPorts, MemoryHeartbeatLog, MemoryResourceStore, type MemoryPorts } from '../../../lambdas/adapters/memory/index.js';
import { batchCases } from '../../integration/dynamodb/batch-cases.js';
import type { BackendContext } from '../../integration/dynamodb/harness.js';
import { clusterHeadStoreCases } from '../../integration/dynamodb/head-cases.js';
import { complianceHistoryCases } from '../../integration/dynamodb/compliance-history-cases.js';
import { heartbeatLogCases } from '../../integration/dynamodb/heartbeat-cases.js';
import { relationAndTokenCases } from '../../integration/dynamodb/relation-token-cases.js';
import { resourceStoreCases } from '../../integration/dynamodb/resource-cases.js';

/**
 * The in-memory adapters keep the contract of the DynamoDB ones: the very cases the DynamoDB
 * adapters pass on dynalite and DynamoDB Local run here against memory. Only the assertions about
 * the table itself (its items, requests and capacity) are left to the DynamoDB backends.
 */
function memoryBackend(): BackendContext {
  const tables = new Map<string, MemoryPorts>();
  const portsOf = (table: string): MemoryPorts => {
    const ports = tables.get(table);
    if (!ports) throw new Error(`no memory table ${table}`);
    return ports;
  };
  return {
    name: 'memory',
    isDynamo: false,
    get client(): never {
      throw new Error('the memory backend has no DynamoDB client');
    },
    async freshTable() {
      const table = `memory-${tables.size + 1}`;
      const ports = createMemoryPorts();
      tables.set(table, ports);
      return { table, ports };
    },
    resourceStore: (table, options) => new MemoryResourceStore(options, portsOf(table).resources),
    // A writer id names a process's batches on the table; in memory each log is its own process anyway.
    heartbeatLog: (table, { writer: _writer, ...options } = {}) => new MemoryHeartbeatLog(portsOf(table).heartbeatBatches, options),
  };
}

describe('memory adapters', () => {
  const ctx = memoryBackend();
  resourceStoreCases(ctx);
  clusterHeadStoreCases(ctx);
  heartbeatLogCases(ctx);
  relationAndTokenCases(ctx);
  batchCases(ctx);
  complianceHistoryCases(ctx);
});
