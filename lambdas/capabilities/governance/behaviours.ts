import { canonicalJson } from '../../../shared/hash.js';
import { PayloadTooLargeError, ValidationError, type FieldError } from '../../../shared/errors.js';
import { clusterKind } from '../../../shared/resources/cluster.js';
import { policyKind, policySetKind, templateName, type PolicySpec } from '../../../shared/resources/policy.js';
import type { HubContext } from '../../core/context.js';
import { behaviourFor } from '../../core/registry.js';
import { templateSyntaxErrors } from '../../core/template.js';
import { WORK_MAX_COMPRESSED_BYTES, WORK_MAX_JSON_BYTES } from '../works/work-checks.js';
import { bumpClusterRevision } from '../works/works.js';
import { queueSync } from './propagation.js';
import { CLUSTER_POLICIES, PLACEMENT_POLICIES, PLACEMENT_POLICYSETS } from './relations.js';
import { withPolicyRollups, withPolicySetRollups } from './rollup.js';

/**
 * What the resource service does around Policy and PolicySet writes, and governance's reaction to
 * Cluster changes. Hooks only index and queue `governance.sync-policy`; the fan-out to clusters
 * happens in that step. A placementRef naming a Placement that does not exist (yet) is accepted, as
 * for FleetDeployment: the policy then goes to no cluster until the placement chooses some.
 */

/** Semantic checks beyond the schema, as field errors under `spec`. Pure. */
export function policySpecErrors(name: string, spec: PolicySpec): FieldError[] {
  const errors: FieldError[] = [];
  const names = new Map<string, number>();
  spec.policyTemplates.forEach((t, i) => {
    const n = templateName(name, t, i);
    const other = names.get(n);
    if (other !== undefined && (t.name === undefined || spec.policyTemplates[other].name === undefined)) {
      errors.push({
        path: `spec.policyTemplates.${i}.name`,
        message: `template name "${n}" is also the name of template ${other + 1} (a template without a name is called <policy>-<index>); rename one`,
      });
    }
    names.set(n, i);
    t.objectTemplates.forEach((o, j) => {
      errors.push(...templateSyntaxErrors(o.objectDefinition, `spec.policyTemplates.${i}.objectTemplates.${j}.objectDefinition`));
    });
  });
  spec.dependencies.forEach((d, i) => {
    if (d.name === name) errors.push({ path: `spec.dependencies.${i}.name`, message: 'a policy cannot depend on itself' });
  });
  return errors;
}

/**
 * Refuses a policy the hub cannot store or deliver, with a 413 stating the limit: the same limits as
 * a Work (every assigned policy travels in the cluster's desired state, uncompressed).
 */
export function checkPolicySize(policy: unknown, what: string, storedBodyBytes: (json: string) => number): void {
  const json = JSON.stringify(policy);
  const jsonBytes = Buffer.byteLength(json, 'utf8');
  if (jsonBytes > WORK_MAX_JSON_BYTES) throw new PayloadTooLargeError(WORK_MAX_JSON_BYTES, jsonBytes, `${what} (as JSON)`);
  const stored = storedBodyBytes(json);
  if (stored > WORK_MAX_COMPRESSED_BYTES) {
    throw new PayloadTooLargeError(
      WORK_MAX_COMPRESSED_BYTES,
      stored,
      `${what} compressed (its JSON is ${jsonBytes} bytes); split its templates into several policies`,
    );
  }
}

function invalid(what: string, errors: FieldError[]): ValidationError {
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return new ValidationError(`${what} is invalid: ${errors[0].path}: ${errors[0].message}${more}`, errors);
}

/** Keeps the placement → object index of one kind in step with a write (stale entries are checked by readers). */
async function reindex(ctx: HubContext, relation: string, name: string, before: string | undefined, after: string | undefined) {
  if (before && before !== after) await ctx.ports.relations.remove(relation, before, name);
  if (after) await ctx.ports.relations.put(relation, after, name);
}

export const policyBehaviour = behaviourFor(policyKind, {
  initialStatus: () => ({}),
  async validate(next, _prev, ctx) {
    const what = `Policy "${next.metadata.name}"`;
    const errors = policySpecErrors(next.metadata.name, next.spec);
    if (errors.length) throw invalid(what, errors);
    checkPolicySize(next, what, (json) => ctx.ports.resources.storedBodyBytes(json));
  },
  async afterCreate(res, ctx) {
    await reindex(ctx, PLACEMENT_POLICIES, res.metadata.name, undefined, res.spec.placementRef?.name);
    await queueSync(ctx, [res.metadata.name]);
  },
  async afterUpdate(prev, next, ctx) {
    await reindex(ctx, PLACEMENT_POLICIES, next.metadata.name, prev.spec.placementRef?.name, next.spec.placementRef?.name);
    // Labels and annotations are not part of what agents get: only a spec change is synced.
    if (prev.metadata.generation !== next.metadata.generation) await queueSync(ctx, [next.metadata.name]);
  },
  async afterDelete(res, ctx) {
    if (res.spec.placementRef) await ctx.ports.relations.remove(PLACEMENT_POLICIES, res.spec.placementRef.name, res.metadata.name);
    await queueSync(ctx, [res.metadata.name]);
  },
  async decorate(res, ctx) {
    return (await withPolicyRollups(ctx, [res]))[0];
  },
  async decorateMany(items, ctx) {
    return withPolicyRollups(ctx, items);
  },
});

export const policySetBehaviour = behaviourFor(policySetKind, {
  initialStatus: () => ({}),
  async afterCreate(res, ctx) {
    await reindex(ctx, PLACEMENT_POLICYSETS, res.metadata.name, undefined, res.spec.placementRef?.name);
    await queueSync(ctx, res.spec.policies);
  },
  async afterUpdate(prev, next, ctx) {
    await reindex(ctx, PLACEMENT_POLICYSETS, next.metadata.name, prev.spec.placementRef?.name, next.spec.placementRef?.name);
    if (prev.metadata.generation !== next.metadata.generation) await queueSync(ctx, [...prev.spec.policies, ...next.spec.policies]);
  },
  async afterDelete(res, ctx) {
    if (res.spec.placementRef) await ctx.ports.relations.remove(PLACEMENT_POLICYSETS, res.spec.placementRef.name, res.metadata.name);
    await queueSync(ctx, res.spec.policies);
  },
  async decorate(res, ctx) {
    return (await withPolicySetRollups(ctx, [res]))[0];
  },
  async decorateMany(items, ctx) {
    return withPolicySetRollups(ctx, items);
  },
});

/**
 * Governance's hook on Cluster writes: templates read the cluster's labels and annotations, so a
 * change of either moves the desired revision of a cluster that has policies (one Query to find
 * out, one UpdateItem of the head when it has).
 */
export const clusterReaction = behaviourFor(clusterKind, {
  async afterUpdate(prev, next, ctx) {
    const same = (a: unknown, b: unknown) => canonicalJson(a ?? {}) === canonicalJson(b ?? {});
    if (same(prev.metadata.labels, next.metadata.labels) && same(prev.metadata.annotations, next.metadata.annotations)) return;
    const { items } = await ctx.ports.relations.list(CLUSTER_POLICIES, next.metadata.name, { limit: 1 });
    if (items.length) await bumpClusterRevision(ctx, next.metadata.name);
  },
});
