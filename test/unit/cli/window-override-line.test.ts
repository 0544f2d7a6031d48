import { describe, expect, it } from '@jest/globals';
import { windowOverrideLine } from '../../../cli/commands/rollout.js';

const NOW = new Date('2026-12-05T10:00:00Z');
const override = { reason: 'CVE-2026-1234', revision: 2 };

describe('rollout status: the window override line', () => {
  it('says an override lapsed while the new revision still waits for windows', () => {
    expect(windowOverrideLine({ state: 'WaitingForWindow', revision: 3, control: { windowOverride: override } }, NOW)).toMatch(
      /window override of revision 2 \("CVE-2026-1234"\) has lapsed: revision 3 waits/,
    );
  });

  it('says nothing of a lapsed override once the rollout is over', () => {
    for (const state of ['Complete', 'CompleteWithFailures', 'Aborted']) {
      expect(windowOverrideLine({ state, revision: 3, control: { windowOverride: override } }, NOW)).toBeUndefined();
      expect(
        windowOverrideLine({ state, revision: 2, control: { windowOverride: { ...override, until: '2026-12-05T09:00:00Z' } } }, NOW),
      ).toBeUndefined();
    }
  });

  it('still shows an override in force', () => {
    expect(windowOverrideLine({ state: 'Complete', revision: 2, control: { windowOverride: override } }, NOW)).toBe(
      'maintenance windows overridden for revision 2 ("CVE-2026-1234")',
    );
  });
});
