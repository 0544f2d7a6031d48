import { systemClock, type AgentClock } from '../agent/clock.js';
import { complianceEventKeys } from '../lambdas/adapters/dynamodb/keys.js';
import { complianceKey } from '../lambdas/capabilities/governance/compliance-store.js';
import type { ComplianceEvent } from '../shared/compliance.js';
import { createSimAgent, importForSimulation, type SimAgent } from '../sim/sim-agent.js';
import { seededRandom } from '../sim/stats.js';
import { RequestRecorder, recordingFetch } from '../sim/transport.js';
import { MeasurementError } from './b1-poll-cost.js';
import { classifyWrites, governancePolicy } from './b8-writes.js';
import { MIN_READ_UNITS_PER_QUERY } from './counts.js';
import type { BenchHub } from './hub.js';
import { placeFleet } from './rollout.js';

/**
 * What one compliance change costs, counted for the cost model (B1 runs it on DynamoDB Local, whose
 * capacity figures include index writes): real agents with a Compliant policy see their cluster
 * drift (one of the policy's mustnothave ConfigMaps appears), evaluate it at the next interval and
 * send the change in a status report. Everything the hub's DynamoDB client does from then until
 * the reports have landed is counted, minus the idle polls; the write units come from the write
 * ledger (bench/write-ledger.ts), so that heartbeat batches are not counted as the change's.
 */

/** Per-change figures. */
export interface ComplianceChangeCost {
  clusters: number;
  /** DynamoDB commands per change (the status report's reads and the ingestion's writes). */
  ops: Record<string, number>;
  /** Read units per change, as the server reported them (the 0.5 minimum of a Query applied). */
  readUnits: number;
  /** Write items of the ingestion per change (current item + event). */
  writeItems: number;
  /** Write units of the ingestion per change (the event's gsi2 copy included). */
  writeUnits: number;
  /** The same by port call (the current item, the history append). */
  writeUnitsByCall: Record<string, number>;
  /** Agent requests per change (the status report). */
  agentRequests: number;
  /** Size of one history event as a DynamoDB item (attribute names and values). */
  eventItemBytes: number;
  /** JSON size of one current-compliance item's body (stored compressed past 4 KiB). */
  complianceItemBytes: number;
}

/** DynamoDB's item size of a compliance event as the DynamoDB adapter stores it. */
export function eventItemBytes(e: ComplianceEvent, expiresAt: number): number {
  const k = complianceEventKeys(e);
  const attrs: Record<string, string> = {
    pk: k.pk,
    sk: k.sk,
    gsi2pk: k.gsi2pk,
    gsi2sk: k.gsi2sk,
    e: JSON.stringify(e),
    ttl: String(expiresAt),
  };
  return Object.entries(attrs).reduce((n, [name, value]) => n + Buffer.byteLength(name) + Buffer.byteLength(value), 0);
}

/** Counts a compliance change on `clusters` clusters of `bench` (a hub started with `ledger`). */
export async function measureComplianceCost(bench: BenchHub, clusters = 5): Promise<ComplianceChangeCost> {
  if (!bench.ledger) throw new MeasurementError('the compliance cost needs a hub started with ledger: true');
  const recorder = new RequestRecorder();
  // The agents' own clock, moved past the evaluation interval without moving the hub's (leases).
  let offset = 0;
  const clock: AgentClock = { now: () => Date.now() + offset, sleep: systemClock.sleep };
  const sims: SimAgent[] = [];
  const policy = 'cc-policy';
  try {
    for (let i = 0; i < clusters; i++) {
      const imported = await importForSimulation(bench.admin, `cc-${String(i).padStart(3, '0')}`, { fleet: 'cc' });
      const sim = createSimAgent(imported, { clock, random: seededRandom(300 + i), fetch: recordingFetch(recorder) });
      sims.push(sim);
      if ((await sim.agent.runOnce()) !== true) throw new MeasurementError(`agent ${imported.name} could not join`);
    }
    await placeFleet(bench.admin, 'cc', 'cc', clusters, () => bench.hub.settle());
    const res = await bench.admin('POST', '/v1/policies', governancePolicy(policy, 'cc', 'mustnothave', 10, 0));
    if (res.status !== 201) throw new MeasurementError(`creating the policy answered ${res.status}: ${res.text}`);
    await bench.hub.settle();
    const cycle = async () => {
      for (const s of sims) await s.agent.runOnce();
      await bench.hub.settle();
    };
    await cycle(); // the policy arrives, is evaluated Compliant and reported
    await cycle(); // idle

    // Drift on every cluster: one of the ConfigMaps the policy must not have appears.
    for (const s of sims) {
      await s.cluster.apply(
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${policy}-0`, namespace: 'default' }, data: { drift: 'yes' } },
        { fieldManager: 'kubectl', force: true },
      );
    }
    // Past the compliant interval (10 min, +10 % jitter) and the report debounce.
    offset += 12 * 60_000;
    bench.ops.reset();
    bench.ledger.reset();
    bench.queue.reset();
    recorder.take();
    await cycle();
    const snap = bench.ops.snapshot();
    const requests = recorder.take().statuses;
    const writes = classifyWrites(bench.ledger.snapshot());
    const units = bench.ledger.writeUnits();
    const ingestionUnits = Object.keys(writes.ingestion.byCall).reduce((n, label) => n + (units[label] ?? 0), 0);
    const events = (await bench.admin('GET', `/v1/compliance/events?policy=${policy}&compliance=NonCompliant&limit=1000`)).body as {
      items: ComplianceEvent[];
    };
    if (events.items.length !== clusters)
      throw new MeasurementError(`expected ${clusters} NonCompliant events, found ${events.items.length}`);
    const idlePolls = requests['desired 304'] ?? 0;
    const reads = ['GetItem', 'Query', 'BatchGetItem'];
    const ops: Record<string, number> = {};
    for (const [op, v] of Object.entries(snap.counts)) {
      const own = op === 'GetItem' ? v - idlePolls : reads.includes(op) ? v : 0;
      if (own > 0) ops[op] = own / clusters;
    }
    // The ingestion's writes as commands: the item is a PutItem, the report's events one BatchWriteItem
    // (heartbeat batches in the same window are the fleet's, not the change's).
    const itemWrites = Object.entries(writes.ingestion.byCall)
      .filter(([label]) => label.endsWith(' PolicyCompliance'))
      .reduce((n, [, v]) => n + v, 0);
    if (itemWrites) ops.PutItem = itemWrites / clusters;
    if (writes.ingestion.byCall['complianceHistory.append']) ops.BatchWriteItem = 1;
    // DynamoDB bills at least half a unit for every Query; the emulator reports 0 for an empty one.
    const queryUnits = Math.max(snap.capacity.Query ?? 0, (snap.counts.Query ?? 0) * MIN_READ_UNITS_PER_QUERY);
    const readUnits = (snap.capacity.GetItem ?? 0) - idlePolls * 0.5 + (snap.capacity.BatchGetItem ?? 0) + queryUnits;
    const item = await bench.hub.ctx.ports.resources.get(complianceKey(policy, sims[0]!.name));
    const expiresAt = Math.floor(Date.now() / 1000) + 730 * 86_400;
    return {
      clusters,
      ops,
      readUnits: readUnits / clusters,
      writeItems: writes.ingestion.total / clusters,
      writeUnits: ingestionUnits / clusters,
      writeUnitsByCall: Object.fromEntries(Object.keys(writes.ingestion.byCall).map((label) => [label, (units[label] ?? 0) / clusters])),
      agentRequests: Object.entries(requests).reduce((n, [k, v]) => n + (k === 'desired 304' ? 0 : v), 0) / clusters,
      eventItemBytes: eventItemBytes(events.items[0]!, expiresAt),
      complianceItemBytes: Buffer.byteLength(JSON.stringify(item)),
    };
  } finally {
    for (const s of sims) await s.close();
  }
}
