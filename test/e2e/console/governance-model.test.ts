import {
  byCluster,
  byStandard,
  complianceRank,
  countStates,
  mappingOf,
  NO_CONTROL,
  NO_STANDARD,
  sortCompliance,
  sortPolicies,
  templateTypes,
  violationCount,
  type ClusterPolicyCompliance,
  type PolicyObject,
} from '../../../console/src/model/governance.js';
import { parseRoute, routeHref } from '../../../console/src/model/route.js';

/**
 * The governance views' pure logic (console/src/model/governance.ts), without a browser: the
 * roll-up by standard and control, the non-compliant policies per cluster, the orderings.
 */

function policy(
  name: string,
  o: {
    standards?: string[];
    controls?: string[];
    annotations?: Record<string, string>;
    compliant?: PolicyObject['status'] extends infer S ? (S extends { compliant?: infer C } ? C : never) : never;
    summary?: { clusters?: number; compliant?: number; nonCompliant?: number; pending?: number; unknown?: number };
    nonCompliantClusters?: string[];
  } = {},
): PolicyObject {
  return {
    apiVersion: 'tether.dev/v1alpha1',
    kind: 'Policy',
    metadata: { name, annotations: o.annotations },
    spec: { standards: o.standards, controls: o.controls, policyTemplates: [] },
    status: { compliant: o.compliant, summary: o.summary, nonCompliantClusters: o.nonCompliantClusters },
  };
}

const POLICIES = [
  policy('ns-owner', {
    standards: ['PCI DSS 4.0'],
    controls: ['2.2.1'],
    compliant: 'Compliant',
    summary: { clusters: 3, compliant: 3 },
  }),
  policy('default-deny', {
    standards: ['PCI DSS 4.0'],
    controls: ['1.2.1', '1.3.1'],
    annotations: { 'policy.open-cluster-management.io/standards': 'NIST SP 800-53, PCI DSS 4.0' },
    compliant: 'NonCompliant',
    summary: { clusters: 3, compliant: 1, nonCompliant: 2 },
    nonCompliantClusters: ['store-a', 'store-b'],
  }),
  policy('no-privileged', {
    standards: ['PCI DSS 4.0'],
    controls: ['1.2.1'],
    compliant: 'NonCompliant',
    summary: { clusters: 3, compliant: 1, nonCompliant: 1, pending: 1 },
    nonCompliantClusters: ['store-b'],
  }),
  policy('argo-bootstrap', { compliant: 'Pending', summary: { clusters: 3, pending: 2, unknown: 1 } }),
];

test('the mapping merges the first-class fields with the OCM annotations, without repeats', () => {
  expect(mappingOf(POLICIES[1])).toEqual({ standards: ['PCI DSS 4.0', 'NIST SP 800-53'], categories: [], controls: ['1.2.1', '1.3.1'] });
});

test('by standard and control: counts of policies and distinct non-compliant clusters, non-compliant first at both levels', () => {
  const rows = byStandard(POLICIES);
  // Both standards fail on two clusters: by name then; the standard without failures comes last.
  expect(rows.map((r) => r.standard)).toEqual(['NIST SP 800-53', 'PCI DSS 4.0', NO_STANDARD]);
  expect(rows[0]).toMatchObject({ policies: ['default-deny'], nonCompliantClusters: 2 });
  const pci = rows[1];
  expect(pci).toMatchObject({
    compliance: 'NonCompliant',
    policies: ['default-deny', 'no-privileged', 'ns-owner'],
    nonCompliantPolicies: 2,
    compliantPolicies: 1,
    nonCompliantClusters: 2,
    atLeast: false,
    results: { compliant: 5, nonCompliant: 3, pending: 1, unknown: 0 },
  });
  // 1.2.1 has two failing policies over two clusters; 1.3.1 one policy over two; 2.2.1 complies.
  expect(pci.controls.map((c) => [c.control, c.compliance, c.policies, c.nonCompliantClusters])).toEqual([
    ['1.2.1', 'NonCompliant', ['default-deny', 'no-privileged'], 2],
    ['1.3.1', 'NonCompliant', ['default-deny'], 2],
    ['2.2.1', 'Compliant', ['ns-owner'], 0],
  ]);
  expect(rows[2].controls.map((c) => c.control)).toEqual([NO_CONTROL]);
  expect(rows[2].compliance).toBe('Pending');
});

test('a policy whose list of non-compliant clusters was cut makes the count a lower bound', () => {
  const big = policy('big', {
    standards: ['S'],
    compliant: 'NonCompliant',
    summary: { nonCompliant: 150 },
    nonCompliantClusters: ['a', 'b'],
  });
  expect(byStandard([big])[0]).toMatchObject({ nonCompliantClusters: 2, atLeast: true });
  expect(byCluster([big], ['a', 'c']).truncated).toBe(true);
});

test('by cluster: every fleet cluster is a row, most non-compliant policies first', () => {
  const { rows, truncated } = byCluster(POLICIES, ['store-c', 'store-a', 'store-b']);
  expect(truncated).toBe(false);
  expect(rows).toEqual([
    { cluster: 'store-b', nonCompliant: ['default-deny', 'no-privileged'] },
    { cluster: 'store-a', nonCompliant: ['default-deny'] },
    { cluster: 'store-c', nonCompliant: [] },
  ]);
});

test('policies and compliance rows: non-compliant, then pending, unknown, compliant, then by name', () => {
  expect(sortPolicies(POLICIES).map((p) => p.metadata.name)).toEqual(['default-deny', 'no-privileged', 'argo-bootstrap', 'ns-owner']);
  expect(complianceRank(undefined)).toBeGreaterThan(complianceRank('Compliant'));
  const row = (cluster: string, compliance: ClusterPolicyCompliance['compliance']): ClusterPolicyCompliance => ({
    cluster,
    policy: 'p',
    compliance,
    templates: [],
  });
  const rows = [row('a', 'Compliant'), row('b', 'Unknown'), row('c', 'NonCompliant'), row('d', 'Pending'), row('e', 'NonCompliant')];
  expect(sortCompliance(rows, 'cluster').map((r) => r.cluster)).toEqual(['c', 'e', 'd', 'b', 'a']);
  expect(countStates(rows)).toEqual({ NonCompliant: 2, Pending: 1, Unknown: 1, Compliant: 1 });
});

test('violations count the violating objects and those the hub left out; template types are counted', () => {
  const c: ClusterPolicyCompliance = {
    cluster: 'a',
    policy: 'p',
    compliance: 'NonCompliant',
    templates: [
      {
        name: 't',
        compliance: 'NonCompliant',
        objects: [
          { apiVersion: 'v1', kind: 'Pod', name: 'x', compliant: false, reason: 'r' },
          { apiVersion: 'v1', kind: 'Pod', name: 'y', compliant: true, reason: 'ok' },
        ],
        omittedObjects: 3,
      },
    ],
  };
  expect(violationCount(c)).toBe(4);
  expect(
    templateTypes({
      objectTemplates: [{ complianceType: 'musthave' }, { complianceType: 'mustnothave' }, { complianceType: 'musthave' }],
    }),
  ).toBe('2 musthave, 1 mustnothave');
});

test('routes: the governance view, a policy page, and #/policies lands on the governance view', () => {
  expect(parseRoute('#/governance?tab=clusters')).toEqual({ view: 'governance' });
  expect(parseRoute('#/policies/pci-network')).toEqual({ view: 'policy', name: 'pci-network' });
  expect(parseRoute('#/policies')).toEqual({ view: 'governance' });
  expect(routeHref({ view: 'policy', name: 'a b' }, { state: 'NonCompliant' })).toBe('#/policies/a%20b?state=NonCompliant');
  expect(routeHref({ view: 'governance' }, { tab: 'policies' })).toBe('#/governance?tab=policies');
});
