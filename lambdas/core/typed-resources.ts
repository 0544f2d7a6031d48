import type { AnyKind, ResourceOf } from '../../shared/resources/define-kind.js';
import type { Resource } from '../../shared/resources/meta.js';
import type { ListOptions } from '../ports/resource-store.js';
import type { HubContext } from './context.js';

/**
 * Typed access to the resource store by kind: what comes back is the kind's typed resource, so the
 * domain reads `fd.spec.placementRef` without casting an untyped spec, and names kinds by their
 * definitions rather than by string literals. The store holds only documents the resource service
 * validated against the kind's schema, which is what makes the one conversion here sound.
 */

/** The name (and, for a kind that belongs to a cluster, the cluster) of one object. */
export interface ObjectKey {
  name: string;
  namespace?: string;
}

/** Treats a stored document as a resource of `kind`, refusing one of another kind (a programming error). */
export function asKind<K extends AnyKind>(kind: K, res: Resource): ResourceOf<K> {
  if (res.kind !== kind.kind) throw new Error(`expected a ${kind.kind}, got a ${res.kind} ("${res.metadata.name}")`);
  return res as ResourceOf<K>;
}

/** Reads one object of a kind, or undefined. */
export async function readResource<K extends AnyKind>(
  ctx: HubContext,
  kind: K,
  key: ObjectKey,
  opts?: { consistent?: boolean },
): Promise<ResourceOf<K> | undefined> {
  const res = await ctx.ports.resources.get({ kind: kind.kind, ...key }, opts);
  return res && asKind(kind, res);
}

/** Reads many objects of a kind (in key order; undefined where absent). */
export async function readResources<K extends AnyKind>(
  ctx: HubContext,
  kind: K,
  keys: readonly ObjectKey[],
  opts?: { consistent?: boolean },
): Promise<(ResourceOf<K> | undefined)[]> {
  const found = await ctx.ports.resources.getMany(
    keys.map((k) => ({ kind: kind.kind, ...k })),
    opts,
  );
  return found.map((res) => res && asKind(kind, res));
}

/** One page of the objects of a kind. */
export async function listResources<K extends AnyKind>(
  ctx: HubContext,
  kind: K,
  opts: ListOptions,
): Promise<{ items: ResourceOf<K>[]; cursor?: string }> {
  const page = await ctx.ports.resources.list(kind.kind, opts);
  return { items: page.items.map((res) => asKind(kind, res)), ...(page.cursor ? { cursor: page.cursor } : {}) };
}

/** Deletes one object of a kind (conditionally on `expectedVersion` when given). */
export function deleteResource(ctx: HubContext, kind: AnyKind, key: ObjectKey, expectedVersion?: string): Promise<void> {
  return ctx.ports.resources.delete({ kind: kind.kind, ...key }, expectedVersion);
}
