import { describe, expect, it } from '@jest/globals';
import { loadDesiredPolicies } from '../../../../lambdas/capabilities/governance/desired-policies.js';
import { DesiredPolicySchema } from '../../../../shared/protocol/v1.js';
import { PayloadTooLargeError, ValidationError } from '../../../../shared/errors.js';
import { apply, configMap, fleetHub, policyDoc } from './support.js';

/** The `policies` part of the desired state: rendered per cluster on the hub. */

describe('desired policies', () => {
  it('renders templates per cluster; a cluster the template cannot render for gets renderError, the others are unaffected', async () => {
    const hub = await fleetHub({ eu1: { fleet: 'a', region: 'eu' }, bare: { fleet: 'a' } });
    await apply(
      hub,
      policyDoc('region-cm', {
        placementRef: { name: 'a' },
        dependencies: [{ name: 'base' }],
        policyTemplates: [
          {
            objectTemplates: [
              {
                complianceType: 'musthave',
                objectDefinition: configMap('site', { region: '{{ .cluster.labels.region }}', name: '{{ .cluster.name }}' }),
              },
            ],
            evaluationInterval: { compliant: 'never', noncompliant: '45s' },
          },
          {
            name: 'named',
            objectTemplates: [{ complianceType: 'mustnothave', objectDefinition: configMap('legacy', {}) }],
            pruneObjectBehavior: 'DeleteIfCreated',
          },
        ],
      }),
    );
    await hub.settle();
    const [eu] = await loadDesiredPolicies(hub.ctx, 'eu1');
    expect(DesiredPolicySchema.parse(eu)).toEqual(eu);
    expect(eu).toMatchObject({
      name: 'region-cm',
      generation: 1,
      remediationAction: 'inform',
      disabled: false,
      dependencies: [{ name: 'base', compliance: 'Compliant' }],
      templates: [
        {
          name: 'region-cm-1',
          objectTemplates: [
            { complianceType: 'musthave', recordDiff: 'InStatus', objectDefinition: { data: { region: 'eu', name: 'eu1' } } },
          ],
          evaluationInterval: { compliant: null, noncompliant: 45 },
          pruneObjectBehavior: 'None',
        },
        { name: 'named', evaluationInterval: { compliant: 600, noncompliant: 120 }, pruneObjectBehavior: 'DeleteIfCreated' },
      ],
    });
    expect(eu.renderError).toBeUndefined();
    const [bare] = await loadDesiredPolicies(hub.ctx, 'bare');
    expect(bare.templates).toEqual([]);
    expect(bare.renderError).toMatch(/label "region" is not set on cluster bare/);
    // The hash covers what the agent gets: different clusters, different hashes; same input, same hash.
    expect(bare.hash).not.toBe(eu.hash);
    expect((await loadDesiredPolicies(hub.ctx, 'eu1'))[0].hash).toBe(eu.hash);
  });

  it('a cluster without policies costs one relation query and answers an empty list', async () => {
    const hub = await fleetHub({ s1: { fleet: 'b' } });
    expect(await loadDesiredPolicies(hub.ctx, 's1')).toEqual([]);
  });

  it('refuses template syntax errors with field paths (422), and accepts a placement that does not exist yet', async () => {
    const hub = await fleetHub({ s1: { fleet: 'a' } });
    const bad = policyDoc('bad', { placementRef: { name: 'nowhere' } }, [
      { complianceType: 'musthave', objectDefinition: configMap('x', { a: '{{ .cluster.nope }}' }) },
    ]);
    const err = await apply(hub, bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fieldErrors?.[0].path).toBe('spec.policyTemplates.0.objectTemplates.0.objectDefinition.data.a');
    await apply(hub, policyDoc('later', { placementRef: { name: 'nowhere' } }));
    await hub.settle();
    expect(await loadDesiredPolicies(hub.ctx, 's1')).toEqual([]);
  });

  it('refuses a default template name that another template also uses, and a dependency on itself', async () => {
    const hub = await fleetHub({});
    const clash = {
      ...policyDoc('p'),
      spec: {
        policyTemplates: [
          { objectTemplates: [{ complianceType: 'musthave', objectDefinition: configMap('a', {}) }] },
          { name: 'p-1', objectTemplates: [{ complianceType: 'musthave', objectDefinition: configMap('b', {}) }] },
        ],
        dependencies: [{ name: 'p' }],
      },
    };
    const err = (await apply(hub, clash).catch((e: unknown) => e)) as ValidationError;
    expect(err).toBeInstanceOf(ValidationError);
    expect(err.fieldErrors?.map((f) => f.path)).toEqual(['spec.policyTemplates.1.name', 'spec.dependencies.0.name']);
  });

  it('takes a policy of hundreds of objects, and refuses one past the size limit with 413 and the limit', async () => {
    const hub = await fleetHub({});
    const objects = (n: number, bytes: number) =>
      Array.from({ length: n }, (_, i) => ({
        complianceType: 'musthave',
        // Incompressible-ish data, as certificates are.
        objectDefinition: configMap(`cm-${i}`, {
          blob: Array.from({ length: bytes / 8 }, (_, j) => ((i * 7919 + j * 104729) % 2 ** 32).toString(36)).join(''),
        }),
      }));
    await apply(hub, policyDoc('many', {}, objects(400, 200)));
    const err = await apply(hub, policyDoc('huge', {}, objects(450, 4000))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PayloadTooLargeError);
    expect((err as PayloadTooLargeError).limitBytes).toBeGreaterThan(0);
    expect((err as PayloadTooLargeError).actualBytes).toBeGreaterThan((err as PayloadTooLargeError).limitBytes);
    expect(await hub.ctx.ports.resources.get({ kind: 'Policy', name: 'huge' })).toBeUndefined();
  });
});
