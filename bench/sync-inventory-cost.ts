import { refreshExport, memberChangedStep } from '../lambdas/capabilities/inventory/refresh.js';
import { stepMessage } from '../lambdas/core/steps.js';
import { createSimAgent, importForSimulation, type SimAgent } from '../sim/sim-agent.js';
import { RequestRecorder, recordingFetch } from '../sim/transport.js';
import { MeasurementError } from './b1-poll-cost.js';
import { classifySyncWrites, sourceSecret } from './b12-writes.js';
import type { EventCount, SyncInventoryCounts } from './cost-model.js';
import { MIN_READ_UNITS_PER_QUERY } from './counts.js';
import { startBenchHub, type BenchHub } from './hub.js';
import { API, placeFleet } from './rollout.js';

/**
 * What resource sync and the cluster inventory cost per event, counted for the cost model on
 * DynamoDB Local (whose capacity figures include index writes), in a hub of its own so that the
 * other measurements' clusters do not change the figures:
 *
 * - a synced object's change: the source's report, the steps it queues, the source's own fresh
 *   poll (its digest moved), apart from what each destination adds (its revision bump and its
 *   fresh poll with the new object, opened and mutated for it, and what its agent sends after);
 * - a member change seen by the inventory: the `inventory.member-changed` step and the export's
 *   refresh (the rest of a member change, the status report and its placement step, is already
 *   the base model's status report), apart from what each receiver adds (its bump and its fresh
 *   poll, which reads the members' records);
 * - one periodic refresh of an export (every 5 minutes; the tick's Query of the exports is
 *   already in the base model's scheduler tick).
 *
 * Every figure is the hub's DynamoDB client's, by the SDK middleware; write units by port call
 * from the write ledger; steps from the Queue port; the agents are the real code, run one cycle
 * at a time.
 */

/** What {@link measureSyncInventoryCost} counted (the shape bench/measured-counts.json keeps). */
export type SyncInventoryCost = SyncInventoryCounts;

const READS = new Set(['GetItem', 'Query', 'BatchGetItem', 'Scan']);

/** Counts what `run` makes the hub do, until its queue is drained. */
async function window(bench: BenchHub, recorder: RequestRecorder, run: () => Promise<void>): Promise<EventCount> {
  const ledger = bench.ledger!;
  bench.ops.reset();
  ledger.reset();
  bench.queue.reset();
  recorder.take();
  await run();
  await bench.hub.settle();
  const snap = bench.ops.snapshot();
  const requests = recorder.take().statuses;
  const idlePolls = requests['desired 304'] ?? 0;
  const ops: Record<string, number> = { ...snap.counts };
  if (idlePolls) ops.GetItem = (ops.GetItem ?? 0) - idlePolls;
  for (const [k, v] of Object.entries(ops)) if (v <= 0) delete ops[k];
  let readUnits = -idlePolls * 0.5;
  for (const [op, v] of Object.entries(snap.capacity)) if (READS.has(op)) readUnits += v;
  const queries = snap.counts.Query ?? 0;
  readUnits += Math.max(0, queries * MIN_READ_UNITS_PER_QUERY - (snap.capacity.Query ?? 0));
  const items = ledger.snapshot();
  const units = ledger.writeUnits();
  // The heartbeat log's batches are the fleet's background, not the event's.
  const own = (label: string) => !label.startsWith('heartbeats.') && label !== 'heads.renewLease';
  const writeUnitsByCall = Object.fromEntries(Object.entries(units).filter(([l]) => own(l)));
  return {
    ops,
    readUnits,
    writeUnits: Object.values(writeUnitsByCall).reduce((a, b) => a + b, 0),
    writeItems: Object.entries(items)
      .filter(([l]) => own(l))
      .reduce((a, [, v]) => a + v, 0),
    writeUnitsByCall,
    agentRequests: Object.entries(requests).reduce((n, [k, v]) => n + (k === 'desired 304' ? 0 : v), 0),
    steps: { ...bench.queue.byType },
  };
}

/** `a` with `n` × `b` taken out (ops, units, items), e.g. a change without its destinations' bumps. */
function without(a: EventCount, b: Pick<EventCount, 'ops' | 'writeUnits' | 'writeItems' | 'writeUnitsByCall'>, n: number): EventCount {
  const ops = { ...a.ops };
  for (const [k, v] of Object.entries(b.ops)) ops[k] = (ops[k] ?? 0) - v * n;
  for (const [k, v] of Object.entries(ops)) if (v <= 0) delete ops[k];
  const byCall = { ...a.writeUnitsByCall };
  for (const [k, v] of Object.entries(b.writeUnitsByCall)) byCall[k] = (byCall[k] ?? 0) - v * n;
  for (const [k, v] of Object.entries(byCall)) if (v <= 0) delete byCall[k];
  return { ...a, ops, writeUnits: a.writeUnits - b.writeUnits * n, writeItems: a.writeItems - b.writeItems * n, writeUnitsByCall: byCall };
}

function divide(a: EventCount, n: number): EventCount {
  const d = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v / n]));
  return {
    ops: d(a.ops),
    readUnits: a.readUnits / n,
    writeUnits: a.writeUnits / n,
    writeItems: a.writeItems / n,
    writeUnitsByCall: d(a.writeUnitsByCall),
    agentRequests: a.agentRequests / n,
    steps: d(a.steps),
  };
}

/** Counts sync and inventory events on a fresh DynamoDB Local hub with `destinations` + 1 clusters. */
export async function measureSyncInventoryCost(destinations = 5): Promise<SyncInventoryCost> {
  const bench = await startBenchHub({ backend: 'dynamodb-local', ledger: true });
  const recorder = new RequestRecorder();
  const sims: SimAgent[] = [];
  try {
    const join = async (name: string, labels: Record<string, string>) => {
      const sim = createSimAgent(await importForSimulation(bench.admin, name, labels), { fetch: recordingFetch(recorder) });
      sims.push(sim);
      if ((await sim.agent.runOnce()) !== true) throw new MeasurementError(`agent ${name} could not join`);
      return sim;
    };
    const source = await join('sc-source', { 'sc-role': 'source' });
    const dests: SimAgent[] = [];
    for (let i = 0; i < destinations; i++) dests.push(await join(`sc-dest-${i}`, { fleet: 'sc-dest' }));
    const cycle = async (agents: SimAgent[]) => {
      for (const s of agents) await s.agent.runOnce();
      await bench.hub.settle();
    };
    await source.cluster.apply(sourceSecret('sc-v0') as never, { fieldManager: 'kubectl', force: true });
    await placeFleet(bench.admin, 'sc-dest', 'sc-dest', destinations, () => bench.hub.settle());
    const rule = await bench.admin('POST', '/v1/syncrules', {
      apiVersion: API,
      kind: 'SyncRule',
      metadata: { name: 'sc-secret' },
      spec: {
        resource: { version: 'v1', kind: 'Secret' },
        rules: [{ match: [{ objectKey: { namespace: 'default', name: 'b12-secret' } }] }],
        sources: { clusterSelector: { matchLabels: { 'sc-role': 'source' } } },
        placementRef: { name: 'sc-dest' },
      },
    });
    if (rule.status !== 201) throw new MeasurementError(`creating the rule answered ${rule.status}: ${rule.text}`);
    await bench.hub.settle();
    // The rule reaches the source, its report lands, the destinations get and apply the copy, report it; then quiet.
    for (let i = 0; i < 4; i++) await cycle(sims);
    const copy = await dests[0].cluster.get({ apiVersion: 'v1', kind: 'Secret', namespace: 'default', name: 'b12-secret' });
    if (!copy) throw new MeasurementError('the Secret did not reach the destinations');

    // The change: the source reports and its destinations are bumped; its own next poll is fresh.
    await source.cluster.apply(sourceSecret('sc-v1') as never, { fieldManager: 'kubectl', force: true });
    const change = await window(bench, recorder, async () => {
      await cycle([source]);
      await cycle([source]);
    });
    const bumps = (change.writeUnitsByCall['heads.bumpRevision'] ?? 0) / (destinations + 1);
    const bump = { ops: { UpdateItem: 1 }, writeUnits: bumps, writeItems: 1, writeUnitsByCall: { 'heads.bumpRevision': bumps } };
    const reportWrites = classifySyncWrites(bench.ledger!.snapshot());
    if (reportWrites.bumps.total !== destinations + 1)
      throw new MeasurementError(`expected ${destinations + 1} revision bumps, counted ${reportWrites.bumps.total}`);
    // Each destination: its fresh poll, the apply, and whatever it sends after (two cycles: the status report's debounce).
    const perDest = await window(bench, recorder, async () => {
      await cycle(dests);
      await cycle(dests);
    });
    const changed = await dests[destinations - 1].cluster.get({
      apiVersion: 'v1',
      kind: 'Secret',
      namespace: 'default',
      name: 'b12-secret',
    });
    if (!JSON.stringify(changed?.metadata.annotations ?? {}).includes('sc-v1'))
      throw new MeasurementError('the destinations did not apply the changed Secret');
    const syncPerDestination = divide(perDest, destinations);
    syncPerDestination.ops.UpdateItem = (syncPerDestination.ops.UpdateItem ?? 0) + 1;
    syncPerDestination.writeUnits += bumps;
    syncPerDestination.writeItems += 1;
    syncPerDestination.writeUnitsByCall['heads.bumpRevision'] = (syncPerDestination.writeUnitsByCall['heads.bumpRevision'] ?? 0) + bumps;

    // The inventory: one export, the destinations receive it (the placement), every cluster is a member.
    const exp = await bench.admin('POST', '/v1/clusterinventoryexports', {
      apiVersion: API,
      kind: 'ClusterInventoryExport',
      metadata: { name: 'sc-inventory' },
      spec: { placementRef: { name: 'sc-dest' } },
    });
    if (exp.status !== 201) throw new MeasurementError(`creating the export answered ${exp.status}: ${exp.text}`);
    await bench.hub.settle();
    for (let i = 0; i < 2; i++) await cycle(sims);
    const published = (await bench.admin('GET', '/v1/clusterinventoryexports/sc-inventory')).body as {
      status?: { receiverCount?: number };
    };
    if (published.status?.receiverCount !== destinations)
      throw new MeasurementError(`the export has ${JSON.stringify(published.status)} receivers, expected ${destinations}`);
    const ctx = bench.hub.ctx;
    // The export's status carries the time of its last refresh (whole seconds): a refresh in the
    // same second as the one before writes nothing, which a real member change never is.
    bench.clock.advance(1_000);
    const memberChange = await window(bench, recorder, async () => {
      await ctx.ports.queue.send([stepMessage(memberChangedStep, { cluster: source.name })]);
    });
    const receiverPolls = await window(bench, recorder, async () => {
      await cycle(dests);
      await cycle(dests);
    });
    bench.clock.advance(1_000);
    const refresh = await window(bench, recorder, async () => {
      await refreshExport(ctx, 'sc-inventory', { all: false });
    });
    const inventoryPerReceiver = divide(receiverPolls, destinations);
    inventoryPerReceiver.ops.UpdateItem = (inventoryPerReceiver.ops.UpdateItem ?? 0) + 1;
    inventoryPerReceiver.writeUnits += bumps;
    inventoryPerReceiver.writeItems += 1;
    inventoryPerReceiver.writeUnitsByCall['heads.bumpRevision'] =
      (inventoryPerReceiver.writeUnitsByCall['heads.bumpRevision'] ?? 0) + bumps;
    return {
      destinations,
      syncChange: without(change, bump, destinations),
      syncPerDestination,
      members: sims.length,
      receivers: destinations,
      inventoryMemberChange: without(memberChange, bump, destinations),
      inventoryPerReceiver,
      inventoryRefresh: refresh,
    };
  } finally {
    for (const s of sims) await s.close();
    await bench.close();
  }
}
