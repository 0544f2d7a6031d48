import { ValidationError } from '../../../shared/errors.js';
import { roleBindingKind, roleKind } from '../../../shared/resources/role.js';
import type { HubContext } from '../../core/context.js';
import { invalidateBindings, isBuiltInRole } from '../../core/authz/grants.js';
import { behaviourFor } from '../../core/registry.js';

/** A write of a Role or RoleBinding drops this process's copy, so it applies here at once. */
function changed(_res: unknown, ctx: HubContext): Promise<void> {
  invalidateBindings(ctx.ports.resources);
  return Promise.resolve();
}

/** Custom roles: no custom role may take a built-in role's name (a binding would be ambiguous). */
export const roleBehaviour = behaviourFor(roleKind, {
  async validate(res) {
    if (isBuiltInRole(res.metadata.name)) {
      throw new ValidationError(`"${res.metadata.name}" is a built-in role; give the custom role another name`, [
        { path: 'metadata.name', message: 'reserved for a built-in role' },
      ]);
    }
  },
  afterCreate: changed,
  afterUpdate: (_prev, next, ctx) => changed(next, ctx),
  afterDelete: changed,
});

/** RoleBindings: a change applies in this process at once, elsewhere within the cache's TTL. */
export const roleBindingBehaviour = behaviourFor(roleBindingKind, {
  afterCreate: changed,
  afterUpdate: (_prev, next, ctx) => changed(next, ctx),
  afterDelete: changed,
});
