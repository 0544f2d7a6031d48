import { describe, expect, it } from '@jest/globals';
import { computeMemberships } from '../../../lambdas/capabilities/clustersets/membership.js';
import type { ClusterSetSpec } from '../../../shared/resources/clusterset.js';
import type { Resource } from '../../../shared/resources/meta.js';

function set(name: string, spec: ClusterSetSpec, deleting = false): Resource<ClusterSetSpec> {
  return {
    apiVersion: 'tether.dev/v1alpha1',
    kind: 'ClusterSet',
    metadata: {
      name,
      uid: name,
      resourceVersion: '1',
      generation: 1,
      creationTimestamp: '',
      ...(deleting ? { deletionTimestamp: 'x' } : {}),
    },
    spec,
  };
}

describe('computeMemberships', () => {
  const sets = [
    set('stores', { clusterSelector: { selectorType: 'ExclusiveClusterSetLabel' } }),
    set('east', { clusterSelector: { selectorType: 'LabelSelector', labelSelector: { matchLabels: { region: 'us-east' } } } }),
    set('all', { clusterSelector: { selectorType: 'LabelSelector', labelSelector: {} } }),
    set('gone', { clusterSelector: { selectorType: 'LabelSelector', labelSelector: {} } }, true),
  ];
  it('uses the exclusive set label and label selectors, sorted, skipping deleted sets', () => {
    expect(computeMemberships({ 'tether.dev/clusterset': 'stores', region: 'us-east' }, sets)).toEqual(['all', 'east', 'stores']);
  });
  it('an exclusive label naming another set does not match', () => {
    expect(computeMemberships({ 'tether.dev/clusterset': 'factories' }, sets)).toEqual(['all']);
  });
  it('a cluster without labels is only in match-all sets', () => {
    expect(computeMemberships(undefined, sets)).toEqual(['all']);
  });
});
