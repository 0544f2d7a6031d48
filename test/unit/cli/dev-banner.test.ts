import { describe, expect, it } from '@jest/globals';
import { demoLines } from '../../../cli/commands/dev.js';

/** What `tether dev --demo N` says about the demo fleet on each start. */
describe('the demo lines of the start banner', () => {
  it('says what the first start created and how many agents run', () => {
    expect(demoLines(20, { created: 22, existing: 0 }, { count: 20, skipped: [] })).toEqual([
      '  Demo fleet:   20 store clusters and 2 cluster sets (created); 20 simulated agents',
    ]);
  });

  it('says a restart kept what was there, and which clusters got no agent', () => {
    expect(demoLines(20, { created: 0, existing: 22 }, { count: 19, skipped: ['store-0003'] })).toEqual([
      '  Demo fleet:   20 store clusters and 2 cluster sets (kept as they were); 19 simulated agents',
      '                no agent for store-0003 (denied, detached or being deleted)',
    ]);
    expect(demoLines(20, { created: 1, existing: 21 }, { count: 20, skipped: [] })[0]).toContain(
      '(1 object created, 21 objects kept as they were)',
    );
  });

  it('says nothing without --demo', () => {
    expect(demoLines(undefined, undefined, undefined)).toEqual([]);
  });
});
