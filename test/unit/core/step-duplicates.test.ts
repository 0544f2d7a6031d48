import { describe, expect, it } from '@jest/globals';
import { converge, DELIBERATE, harness, outcome, snapshot, story, withoutDeliberate } from '../../support/step-story.js';

/**
 * Duplicate and out-of-order delivery of EVERY step type, generated from the step registry of a
 * fully composed hub: one story of a fleet's life (clusters join and poll, sets, placements, a
 * rollout, work status, a policy, relabelling, an upgrade that misses its deadline, a silent
 * agent, a detach, deletions) runs three times on the memory ports, delivering the queue
 *
 * - once: each message once, in order (the reference);
 * - twice: each message twice in a row;
 * - late: each batch in order, then the whole batch again in reverse order (a duplicate arriving
 *   after later messages, as SQS may deliver it);
 * - crash: the first delivery of each step type that writes dies right after its first write (every later write and send of
 *   that run fails, as if the process had been killed), then the message is delivered again, as
 *   SQS does when it was never deleted: a step must not lose its follow-up work because its first
 *   run already wrote what it compares against. Recovery may take the hub's own timers (a dead
 *   run's controller lease expires, a hand-out without a Work is sent again), so both this run and
 *   the reference are given the same time to converge and compared on their outcome: every
 *   object's spec, labels, lifecycle and condition states, and every index entry.
 *
 * Every run must end in the same stored state, and the story must have delivered every step type
 * the registry knows: a new step type fails this test until the story produces it.
 */

describe('duplicate and out-of-order delivery of every step type', () => {
  let reference: unknown;
  let seen: Set<string>;

  it('the story delivers every step type of the composed registry', async () => {
    const h = await harness('once');
    await story(h);
    reference = snapshot(h.hub);
    seen = h.seen;
    const missing = h.hub.ctx.registry.stepTypes.filter((t) => !seen.has(t));
    expect(missing).toEqual([]);
  });

  it.each(['twice', 'late'] as const)('every step delivered %s leaves the same state as once', async (mode) => {
    const h = await harness(mode);
    await story(h);
    expect(h.seen).toEqual(seen);
    const undue = [...h.changedByDuplicate].flatMap(([type, paths]) =>
      paths.filter((path) => !DELIBERATE[type]?.test(path)).map((path) => `${type}: ${path}`),
    );
    expect(undue).toEqual([]);
    expect(withoutDeliberate(snapshot(h.hub))).toEqual(withoutDeliberate(reference));
  });

  it('every step type dying once right after its first write, then delivered again, converges to the same outcome', async () => {
    const once = await harness('once');
    await story(once);
    await converge(once);
    const h = await harness('crash');
    await story(h);
    await converge(h);
    expect(outcome(h.hub)).toEqual(outcome(once.hub));
    expect(h.seen).toEqual(seen);
    // Every step type that writes died once (the others only send messages, so there is nothing to die after).
    expect([...h.crashed].sort()).toEqual([
      'cluster.detach-complete',
      'cluster.finalize',
      'cluster.lease-expired',
      'cluster.lease-renewed',
      'cluster.upgrade-deadline',
      'fleetdeployment.cleanup',
      'fleetdeployment.progress',
      'fleetdeployment.remove-clusters',
      'fleetdeployment.rollout-batch',
      'fleetdeployment.work-status-changed',
      'governance.sync-policy',
      'inventory.refresh-export',
      'membership.recompute-clusters',
      'placement.cluster-changed',
      'placement.deleted',
      'placement.recompute',
      'sync.bump-destinations',
      'sync.sync-rule',
    ]);
  });
});
