import { ValidationError, type FieldError } from '../../../shared/errors.js';
import { fleetDeploymentKind, type FleetDeploymentSpec } from '../../../shared/resources/fleetdeployment.js';
import { behaviourFor } from '../../core/registry.js';
import { revisionSyntaxErrors } from './render.js';
import { cleanupStep, progressMessage } from './rollout-steps.js';
import { ACTIVE_KEY, ACTIVE_RELATION, PLACEMENT_RELATION } from './tracking.js';
import { stepMessage } from '../../core/steps.js';

/**
 * What the generic resource service does around FleetDeployment writes: checks beyond the schema
 * (template syntax, duplicate groups), the placement → deployments index, and a controller run
 * after every change. Deleting a deployment deletes it at once and queues the removal of its Works.
 */

function semanticErrors(spec: FleetDeploymentSpec): FieldError[] {
  const errors = revisionSyntaxErrors({ template: spec.template, overrides: spec.overrides });
  const seen = new Set<string>();
  spec.rolloutStrategy.mandatoryDecisionGroups.forEach((g, i) => {
    if (seen.has(g.groupName))
      errors.push({
        path: `spec.rolloutStrategy.mandatoryDecisionGroups.${i}.groupName`,
        message: `group "${g.groupName}" is listed twice`,
      });
    seen.add(g.groupName);
  });
  const names = new Set<string>();
  spec.template.workload.manifests.forEach((m, i) => {
    const id = `${m.apiVersion}/${m.kind}/${m.metadata.namespace ?? ''}/${m.metadata.name}`;
    if (names.has(id))
      errors.push({
        path: `spec.template.workload.manifests.${i}`,
        message: `${m.kind} "${m.metadata.name}" appears twice in the template`,
      });
    names.add(id);
  });
  return errors;
}

export const fleetDeploymentBehaviour = behaviourFor(fleetDeploymentKind, {
  initialStatus: () => ({ conditions: [] }),
  async validate(next) {
    const errors = semanticErrors(next.spec);
    if (errors.length) {
      throw new ValidationError(
        `FleetDeployment "${next.metadata.name}" is invalid: ${errors[0].path}: ${errors[0].message}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`,
        errors,
      );
    }
  },
  async afterCreate(res, ctx) {
    await ctx.ports.relations.put(PLACEMENT_RELATION, res.spec.placementRef.name, res.metadata.name);
    await ctx.ports.queue.send([progressMessage(ctx, res.metadata.name)]);
  },
  async afterUpdate(prev, next, ctx) {
    const before = prev.spec.placementRef.name;
    const after = next.spec.placementRef.name;
    if (before !== after) await ctx.ports.relations.remove(PLACEMENT_RELATION, before, next.metadata.name);
    await ctx.ports.relations.put(PLACEMENT_RELATION, after, next.metadata.name);
    await ctx.ports.queue.send([progressMessage(ctx, next.metadata.name)]);
  },
  async afterDelete(res, ctx) {
    const placement = res.spec.placementRef.name;
    await ctx.ports.relations.remove(ACTIVE_RELATION, ACTIVE_KEY, res.metadata.name);
    await ctx.ports.queue.send([stepMessage(cleanupStep, { name: res.metadata.name, placement })]);
  },
});
