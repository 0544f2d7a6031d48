import type { HubContext } from './context.js';

/** The data a relation item may carry. */
export type RelationData = Record<string, string | number | boolean>;

/** Every item of one relation source, page by page (for sources that stay small or are read in full anyway). */
export async function listAllTargets(ctx: HubContext, relation: string, from: string): Promise<{ to: string; data?: RelationData }[]> {
  const out: { to: string; data?: RelationData }[] = [];
  let cursor: string | undefined;
  do {
    const page = await ctx.ports.relations.list(relation, from, { limit: 1000, cursor });
    out.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return out;
}
