import { describe, expect, it } from '@jest/globals';
import { HUB_CAPABILITIES } from '../../../lambdas/capabilities/index.js';
import { buildRegistry } from '../../../lambdas/core/registry.js';
import { painter } from '../../../cli/output/color.js';
import { describeResource } from '../../../cli/output/describe.js';
import { REDACTED, redactSecrets, SECRET_REDACTIONS } from '../../../shared/redaction.js';
import type { Resource } from '../../../shared/resources/meta.js';

/** Issue 16, item 18: one redaction rule for every kind that carries manifests. */

const API = 'tether.dev/v1alpha1';
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const secret = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, annotations: { [LAST_APPLIED]: '{"data":{"password":"aHVudGVyMg=="}}' } },
  data: { password: 'aHVudGVyMg==' },
  stringData: { token: 'hunter2' },
});
const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { plain: 'visible' } };
const meta = (name: string) => ({ name, uid: 'u', resourceVersion: '1', generation: 1, creationTimestamp: '2026-12-01T00:00:00Z' });

const work: Resource = {
  apiVersion: API,
  kind: 'Work',
  metadata: { ...meta('w'), namespace: 'c1' },
  spec: {
    workload: { manifests: [configMap, secret('direct'), { apiVersion: 'v1', kind: 'List', items: [secret('in-list'), configMap] }] },
  },
};
const fleetDeployment: Resource = {
  apiVersion: API,
  kind: 'FleetDeployment',
  metadata: meta('fd'),
  spec: {
    placementRef: { name: 'p' },
    template: { workload: { manifests: [secret('tpl'), configMap] } },
    overrides: [
      { manifestSelector: { kind: 'Secret' }, patch: { stringData: { token: 'per-cluster' } } },
      { manifestSelector: { kind: 'ConfigMap' }, patch: { data: { plain: 'still-visible' } } },
      { patch: { data: { any: 'maybe-a-secret' } } },
    ],
  },
};
const policy: Resource = {
  apiVersion: API,
  kind: 'Policy',
  metadata: meta('pol'),
  spec: {
    policyTemplates: [
      {
        objectTemplates: [
          { complianceType: 'musthave', objectDefinition: secret('pol') },
          { complianceType: 'musthave', objectDefinition: configMap },
        ],
      },
    ],
  },
};

const syncRule: Resource = {
  apiVersion: API,
  kind: 'SyncRule',
  metadata: meta('sr'),
  spec: {
    resource: { group: '', version: 'v1', kind: 'Secret' },
    rules: [
      {
        match: [
          {
            content: [
              { path: '.data.password', value: 'aHVudGVyMg==' },
              { path: '.type', value: 'visible' },
            ],
          },
        ],
        mutations: { overrides: [{ path: '.data.extra', value: 'per-cluster' }] },
      },
    ],
    sources: { clusterSelector: {} },
  },
};

/** Every string in a value, so an assertion can say "this secret value appears nowhere". */
function strings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (v === null || typeof v !== 'object') return [];
  return Object.values(v).flatMap(strings);
}

describe('secret redaction', () => {
  it.each([
    ['Work (a Secret, and one inside kind: List)', work],
    ['FleetDeployment (template and override patches)', fleetDeployment],
    ['Policy (object definitions)', policy],
    ['SyncRule of Secrets (override values, content matches on data)', syncRule],
  ])('hides every Secret value of a %s, keeps the keys and everything else', (_, res) => {
    const before = structuredClone(res);
    const out = redactSecrets(res);
    const all = strings(out);
    for (const value of ['aHVudGVyMg==', 'hunter2', 'per-cluster', 'maybe-a-secret', '{"data":{"password":"aHVudGVyMg=="}}']) {
      expect(all).not.toContain(value);
    }
    expect(all).toContain(REDACTED);
    expect(all).toContain('visible');
    expect(res).toEqual(before); // the input is never modified
  });

  it('leaves the keys of a Secret visible and non-secret override patches whole', () => {
    const out = redactSecrets(fleetDeployment).spec as { template: { workload: { manifests: any[] } }; overrides: any[] };
    expect(out.template.workload.manifests[0].data).toEqual({ password: REDACTED });
    expect(out.template.workload.manifests[0].stringData).toEqual({ token: REDACTED });
    expect(out.overrides[1].patch).toEqual({ data: { plain: 'still-visible' } });
    const w = redactSecrets(work).spec as { workload: { manifests: any[] } };
    expect(w.workload.manifests[2].items[0].data).toEqual({ password: REDACTED });
    expect(w.workload.manifests[2].items[1]).toBe(configMap);
  });

  it('returns an object with nothing to hide as it is', () => {
    const plain: Resource = {
      apiVersion: API,
      kind: 'Work',
      metadata: { ...meta('p'), namespace: 'c1' },
      spec: { workload: { manifests: [configMap] } },
    };
    expect(redactSecrets(plain)).toBe(plain);
  });

  it('is the list redaction the hub registers for every kind that carries manifests', () => {
    const registry = buildRegistry(HUB_CAPABILITIES);
    for (const kind of Object.keys(SECRET_REDACTIONS)) {
      const redact = registry.redaction(kind);
      expect(redact).toBeDefined();
      const sample = { Work: work, FleetDeployment: fleetDeployment, Policy: policy, SyncRule: syncRule }[kind]!;
      expect(redact!(sample)).toEqual(redactSecrets(sample));
    }
  });

  it('tether describe shows no Secret value of a FleetDeployment template', () => {
    const text = describeResource(fleetDeployment, { now: new Date('2026-12-02T00:00:00Z'), paint: painter(false) });
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('aHVudGVyMg==');
    expect(text).toContain(REDACTED);
  });
});
