import { canonicalJson } from '../../../shared/hash.js';
import type { ClusterSetStatus } from '../../../shared/resources/clusterset.js';
import { registerBehaviour } from '../../core/context.js';
import { CLUSTERSET_MEMBERS, fanOutMembershipStep } from './membership.js';
import { stepMessage } from '../../core/steps.js';

registerBehaviour('ClusterSet', {
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
    return { ...res, status: { ...((res.status ?? {}) as ClusterSetStatus), memberCount } };
  },
});
