import { z } from 'zod';
import { pMap } from '../../../shared/concurrency.js';
import type { HubContext } from '../../core/context.js';
import { defineStep, stepMessage } from '../../core/steps.js';
import { bumpClusterRevision } from '../works/works.js';
import { inventoryOf, readInventory, RULE_DESTINATIONS, SYNC_INVENTORY } from './relations.js';
import { deleteItem, SYNC_OBJECT_KIND } from './store.js';

/**
 * A source's stored objects as a whole: their removal (the source left the rule, the rule or the
 * cluster went) and the fan-out that tells a rule's destinations their objects changed.
 */

/** Deletes every object and inventory entry of one source under one rule; true when this run deleted a deliverable object. */
export async function removeSourceObjects(ctx: HubContext, rule: string, source: string): Promise<boolean> {
  const entries = await readInventory(ctx, rule, source);
  // Objects before their inventory entries: a run cut short leaves entries that the next run finds.
  await pMap(entries, (e) => deleteItem(ctx, SYNC_OBJECT_KIND, inventoryOf(rule, source), e.key), { concurrency: 16 });
  await ctx.ports.relations.removeMany(entries.map((e) => ({ relation: SYNC_INVENTORY, from: inventoryOf(rule, source), to: e.key })));
  return entries.some((e) => !e.refused);
}

/**
 * Step: bump the revision of a rule's destinations (but `except`, the source whose report changed
 * them), one page of `fanOutBatchSize` per message, chaining itself with the page cursor, like the
 * FleetDeployment fan-out: a change for 1,000 destinations is ten messages, not one long request.
 */
export const bumpDestinationsStep = defineStep({
  type: 'sync.bump-destinations',
  payload: z.object({ rule: z.string().min(1), except: z.string().optional(), cursor: z.string().optional() }),
  async run({ rule, except, cursor }, ctx) {
    const page = await ctx.ports.relations.list(RULE_DESTINATIONS, rule, { limit: ctx.config.fanOutBatchSize, cursor });
    if (page.cursor) await ctx.ports.queue.send([stepMessage(bumpDestinationsStep, { rule, except, cursor: page.cursor })]);
    const clusters = page.items.map((i) => i.to).filter((c) => c !== except);
    await pMap(clusters, (c) => bumpClusterRevision(ctx, c), { concurrency: 16 });
  },
});

/** Queues the fan-out of a change of `source`'s objects under `rule` to the rule's destinations. */
export async function queueBumpDestinations(ctx: HubContext, rule: string, source: string): Promise<void> {
  await ctx.ports.queue.send([stepMessage(bumpDestinationsStep, { rule, except: source })]);
}
