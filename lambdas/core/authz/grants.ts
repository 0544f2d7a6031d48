import type { Resource } from '../../../shared/resources/meta.js';
import type { RoleBindingSpec, RoleSpec } from '../../../shared/resources/role.js';
import { BuiltInRoles, type BuiltInRole, type Principal, type RoleRule } from '../../../shared/tenancy.js';
import type { Clock } from '../../ports/clock.js';
import type { ResourceStore } from '../../ports/resource-store.js';
import type { Grant } from './engine.js';
import { BUILT_IN_ROLE_RULES } from './roles.js';

/**
 * The roles and bindings the decisions use, read from the store and kept in memory for
 * {@link BINDINGS_TTL_MS}: an admin request costs no read for them while the copy is fresh, and a
 * Role or RoleBinding written through this process drops the copy at once. Another process (another
 * Lambda instance) sees a change within the TTL: that is the documented staleness window.
 */

/** How long a process keeps its copy of the roles and bindings. */
export const BINDINGS_TTL_MS = 10_000;

/** A stored RoleBinding, reduced to what decisions need. */
export interface BindingEntry {
  name: string;
  spec: RoleBindingSpec;
}

/** The custom roles and the bindings, as read at one time. */
export interface BindingSnapshot {
  roles: ReadonlyMap<string, readonly RoleRule[]>;
  bindings: readonly BindingEntry[];
}

const cache = new WeakMap<ResourceStore, { at: number; snapshot: Promise<BindingSnapshot> }>();

async function listAll(resources: ResourceStore, kind: string): Promise<Resource[]> {
  const out: Resource[] = [];
  let cursor: string | undefined;
  do {
    const page = await resources.list(kind, { limit: 1000, cursor });
    out.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return out;
}

async function read(resources: ResourceStore): Promise<BindingSnapshot> {
  const [roles, bindings] = await Promise.all([listAll(resources, 'Role'), listAll(resources, 'RoleBinding')]);
  return {
    roles: new Map(roles.map((r) => [r.metadata.name, (r.spec as RoleSpec).rules])),
    bindings: bindings.map((b) => ({ name: b.metadata.name, spec: b.spec as RoleBindingSpec })),
  };
}

/** The current roles and bindings: the process's copy while fresh, else one read of each kind. */
export function bindingSnapshot(ports: { resources: ResourceStore; clock: Clock }): Promise<BindingSnapshot> {
  const now = ports.clock.now();
  const hit = cache.get(ports.resources);
  if (hit && now - hit.at < BINDINGS_TTL_MS && now >= hit.at) return hit.snapshot;
  const snapshot = read(ports.resources);
  cache.set(ports.resources, { at: now, snapshot });
  // A failed read is not kept: the next request tries again.
  snapshot.catch(() => cache.delete(ports.resources));
  return snapshot;
}

/** Drops this process's copy (a Role or RoleBinding was written). */
export function invalidateBindings(resources: ResourceStore): void {
  cache.delete(resources);
}

/** Is this a built-in role's name? */
export function isBuiltInRole(name: string): name is BuiltInRole {
  return (BuiltInRoles as readonly string[]).includes(name);
}

/** The rules of a role by name: built-in first, then custom; unknown: none (nothing allowed). */
export function roleRules(name: string, snapshot: BindingSnapshot): readonly RoleRule[] {
  if (isBuiltInRole(name)) return BUILT_IN_ROLE_RULES[name];
  return snapshot.roles.get(name) ?? [];
}

/** What an API token itself grants (its role within its sets). */
export interface TokenGrant {
  name: string;
  role: string;
  clusterSets?: readonly string[];
}

/** Does a binding's subject list name this principal? */
export function bindsPrincipal(spec: RoleBindingSpec, principal: Principal): boolean {
  return spec.subjects.some(
    (s) =>
      (s.kind === 'User' && s.name === principal.username) ||
      (s.kind === 'Group' && principal.groups.includes(s.name)) ||
      (s.kind === 'Token' && principal.source === 'token' && s.name === principal.uid),
  );
}

/** Every grant of a principal: its token's own role, then each binding that names it. */
export function grantsFor(principal: Principal, snapshot: BindingSnapshot, token?: TokenGrant): Grant[] {
  const grants: Grant[] = [];
  if (token) {
    grants.push({
      source: `token/${token.name}`,
      role: token.role,
      rules: roleRules(token.role, snapshot),
      ...(token.clusterSets?.length ? { clusterSets: token.clusterSets } : {}),
    });
  }
  for (const b of snapshot.bindings) {
    if (!bindsPrincipal(b.spec, principal)) continue;
    grants.push({
      source: `binding/${b.name}`,
      role: b.spec.roleRef.name,
      rules: roleRules(b.spec.roleRef.name, snapshot),
      ...(b.spec.clusterSets.length ? { clusterSets: b.spec.clusterSets } : {}),
    });
  }
  return grants;
}
