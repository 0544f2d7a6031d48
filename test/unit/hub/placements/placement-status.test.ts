import { describe, expect, it } from '@jest/globals';
import {
  countedGroup,
  emptyPlacementStatus,
  NONE,
  publicStatus,
  RECENT_CHANGES,
  statusFromDecisions,
  withCountChange,
} from '../../../../lambdas/capabilities/placements/placement-status.js';
import { PlacementSpecSchema, type PlacementStatus } from '../../../../shared/resources/placement.js';

const NOW = '2026-11-24T12:00:00Z';
const spec = PlacementSpecSchema.parse({ numberOfClusters: 3 });

describe('placement counts', () => {
  it('counts a cluster joining, moving and leaving, with conditions', () => {
    let s: PlacementStatus = emptyPlacementStatus();
    s = withCountChange(s, spec, { cluster: 'a', from: NONE, to: 0, toName: '' }, NOW);
    s = withCountChange(s, spec, { cluster: 'b', from: NONE, to: 1, toName: '' }, NOW);
    expect(s.numberOfSelectedClusters).toBe(2);
    expect(s.decisionGroups).toEqual([
      { decisionGroupIndex: 0, decisionGroupName: '', clusterCount: 1 },
      { decisionGroupIndex: 1, decisionGroupName: '', clusterCount: 1 },
    ]);
    expect(s.conditions.find((c) => c.type === 'PlacementSatisfied')).toMatchObject({
      status: 'False',
      reason: 'NotAllDecisionsScheduled',
    });
    s = withCountChange(s, spec, { cluster: 'c', from: NONE, to: 1, toName: '' }, NOW);
    expect(s.conditions.find((c) => c.type === 'PlacementSatisfied')).toMatchObject({
      status: 'True',
      reason: 'AllDecisionsScheduled',
      message: '3 of 3 requested clusters selected',
    });
    // a moves from chunk 0 to chunk 1: chunk 0 empties and disappears.
    s = withCountChange(s, spec, { cluster: 'a', from: 0, to: 1, toName: '' }, NOW);
    expect(s.numberOfSelectedClusters).toBe(3);
    expect(s.decisionGroups).toEqual([{ decisionGroupIndex: 1, decisionGroupName: '', clusterCount: 3 }]);
    s = withCountChange(s, spec, { cluster: 'b', from: 1, to: NONE, toName: '' }, NOW);
    expect(s.numberOfSelectedClusters).toBe(2);
  });

  it('named groups stay listed at zero', () => {
    let s: PlacementStatus = {
      ...emptyPlacementStatus(),
      decisionGroups: [{ decisionGroupIndex: 0, decisionGroupName: 'canary', clusterCount: 1 }],
      numberOfSelectedClusters: 1,
    };
    s = withCountChange(s, spec, { cluster: 'a', from: 0, to: NONE, toName: '' }, NOW);
    expect(s.decisionGroups).toEqual([{ decisionGroupIndex: 0, decisionGroupName: 'canary', clusterCount: 0 }]);
  });

  it('what the counts reflect for a cluster: its latest recorded change, else its relation item', () => {
    let s: PlacementStatus = emptyPlacementStatus();
    expect(countedGroup(s, 'a', undefined)).toBe(NONE);
    expect(countedGroup(s, 'a', { group: 2, groupName: '' })).toBe(2);
    s = withCountChange(s, spec, { cluster: 'a', from: 2, to: 0, toName: '' }, NOW);
    // The relation item still says 2 (its write follows the count): the counts already say 0.
    expect(countedGroup(s, 'a', { group: 2, groupName: '' })).toBe(0);
    s = withCountChange(s, spec, { cluster: 'a', from: 0, to: NONE, toName: '' }, NOW);
    expect(countedGroup(s, 'a', { group: 0, groupName: '' })).toBe(NONE);
  });

  it('keeps a bounded list of recent changes with increasing sequence numbers', () => {
    let s: PlacementStatus = emptyPlacementStatus();
    for (let i = 0; i < RECENT_CHANGES + 10; i++) s = withCountChange(s, spec, { cluster: `c${i}`, from: NONE, to: 0, toName: '' }, NOW);
    expect(s.bookkeeping?.recent).toHaveLength(RECENT_CHANGES);
    expect(s.bookkeeping?.changeSeq).toBe(RECENT_CHANGES + 10);
    expect(s.bookkeeping?.recent[0].cluster).toBe('c10');
    expect(s.numberOfSelectedClusters).toBe(RECENT_CHANGES + 10);
  });

  it('a full recomputation replaces the counts and asks to look again at recently changed clusters, with its own outcome', () => {
    let s: PlacementStatus = emptyPlacementStatus();
    s = withCountChange(s, spec, { cluster: 'x', from: NONE, to: 0, toName: '' }, NOW);
    s = withCountChange(s, spec, { cluster: 'y', from: NONE, to: 0, toName: '' }, NOW);
    s = withCountChange(s, spec, { cluster: 'x', from: 0, to: 1, toName: '' }, NOW);
    const result = {
      decisions: [
        { cluster: 'old', group: 0, groupName: '' },
        { cluster: 'x', group: 0, groupName: '' },
      ],
      groups: [{ decisionGroupIndex: 0, decisionGroupName: '', clusterCount: 2 }],
      numberOfSelectedClusters: 2,
      recheckAt: {},
    };
    const out = statusFromDecisions(s, spec, 4, result, ['missing-set'], NOW);
    expect(out.recheck.sort()).toEqual(['x', 'y']);
    expect(out.status.numberOfSelectedClusters).toBe(2);
    expect(out.status.observedGeneration).toBe(4);
    expect(out.status.bookkeeping?.recent).toHaveLength(2);
    // y was not chosen by the recomputation: the counts say so until y is looked at again.
    expect(countedGroup(out.status, 'y', { group: 0, groupName: '' })).toBe(NONE);
    expect(countedGroup(out.status, 'x', { group: 1, groupName: '' })).toBe(0);
    expect(out.status.conditions.find((c) => c.type === 'PlacementMisconfigured')).toMatchObject({
      status: 'True',
      reason: 'ClusterSetNotFound',
    });
    expect(out.status.conditions.find((c) => c.type === 'PlacementMisconfigured')?.message).toContain('missing-set');
    // The missing set stays reported across later incremental changes.
    const later = withCountChange(out.status, spec, { cluster: 'z', from: NONE, to: 0, toName: '' }, NOW);
    expect(later.conditions.find((c) => c.type === 'PlacementMisconfigured')?.status).toBe('True');
  });

  it('the public status hides the bookkeeping', () => {
    const s = withCountChange(emptyPlacementStatus(), spec, { cluster: 'a', from: NONE, to: 0, toName: '' }, NOW);
    expect(s.bookkeeping).toBeDefined();
    expect(publicStatus(s)).not.toHaveProperty('bookkeeping');
    expect(publicStatus(s).numberOfSelectedClusters).toBe(1);
  });
});
