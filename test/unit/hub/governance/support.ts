import { parseDesired, ResourceService } from '../../../../lambdas/core/resource-service.js';
import type { HubContext } from '../../../../lambdas/core/context.js';
import { withoutLease } from '../../../../lambdas/capabilities/clusters/cluster-lease.js';
import { ingestPolicyReports } from '../../../../lambdas/capabilities/governance/ingest.js';
import type { PolicyComplianceReport, TemplateCompliance } from '../../../../shared/protocol/v1.js';
import type { ComplianceState } from '../../../../shared/resources/policy.js';
import type { Resource } from '../../../../shared/resources/meta.js';
import { markOnline } from '../../../integration/rollouts/support/fleet.js';
import { memoryHubContext, type MemoryHub } from '../../../support/memory-hub.js';

/** Helpers for governance tests on the memory ports: a fleet, placements, policies and stand-in agents' reports. */

export const API = 'tether.dev/v1alpha1';

/** Applies documents through the resource service (as `tether apply` would). */
export async function apply(hub: MemoryHub, ...docs: Record<string, unknown>[]): Promise<Resource[]> {
  const service = new ResourceService(hub.ctx);
  const out: Resource[] = [];
  for (const doc of docs) {
    const r = await service.apply(parseDesired(doc), false);
    if (r.object) out.push(r.object);
  }
  return out;
}

/** A hub with accepted, online clusters (name → labels) and a placement per `fleet` label value. */
export async function fleetHub(clusters: Record<string, Record<string, string>>, placements: string[] = ['a']): Promise<MemoryHub> {
  const hub = memoryHubContext();
  for (const [name, labels] of Object.entries(clusters)) {
    await apply(hub, { apiVersion: API, kind: 'Cluster', metadata: { name, labels }, spec: { hubAcceptsClient: true } });
  }
  await hub.settle();
  for (const name of Object.keys(clusters)) await markOnline(hub.ctx, name);
  for (const fleet of placements) {
    await apply(hub, {
      apiVersion: API,
      kind: 'Placement',
      metadata: { name: fleet },
      spec: { predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { fleet } } } }] },
    });
  }
  await hub.settle();
  return hub;
}

/** A Policy document with one template of the given object templates. */
export function policyDoc(
  name: string,
  spec: Record<string, unknown> = {},
  objectTemplates: unknown[] = [{ complianceType: 'musthave', objectDefinition: configMap('audit', { owner: 'team' }) }],
  metadata: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    apiVersion: API,
    kind: 'Policy',
    metadata: { name, ...metadata },
    spec: { policyTemplates: [{ objectTemplates }], ...spec },
  };
}

/** A PolicySet document. */
export function policySetDoc(name: string, policies: string[], placement?: string): Record<string, unknown> {
  return {
    apiVersion: API,
    kind: 'PolicySet',
    metadata: { name },
    spec: { policies, ...(placement ? { placementRef: { name: placement } } : {}) },
  };
}

export function configMap(name: string, data: Record<string, string>, namespace = 'retail'): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data };
}

/** The policy's uid and generation as stored. */
export async function policyMeta(ctx: HubContext, name: string): Promise<{ uid: string; generation: number }> {
  const p = await ctx.ports.resources.get({ kind: 'Policy', name });
  if (!p) throw new Error(`no policy ${name}`);
  return { uid: p.metadata.uid, generation: p.metadata.generation };
}

/** A compliance report of one policy, one template, with the given violating objects. */
export async function complianceReport(
  ctx: HubContext,
  policy: string,
  compliance: ComplianceState,
  violations: { name: string; reason?: string; message?: string; diff?: string }[] = [],
  templateExtra: Partial<TemplateCompliance> = {},
): Promise<PolicyComplianceReport> {
  const meta = await policyMeta(ctx, policy);
  const now = new Date(ctx.ports.clock.now()).toISOString();
  return {
    name: policy,
    uid: meta.uid,
    generation: meta.generation,
    compliance,
    since: now,
    evaluatedAt: now,
    templates: [
      {
        name: `${policy}-1`,
        compliance,
        objects: violations.map((v) => ({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          namespace: 'retail',
          name: v.name,
          compliant: false,
          reason: v.reason ?? 'Mismatch',
          ...(v.message ? { message: v.message } : {}),
          ...(v.diff ? { diff: v.diff } : {}),
        })),
        ...templateExtra,
      },
    ],
  };
}

/** Lands reports as the agent of `cluster` sends them (the status-report handler). */
export async function report(ctx: HubContext, cluster: string, policies: PolicyComplianceReport[], removedPolicies?: string[]) {
  await ingestPolicyReports(ctx, cluster, {
    observedRevision: '1',
    agentVersion: '0.1.0',
    healthy: true,
    policies,
    ...(removedPolicies ? { removedPolicies } : {}),
  });
}

/** The agent of `cluster` goes silent: its head loses the lease, as the expiry sweep does. */
export async function silence(ctx: HubContext, cluster: string): Promise<void> {
  const head = await ctx.ports.heads.get(cluster, { consistent: true });
  if (!head) throw new Error(`no head for ${cluster}`);
  await ctx.ports.heads.put(withoutLease(head));
}

/** The cluster's desired revision. */
export async function revision(ctx: HubContext, cluster: string): Promise<number> {
  return (await ctx.ports.heads.get(cluster, { consistent: true }))!.desiredRevision;
}

/** Counts the writes of the resource store and the events appended to the history from now on. */
export function countWrites(ctx: HubContext): { writes: () => number; events: () => number } {
  let writes = 0;
  let events = 0;
  const r = ctx.ports.resources;
  for (const m of ['create', 'replace', 'delete'] as const) {
    const orig = r[m].bind(r) as (...a: unknown[]) => Promise<unknown>;
    (r as unknown as Record<string, unknown>)[m] = async (...a: unknown[]) => {
      writes++;
      return orig(...a);
    };
  }
  const h = ctx.ports.complianceHistory;
  const append = h.append.bind(h);
  h.append = async (e, exp) => {
    events += e.length;
    return append(e, exp);
  };
  return { writes: () => writes, events: () => events };
}
