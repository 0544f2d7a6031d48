import { describe, expect, it } from '@jest/globals';
import { groupSizeProblem, PlacementSpecSchema, resolveGroupSize } from '../../../../shared/resources/placement.js';
import { ValidationError } from '../../../../shared/errors.js';
import { parseOrThrow } from '../../../../shared/validation.js';

function problems(input: unknown): { path: string; message: string }[] {
  try {
    parseOrThrow(PlacementSpecSchema, input, 'Placement "p"', 'spec');
  } catch (err) {
    if (err instanceof ValidationError) return err.fieldErrors;
    throw err;
  }
  return [];
}

describe('Placement spec validation', () => {
  it('accepts a full OCM-shaped spec and defaults the lists', () => {
    const spec = PlacementSpecSchema.parse({
      clusterSets: ['stores'],
      numberOfClusters: 10,
      predicates: [
        {
          requiredClusterSelector: {
            labelSelector: { matchLabels: { tier: 'store' } },
            claimSelector: { matchExpressions: [{ key: 'platform.tether.dev', operator: 'In', values: ['k3s'] }] },
          },
        },
      ],
      tolerations: [{ key: 'tether.dev/unreachable', operator: 'Exists', tolerationSeconds: 300 }],
      decisionStrategy: {
        groupStrategy: {
          decisionGroups: [{ groupName: 'canary', groupClusterSelector: { labelSelector: { matchLabels: { ring: 'canary' } } } }],
          clustersPerDecisionGroup: '25%',
        },
      },
    });
    expect(spec.tolerations[0].operator).toBe('Exists');
    expect(PlacementSpecSchema.parse({})).toEqual({ clusterSets: [], predicates: [], tolerations: [] });
  });

  it('negative or fractional numberOfClusters', () => {
    expect(problems({ numberOfClusters: -1 })).toEqual([
      { path: 'spec.numberOfClusters', message: 'numberOfClusters must not be negative' },
    ]);
    expect(problems({ numberOfClusters: 1.5 })[0].message).toBe('numberOfClusters must be a whole number');
  });

  it('bad percentages and group sizes', () => {
    const at = (v: unknown) => problems({ decisionStrategy: { groupStrategy: { clustersPerDecisionGroup: v } } });
    expect(at('150%')[0]).toEqual({
      path: 'spec.decisionStrategy.groupStrategy.clustersPerDecisionGroup',
      message: 'clustersPerDecisionGroup percentage must be between 1% and 100%, got "150%"',
    });
    expect(at('0%')[0].message).toContain('between 1% and 100%');
    expect(at('ten%')[0].message).toContain('a whole number or a percentage such as "25%"');
    expect(at('-5%')[0].message).toContain('a whole number or a percentage');
    expect(at(0)[0].message).toContain('at least 1');
    expect(at(true)[0].message).toContain('whole number or a percentage');
    expect(groupSizeProblem('100%')).toBeUndefined();
    expect(resolveGroupSize('50%', 5)).toBe(3);
    expect(resolveGroupSize(4, 100)).toBe(4);
    expect(resolveGroupSize(undefined, 100)).toBeUndefined();
  });

  it('unknown fields are named', () => {
    expect(problems({ clusterSet: ['stores'] })[0]).toMatchObject({ path: 'spec', message: expect.stringContaining('clusterSet') });
    expect(problems({ predicates: [{ requiredClusterSelector: { labelSelectr: {} } }] })[0].message).toContain('labelSelectr');
  });

  it('invalid selectors, claim keys and tolerations', () => {
    expect(
      problems({
        predicates: [{ requiredClusterSelector: { labelSelector: { matchExpressions: [{ key: 'ring', operator: 'In' }] } } }],
      })[0],
    ).toEqual({
      path: 'spec.predicates.0.requiredClusterSelector.labelSelector.matchExpressions.0.values',
      message: 'operator In needs at least one value',
    });
    expect(problems({ predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { 'bad key!': 'x' } } } }] })[0].path).toBe(
      'spec.predicates.0.requiredClusterSelector.labelSelector.matchLabels.bad key!',
    );
    expect(
      problems({ predicates: [{ requiredClusterSelector: { claimSelector: { matchExpressions: [{ key: 'x', operator: 'Near' }] } } }] })[0]
        .message,
    ).toBe('operator must be one of In, NotIn, Exists, DoesNotExist');
    expect(problems({ tolerations: [{ operator: 'Equal', value: 'x' }] })[0].message).toContain('operator Equal needs a key');
    expect(problems({ tolerations: [{ key: 'k', operator: 'Exists', value: 'x' }] })[0].message).toBe('operator Exists takes no value');
    expect(problems({ tolerations: [{ key: 'k', operator: 'Exists', tolerationSeconds: -3 }] })[0].message).toBe(
      'tolerationSeconds must not be negative',
    );
    expect(problems({ tolerations: [{ key: 'k', effect: 'NoExecute' }] })[0].message).toBe(
      'effect must be one of NoSelect, PreferNoSelect, NoSelectIfNew',
    );
  });

  it('duplicate group names and bad set names', () => {
    const g = { groupClusterSelector: {} };
    expect(
      problems({
        decisionStrategy: {
          groupStrategy: {
            decisionGroups: [
              { groupName: 'a', ...g },
              { groupName: 'a', ...g },
            ],
          },
        },
      })[0],
    ).toEqual({
      path: 'spec.decisionStrategy.groupStrategy.decisionGroups.1.groupName',
      message: 'duplicate group name "a"',
    });
    expect(problems({ clusterSets: ['Not_A_Name'] })[0].path).toBe('spec.clusterSets.0');
  });
});
