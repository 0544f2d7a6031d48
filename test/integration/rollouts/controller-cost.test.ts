import { describe, expect, it } from '@jest/globals';
import { countOperations, createTableIfMissing } from '../../../lambdas/adapters/dynamodb/index.js';
import { type HubContext } from '../../../lambdas/core/context.js';
import { parseDesired, ResourceService } from '../../../lambdas/core/resource-service.js';
import { progressMessage } from '../../../lambdas/capabilities/rollouts/rollout-steps.js';
import { runStep } from '../../../lambdas/core/steps.js';
import type { StepMessage } from '../../../lambdas/ports/queue.js';
import { recordingHub, useDynalite } from '../../support/recording-hub.js';
import { API, configMap, fleetDeployment, markOnline, reportWork } from './support/fleet.js';

/**
 * The controller's cost follows what changed, not the fleet: a run over a finished rollout, and a
 * run after one store reported a change, send the same DynamoDB operations for 10 stores and for
 * 60 (the tracking index is one Query per 1,000 stores).
 */
const dynamo = useDynalite();

async function fleetOf(size: number): Promise<{ ctx: HubContext; sent: StepMessage[] }> {
  const table = `cost-${size}`;
  await createTableIfMissing(dynamo(), table);
  const { ctx, sent } = recordingHub(dynamo(), table, { config: { fanOutBatchSize: 25 } });
  const drain = async () => {
    while (sent.length) for (const m of sent.splice(0, sent.length)) await runStep(m, ctx);
  };
  const service = new ResourceService(ctx);
  const names = Array.from({ length: size }, (_, i) => `s-${i}`);
  for (const name of names)
    await service.apply(
      parseDesired({ apiVersion: API, kind: 'Cluster', metadata: { name, labels: { fleet: 'f' } }, spec: { hubAcceptsClient: true } }),
      false,
    );
  await service.apply(
    parseDesired({
      apiVersion: API,
      kind: 'Placement',
      metadata: { name: 'p' },
      spec: { predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { fleet: 'f' } } } }] },
    }),
    false,
  );
  await drain();
  for (const name of names) await markOnline(ctx, name);
  await service.apply(
    parseDesired(
      fleetDeployment('menu', { template: { workload: { manifests: [configMap('menu', { a: 'b' })] } }, placementRef: { name: 'p' } }),
    ),
    false,
  );
  await drain();
  for (const name of names) await reportWork(ctx, name, 'menu');
  await drain();
  await runStep(progressMessage(ctx, 'menu'), ctx);
  const fd = await ctx.ports.resources.get({ kind: 'FleetDeployment', name: 'menu' }, { consistent: true });
  expect(fd?.status as { state: string; summary: { available: number } }).toMatchObject({
    state: 'Complete',
    summary: { available: size },
  });
  return { ctx, sent };
}

/** The operations of one controller run, after `before` ran. */
async function measure(ctx: HubContext, before: () => Promise<void> = async () => undefined): Promise<Record<string, number>> {
  await before();
  const ops = countOperations(dynamo());
  try {
    await runStep(progressMessage(ctx, 'menu'), ctx);
    return ops.snapshot().counts;
  } finally {
    ops.detach();
  }
}

describe('controller cost', () => {
  it('is the same for 10 and 60 stores: an idle run, and a run after one store changed', async () => {
    const small = await fleetOf(10);
    const big = await fleetOf(60);
    const idleSmall = await measure(small.ctx);
    const idleBig = await measure(big.ctx);
    expect(idleBig).toEqual(idleSmall);
    // One store degrades: the work-status event marks its work changed; the run re-reads that store only.
    const change = (fleet: { ctx: HubContext; sent: StepMessage[] }) => async () => {
      await reportWork(fleet.ctx, 's-3', 'menu', { applied: true, available: false, degraded: true });
      const events = fleet.sent.splice(0, fleet.sent.length).filter((m) => m.type === 'fleetdeployment.work-status-changed');
      expect(events).toHaveLength(1);
      await runStep(events[0], fleet.ctx);
      fleet.sent.length = 0;
    };
    const oneSmall = await measure(small.ctx, change(small));
    const oneBig = await measure(big.ctx, change(big));
    expect(oneBig).toEqual(oneSmall);
    expect(oneSmall.BatchGetItem).toBeGreaterThan(idleSmall.BatchGetItem ?? 0);
    // Idle: the deployment and the lease read, the lease taken and given back, the placement's
    // decisions, tracks, errors and dirty marks listed (one Query each), the active mark removed.
    expect(idleSmall).toEqual({ GetItem: 2, PutItem: 2, Query: 4, DeleteItem: 1 });
    // One store changed: its dirty mark removed and its track rewritten (one batch each), its Work,
    // the Work's status and its head read in one batch each, and the deployment's status written.
    expect(oneSmall).toEqual({ GetItem: 2, PutItem: 3, Query: 4, DeleteItem: 1, BatchGetItem: 3, BatchWriteItem: 2 });
    if (process.env.TETHER_PRINT_COST) process.stdout.write(`${JSON.stringify({ idle: idleSmall, oneChanged: oneSmall })}\n`);
  }, 120_000);
});
