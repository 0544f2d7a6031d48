import { describe, expect, it } from '@jest/globals';
import { decisionDiff } from '../../../../lambdas/capabilities/placements/decision-store.js';

describe('decisionDiff', () => {
  it('lists only new, moved and dropped clusters, new and moved ones first in the order chosen', () => {
    const previous = new Map([
      ['a', { group: 0, groupName: 'canary' }],
      ['b', { group: 1, groupName: '' }],
      ['c', { group: 1, groupName: '' }],
      ['d', { group: 2, groupName: '' }],
    ]);
    const next = [
      { cluster: 'a', group: 0, groupName: 'canary' },
      { cluster: 'b', group: 2, groupName: '' },
      { cluster: 'c', group: 1, groupName: 'renamed' },
      { cluster: 'e', group: 1, groupName: '' },
    ];
    expect(decisionDiff(previous, next)).toEqual([
      ['b', { group: 2, groupName: '' }],
      ['c', { group: 1, groupName: 'renamed' }],
      ['e', { group: 1, groupName: '' }],
      ['d', undefined],
    ]);
  });

  it('is empty when nothing changed, and drops everything for no decisions', () => {
    const previous = new Map([['a', { group: 0, groupName: '' }]]);
    expect(decisionDiff(previous, [{ cluster: 'a', group: 0, groupName: '' }])).toEqual([]);
    expect(decisionDiff(previous, [])).toEqual([['a', undefined]]);
    expect(decisionDiff(new Map(), [])).toEqual([]);
  });
});
