import { describe, expect, it } from '@jest/globals';
import { FleetDeploymentSpecSchema, type Override } from '../../../../shared/resources/fleetdeployment.js';
import type { WorkSpec } from '../../../../shared/resources/work.js';
import { applyOverrides, rewriteImage } from '../../../../lambdas/capabilities/rollouts/overrides.js';
import { renderWorkSpec, revisionSyntaxErrors } from '../../../../lambdas/capabilities/rollouts/render.js';
import { renderTemplate, TemplateRenderError, templateClusterOf, type TemplateCluster } from '../../../../lambdas/core/template.js';

const store = (name: string, labels: Record<string, string>, claims: Record<string, string> = {}): TemplateCluster => ({
  name,
  labels,
  annotations: {},
  claims,
});

function deployment(image = 'nginx:1.27'): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'pos', namespace: 'retail', labels: { store: '{{ .cluster.name }}' } },
    spec: {
      replicas: 2,
      template: {
        spec: {
          initContainers: [{ name: 'init', image: 'busybox' }],
          containers: [
            {
              name: 'pos',
              image,
              env: [
                { name: 'REGION', value: '{{ .cluster.labels.region }}' },
                { name: 'CLUSTER_ID', value: '{{ .cluster.claims["id.k8s.io"] | default "unknown" }}' },
                { name: 'RING', value: '{{ .cluster.labels["tether.dev/ring"] | default "stable" | upper }}' },
              ],
            },
          ],
        },
      },
    },
  };
}

function template(manifests: Record<string, unknown>[]): WorkSpec {
  return FleetDeploymentSpecSchema.parse({ template: { workload: { manifests } }, placementRef: { name: 'p' } }).template;
}

describe('templating', () => {
  it('expands name, labels (dotted and quoted keys), claims, defaults and filters', () => {
    const out = renderTemplate(
      deployment(),
      store('store-0042', { region: 'us-east', 'tether.dev/ring': 'canary' }, { 'id.k8s.io': 'abc-123' }),
    );
    const spec = (out.spec as { template: { spec: { containers: { env: { value: string }[] }[] } } }).template.spec;
    expect((out.metadata as { labels: Record<string, string> }).labels.store).toBe('store-0042');
    expect(spec.containers[0].env.map((e) => e.value)).toEqual(['us-east', 'abc-123', 'CANARY']);
    const fallback = renderTemplate(deployment(), store('store-7', { region: 'eu' }));
    expect(
      (
        fallback.spec as typeof out.spec & { template: { spec: { containers: { env: { value: string }[] }[] } } }
      ).template.spec.containers[0].env.map((e) => e.value),
    ).toEqual(['eu', 'unknown', 'STABLE']);
  });

  it('a missing label is an error naming the cluster and the path, and nothing is evaluated', () => {
    let caught: unknown;
    try {
      renderTemplate({ a: '{{ .cluster.labels.region }}', b: ['x-{{ .cluster.labels.zone }}'] }, store('store-9', {}), 'manifest');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(TemplateRenderError);
    const e = caught as TemplateRenderError;
    expect(e.cluster).toBe('store-9');
    expect(e.issues).toEqual([
      { path: 'manifest.a', message: 'label "region" is not set on cluster store-9 (add it, or use | default "VALUE")' },
      { path: 'manifest.b.0', message: 'label "zone" is not set on cluster store-9 (add it, or use | default "VALUE")' },
    ]);
    expect(e.message).toBe(
      'template for cluster store-9: manifest.a: label "region" is not set on cluster store-9 (add it, or use | default "VALUE") (and 1 more)',
    );
  });

  it('writes literal braces through a string expression and leaves keys alone', () => {
    expect(renderTemplate({ '{{ .cluster.name }}': 'a {{ "{{" }} b' }, store('s', {}))).toEqual({ '{{ .cluster.name }}': 'a {{ b' });
  });

  it('finds syntax errors without a cluster: unknown references and filters, unclosed braces', () => {
    const content = {
      template: template([
        {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name: 'x' },
          data: { a: '{{ .cluster.labelz.x }}', b: '{{ .cluster.name | trim }}', c: '{{ .cluster.name' },
        },
      ]),
      overrides: [{ patch: { data: { d: '{{ env.HOME }}' } } }] as Override[],
    };
    expect(revisionSyntaxErrors(content).map((e) => e.path)).toEqual([
      'spec.template.workload.manifests.0.data.a',
      'spec.template.workload.manifests.0.data.b',
      'spec.template.workload.manifests.0.data.c',
      'spec.overrides.0.patch.data.d',
    ]);
    expect(revisionSyntaxErrors(content)[1].message).toBe(
      'unknown filter "trim" in "{{ .cluster.name | trim }}"; filters are default "VALUE", lower and upper',
    );
  });

  it('reads claims from a Cluster resource', () => {
    expect(
      templateClusterOf({ metadata: { name: 'c1', labels: { a: 'b' } }, status: { claims: [{ name: 'id.k8s.io', value: 'u-1' }] } }),
    ).toEqual({
      name: 'c1',
      labels: { a: 'b' },
      annotations: {},
      claims: { 'id.k8s.io': 'u-1' },
    });
  });
});

describe('overrides', () => {
  it('rewrites image registries, Docker Hub included, only where the selector matches', () => {
    expect(rewriteImage('nginx:1.27', 'docker.io', 'mirror.eu.example.com')).toBe('mirror.eu.example.com/library/nginx:1.27');
    expect(rewriteImage('bitnami/redis:7', 'docker.io', 'mirror.eu.example.com/')).toBe('mirror.eu.example.com/bitnami/redis:7');
    expect(rewriteImage('ghcr.io/acme/pos:2', 'docker.io', 'm.example.com')).toBe('ghcr.io/acme/pos:2');
    expect(rewriteImage('ghcr.io/acme/pos:2', undefined, 'm.example.com')).toBe('m.example.com/acme/pos:2');
    expect(rewriteImage('localhost:5000/pos', 'localhost:5000', 'r.example.com')).toBe('r.example.com/pos');
    const overrides: Override[] = [
      { clusterSelector: { matchLabels: { region: 'eu' } }, imageRegistry: { from: 'docker.io', to: 'mirror.eu.example.com' } },
    ];
    const [eu] = applyOverrides([deployment()], overrides, { region: 'eu' });
    const containers = (eu.spec as { template: { spec: { containers: { image: string }[]; initContainers: { image: string }[] } } })
      .template.spec;
    expect(containers.containers[0].image).toBe('mirror.eu.example.com/library/nginx:1.27');
    expect(containers.initContainers[0].image).toBe('mirror.eu.example.com/library/busybox');
    const [us] = applyOverrides([deployment()], overrides, { region: 'us' });
    expect(us).toEqual(deployment());
  });

  it('merge-patches the selected manifests in order; later overrides win', () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { a: '1', b: '2' } };
    const overrides: Override[] = [
      { manifestSelector: { kind: 'Deployment', name: 'pos' }, patch: { spec: { replicas: 1 } } },
      {
        clusterSelector: { matchLabels: { ring: 'canary' } },
        manifestSelector: { kind: 'ConfigMap' },
        patch: { data: { a: 'canary', b: null } },
      },
      { clusterSelector: { matchLabels: { ring: 'canary' } }, manifestSelector: { kind: 'ConfigMap' }, patch: { data: { a: 'last' } } },
    ];
    const [dep, cfg] = applyOverrides([deployment(), cm], overrides, { ring: 'canary' });
    expect((dep.spec as { replicas: number }).replicas).toBe(1);
    expect(cfg.data).toEqual({ a: 'last' });
    expect(cm.data).toEqual({ a: '1', b: '2' });
  });
});

describe('renderWorkSpec', () => {
  it('applies overrides before templating, so patches may hold references', () => {
    const spec = renderWorkSpec(
      {
        template: template([deployment()]),
        overrides: [
          {
            clusterSelector: { matchLabels: { region: 'eu' } },
            patch: { metadata: { annotations: { owner: 'team-{{ .cluster.labels.region }}' } } },
          },
        ],
      },
      store('store-1', { region: 'eu' }),
    );
    expect((spec.workload.manifests[0].metadata as unknown as { annotations: Record<string, string> }).annotations.owner).toBe('team-eu');
  });

  it('refuses a render whose manifest is no longer valid, for that cluster only', () => {
    const content = {
      template: template([deployment()]),
      overrides: [{ clusterSelector: { matchLabels: { broken: 'yes' } }, patch: { kind: null } }] as Override[],
    };
    expect(() => renderWorkSpec(content, store('bad', { broken: 'yes', region: 'x' }))).toThrow(
      /template for cluster bad: template.workload.manifests.0.kind: after overrides and templating/,
    );
    expect(renderWorkSpec(content, store('good', { region: 'x' })).workload.manifests[0].kind).toBe('Deployment');
  });
});
