import { describe, expect, it } from '@jest/globals';
import { DELIBERATE, harness, snapshot, story, withoutDeliberate } from '../../support/step-story.js';

/**
 * Duplicate and out-of-order delivery of EVERY step type, generated from the step registry of a
 * fully composed hub: one story of a fleet's life (clusters join and poll, sets, placements, a
 * rollout, work status, a policy, relabelling, an upgrade that misses its deadline, a silent
 * agent, a detach, deletions) runs three times on the memory ports, delivering the queue
 *
 * - once: each message once, in order (the reference);
 * - twice: each message twice in a row;
 * - late: each batch in order, then the whole batch again in reverse order (a duplicate arriving
 *   after later messages, as SQS may deliver it).
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
});
