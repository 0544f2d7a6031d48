import { canonicalJson } from '../../../shared/hash.js';
import { clusterSetKind } from '../../../shared/resources/clusterset.js';
import { behaviourFor } from '../../core/registry.js';
import { CLUSTERSET_MEMBERS, fanOutMembershipStep } from './membership.js';
import { stepMessage } from '../../core/steps.js';

/** ClusterSet writes rebuild the membership index; reads add the member count. */
export const clusterSetBehaviour = behaviourFor(clusterSetKind, {
  initialStatus: () => ({ conditions: [] }),
  async afterCreate(res, ctx) {
    await ctx.ports.queue.send([stepMessage(fanOutMembershipStep, { set: res.metadata.name, source: 'all' })]);
  },
  async afterUpdate(prev, next, ctx) {
    if (canonicalJson(prev.spec) !== canonicalJson(next.spec)) {
      await ctx.ports.queue.send([stepMessage(fanOutMembershipStep, { set: next.metadata.name, source: 'all' })]);
    }
  },
  async afterDelete(res, ctx) {
    await ctx.ports.queue.send([stepMessage(fanOutMembershipStep, { set: res.metadata.name, source: 'members' })]);
  },
  async decorate(res, ctx) {
    const memberCount = await ctx.ports.relations.count(CLUSTERSET_MEMBERS, res.metadata.name);
    return { ...res, status: { ...(res.status ?? {}), memberCount } };
  },
});
