import { describe, expect, it } from '@jest/globals';
import { clusterFeatures, matchesAnyFeature, matchesFeature } from '../../../shared/cluster-features.js';

describe('clusterFeatures', () => {
  it('reads feature claims with their labels and hub labels set to true', () => {
    const f = clusterFeatures({
      metadata: { labels: { 'feature.tether.dev/istio': 'true', 'feature.tether.dev/off': 'false', env: 'prod' } },
      status: {
        claims: [
          { name: 'feature.tether.dev/vault', value: '{"tier":"gold","n":3}' },
          { name: 'id.k8s.io', value: 'abc' },
        ],
      },
    });
    expect([...f.keys()].sort()).toEqual(['istio', 'vault']);
    expect(f.get('istio')).toEqual({});
    expect(f.get('vault')).toEqual({ tier: 'gold' });
  });

  it('lets a claim win over a hub label of the same feature, and tolerates a malformed claim value', () => {
    expect(
      clusterFeatures({
        metadata: { labels: { 'feature.tether.dev/vault': 'true' } },
        status: { claims: [{ name: 'feature.tether.dev/vault', value: '{"tier":"gold"}' }] },
      }).get('vault'),
    ).toEqual({ tier: 'gold' });
    expect(clusterFeatures({ metadata: {}, status: { claims: [{ name: 'feature.tether.dev/x', value: 'not json' }] } }).get('x')).toEqual(
      {},
    );
  });
});

describe('matchesFeature / matchesAnyFeature', () => {
  const features = new Map<string, Record<string, string>>([
    ['vault', { tier: 'gold' }],
    ['istio', {}],
  ]);
  it('needs the feature and every matchLabel', () => {
    expect(matchesFeature(features, { featureName: 'vault' })).toBe(true);
    expect(matchesFeature(features, { featureName: 'vault', matchLabels: { tier: 'gold' } })).toBe(true);
    expect(matchesFeature(features, { featureName: 'vault', matchLabels: { tier: 'silver' } })).toBe(false);
    expect(matchesFeature(features, { featureName: 'istio', matchLabels: { a: 'b' } })).toBe(false);
    expect(matchesFeature(features, { featureName: 'nope' })).toBe(false);
  });
  it('is any-of, and an empty list is no constraint', () => {
    expect(matchesAnyFeature(features, [{ featureName: 'nope' }, { featureName: 'istio' }])).toBe(true);
    expect(matchesAnyFeature(features, [{ featureName: 'nope' }])).toBe(false);
    expect(matchesAnyFeature(new Map(), [])).toBe(true);
  });
});
