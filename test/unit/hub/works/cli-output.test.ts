import { describe, expect, it } from '@jest/globals';
import { painter } from '../../../../cli/output/color.js';
import { columnsFor } from '../../../../cli/output/columns.js';
import { describeResource } from '../../../../cli/output/describe.js';
import { formatList } from '../../../../cli/output/print.js';
import type { Resource } from '../../../../shared/resources/meta.js';

/** How `tether get` and `tether describe` show works and placements. */

const NOW = new Date('2026-11-24T12:00:00Z');
const ctx = { now: NOW, paint: painter(false) };
const c = (type: string, status: string, reason: string, message = '') => ({
  type,
  status,
  reason,
  message,
  lastTransitionTime: '2026-11-24T11:50:00Z',
});

const work: Resource = {
  apiVersion: 'tether.dev/v1alpha1',
  kind: 'Work',
  metadata: {
    name: 'web',
    namespace: 'store-1',
    uid: 'u1',
    resourceVersion: '7',
    generation: 3,
    creationTimestamp: '2026-11-24T10:00:00Z',
  },
  spec: {
    workload: {
      manifests: [
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop' }, spec: { replicas: 3 } },
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'shop' }, data: { password: 'c2VjcmV0' } },
      ],
    },
    manifestConfigs: [],
  },
  status: {
    conditions: [
      c('Applied', 'True', 'AppliedManifestComplete'),
      c('Available', 'False', 'ResourcesNotAvailable'),
      c('Degraded', 'False', 'AsExpected'),
      c('Drifted', 'True', 'DriftCorrected', '1 change'),
    ],
    observedGeneration: 2,
    lastReportTime: '2026-11-24T11:58:00Z',
    resourceStatus: {
      manifests: [
        {
          resourceMeta: { group: 'apps', version: 'v1', kind: 'Deployment', namespace: 'shop', name: 'web' },
          conditions: [c('Applied', 'True', 'Applied'), c('Available', 'False', 'MinimumReplicasUnavailable', '1 of 3 replicas ready')],
          statusFeedback: {
            values: [
              { name: 'readyReplicas', value: 1 },
              { name: 'replicas', value: 3 },
            ],
          },
        },
        {
          resourceMeta: { group: '', version: 'v1', kind: 'Secret', namespace: 'shop', name: 'db' },
          conditions: [c('Applied', 'True', 'Applied')],
        },
      ],
    },
    driftEvents: [
      {
        kind: 'Deployment',
        namespace: 'shop',
        name: 'web',
        change: 'Modified',
        fields: ['spec.replicas'],
        corrected: true,
        time: '2026-11-24T11:40:00Z',
      },
      { kind: 'Secret', namespace: 'shop', name: 'db', change: 'Deleted', fields: [], corrected: false, time: '2026-11-24T11:55:00Z' },
    ],
  },
};

const placement: Resource = {
  apiVersion: 'tether.dev/v1alpha1',
  kind: 'Placement',
  metadata: { name: 'rollout', uid: 'u2', resourceVersion: '4', generation: 1, creationTimestamp: '2026-11-24T11:00:00Z' },
  spec: { clusterSets: ['stores'], numberOfClusters: 12, predicates: [], tolerations: [] },
  status: {
    conditions: [c('PlacementSatisfied', 'False', 'NotAllDecisionsScheduled', 'only 10 of 12 requested clusters could be selected')],
    numberOfSelectedClusters: 10,
    observedGeneration: 1,
    lastRecomputeTime: '2026-11-24T11:59:00Z',
    decisionGroups: [
      { decisionGroupIndex: 0, decisionGroupName: 'canary', clusterCount: 2 },
      { decisionGroupIndex: 1, decisionGroupName: '', clusterCount: 8 },
    ],
  },
};

describe('tether get', () => {
  it('works: cluster, manifest count and conditions; generation when wide', () => {
    expect(formatList('Work', [work], 'table', ctx)).toBe(
      'NAME   CLUSTER   MANIFESTS   APPLIED   AVAILABLE   DEGRADED   DRIFTED   AGE\nweb    store-1   2           True      False       False      True      2h\n',
    );
    expect(
      columnsFor('Work', true)
        .map((x) => x.header)
        .slice(-2),
    ).toEqual(['GENERATION', 'LABELS']);
    expect(
      columnsFor('Work', true)
        .find((x) => x.header === 'GENERATION')
        ?.value(work, { now: NOW }),
    ).toBe('3 (observed 2)');
  });

  it('placements: selected of requested, groups, satisfied', () => {
    expect(formatList('Placement', [placement], 'table', ctx)).toBe(
      'NAME      SELECTED   GROUPS   SATISFIED   AGE\nrollout   10/12      2        False       1h\n',
    );
  });
});

describe('tether describe', () => {
  it('a work: manifests summarised (no Secret values), per-manifest conditions, feedback, problems and drift events', () => {
    const out = describeResource(work, ctx);
    expect(out).not.toContain('c2VjcmV0');
    expect(out).toContain(
      'Spec:\n  Manifests:        2\n  Manifest Configs: 0\n  Delete Policy:    Foreground\n  MANIFEST              API VERSION\n  Deployment shop/web   apps/v1\n  Secret shop/db        v1\n',
    );
    expect(out).toContain('  Observed Generation: 2 (the agent has not reported generation 3 yet)\n');
    expect(out).toContain(
      'Manifests:\n  RESOURCE              APPLIED   AVAILABLE   DEGRADED   FEEDBACK\n  Deployment shop/web   True      False       <none>     readyReplicas=1, replicas=3\n  Secret shop/db        True      <none>      <none>     <none>\n',
    );
    expect(out).toContain('Manifest Problems:\n  Deployment shop/web: Available=False MinimumReplicasUnavailable: 1 of 3 replicas ready\n');
    expect(out).toContain(
      'Drift Events:\n  WHEN      RESOURCE              CHANGE     CORRECTED   FIELDS\n  5m ago    Secret shop/db        Deleted    no          <none>\n  20m ago   Deployment shop/web   Modified   yes         spec.replicas\n',
    );
    expect(out).toContain('Drifted     True     DriftCorrected            10m   1 change');
  });

  it('a placement: selected of requested and its decision groups', () => {
    const out = describeResource(placement, ctx);
    expect(out).toContain('Status:\n  Selected Clusters:   10 of 12 requested\n  Observed Generation: 1\n');
    expect(out).toContain('Decision Groups:\n  INDEX   NAME     CLUSTERS\n  0       canary   2\n  1       <none>   8\n');
    expect(out).toContain('numberOfClusters: 12');
  });
});
