import { describe, expect, it } from '@jest/globals';
import { ReportDebouncer } from '../../../../agent/governance/debounce.js';
import { planDependencies, unmetDependencies } from '../../../../agent/governance/dependencies.js';
import { filterNamespaces, globMatch, selectNamespaces } from '../../../../agent/governance/namespace-selection.js';
import { kindNotFoundRetryAt, nextEvaluationAt } from '../../../../agent/governance/schedule.js';
import { MemoryCluster } from '../../../../agent/kube/memory-cluster.js';

describe('namespace globs (filepath.Match)', () => {
  it.each([
    ['*', 'shop', true],
    ['shop-*', 'shop-eu', true],
    ['shop-*', 'shop', false],
    ['kube-?', 'kube-a', true],
    ['kube-?', 'kube-ab', false],
    ['store-[0-9]', 'store-7', true],
    ['store-[^0-9]', 'store-7', false],
    ['store-[!a-c]', 'store-d', true],
    ['a.b', 'axb', false],
    ['[', '[', false],
  ])('%s vs %s → %s', (pattern, name, want) => {
    expect(globMatch(pattern, name)).toBe(want);
  });

  it('include keeps, exclude drops', () => {
    expect(
      filterNamespaces(['a', 'shop-1', 'shop-2', 'kube-system'], { include: ['shop-*', 'kube-*'], exclude: ['kube-*', 'shop-2'] }),
    ).toEqual(['shop-1']);
  });

  it('lists namespaces by labels through the port, then applies the globs; no selector chooses nothing', async () => {
    const cluster = new MemoryCluster();
    for (const [name, labels] of [
      ['shop-eu', { tier: 'store' }],
      ['shop-us', { tier: 'store' }],
      ['tools', { tier: 'infra' }],
    ] as const) {
      await cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } }, { fieldManager: 't', force: true });
    }
    expect(await selectNamespaces(cluster, { matchLabels: { tier: 'store' }, exclude: ['*-us'] })).toEqual(['shop-eu']);
    expect(await selectNamespaces(cluster, { matchExpressions: [{ key: 'tier', operator: 'In', values: ['infra'] }] })).toEqual(['tools']);
    expect(await selectNamespaces(cluster, { include: ['*'], exclude: ['kube-*', 'default'] })).toEqual(['shop-eu', 'shop-us', 'tools']);
    expect(await selectNamespaces(cluster, { exclude: ['kube-*'] })).toEqual([]);
  });
});

describe('dependencies', () => {
  const p = (name: string, ...deps: string[]) => ({ name, dependencies: deps.map((d) => ({ name: d, compliance: 'Compliant' as const })) });

  it('orders policies after what they depend on, in levels', () => {
    const plan = planDependencies([p('app', 'ns', 'rbac'), p('rbac', 'ns'), p('ns'), p('other')]);
    expect(plan.levels).toEqual([['ns', 'other'], ['rbac'], ['app']]);
    expect(plan.cyclic.size).toBe(0);
  });

  it('finds cycles, and what depends on them', () => {
    const plan = planDependencies([p('a', 'b'), p('b', 'a'), p('c', 'a'), p('d')]);
    expect(plan.levels).toEqual([['d']]);
    expect(plan.cyclic.get('a')).toBe('dependency cycle: a → b → a');
    expect(plan.cyclic.get('b')).toBe('dependency cycle: a → b → a');
    expect(plan.cyclic.get('c')).toContain('a');
  });

  it('names the unmet ones: wrong state, disabled, or not on this cluster', () => {
    const states = new Map<string, 'Compliant' | 'NonCompliant' | undefined>([
      ['ok', 'Compliant'],
      ['bad', 'NonCompliant'],
      ['off', undefined],
    ]);
    expect(unmetDependencies(p('x', 'ok', 'bad', 'off', 'ghost'), states)).toEqual([
      'bad is NonCompliant, needs Compliant',
      'off is not evaluated (disabled), needs Compliant',
      'ghost is not on this cluster, needs Compliant',
    ]);
  });
});

describe('evaluation schedule', () => {
  const interval = { compliant: 600, noncompliant: 120 };
  it('uses the interval of the state, with ±10 % jitter, and null for never', () => {
    expect(nextEvaluationAt(0, 'Compliant', interval, 0.5)).toBe(600_000);
    expect(nextEvaluationAt(0, 'NonCompliant', interval, 0)).toBe(108_000);
    expect(nextEvaluationAt(0, 'Pending', interval, 0.999999)).toBe(132_000);
    expect(nextEvaluationAt(0, 'Compliant', { compliant: null, noncompliant: 60 }, 0.5)).toBeUndefined();
  });

  it('retries a KindNotFound template after 15 s, doubling up to the noncompliant interval (a CRD being established)', () => {
    expect([0, 1, 2, 3, 4].map((attempt) => kindNotFoundRetryAt(0, attempt, interval, 0.5))).toEqual([
      15_000, 30_000, 60_000, 120_000, 120_000,
    ]);
    expect(kindNotFoundRetryAt(0, 5, { compliant: 600, noncompliant: null }, 0.5)).toBe(480_000);
  });
});

describe('report debounce', () => {
  it('sends a change at once, holds changes within 60 s, then sends the latest', () => {
    const d = new ReportDebouncer();
    expect(d.offer('p', 'A', 0)).toBe(true);
    d.sent('p', 'A', 0);
    expect(d.offer('p', 'A', 30_000)).toBe(false);
    expect(d.offer('p', 'B', 30_000)).toBe(false); // held: reported 30 s ago
    expect(d.offer('p', 'B', 59_999)).toBe(false);
    expect(d.offer('p', 'B', 60_000)).toBe(true);
  });

  it('drops a held change that flapped back to what was sent', () => {
    const d = new ReportDebouncer();
    d.offer('p', 'A', 0);
    d.sent('p', 'A', 0);
    expect(d.offer('p', 'B', 10_000)).toBe(false);
    expect(d.offer('p', 'A', 20_000)).toBe(false);
    expect(d.offer('p', 'A', 120_000)).toBe(false);
  });

  it('widens the window to 10 minutes for a policy that changed 3 times in 10 minutes', () => {
    const d = new ReportDebouncer();
    let sends = 0;
    // The state flips every 30 s for an hour: at most one report per window.
    for (let t = 0; t < 3_600_000; t += 30_000) {
      const hash = (t / 30_000) % 2 === 0 ? 'A' : 'B';
      if (d.offer('p', hash, t)) {
        d.sent('p', hash, t);
        sends++;
      }
    }
    expect(d.flapping('p')).toBe(true);
    expect(sends).toBeLessThanOrEqual(8);
    expect(sends).toBeGreaterThanOrEqual(2);
  });
});
