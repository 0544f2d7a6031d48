import { z } from 'zod';
import { clusterKind } from './cluster.js';
import { clusterSetKind } from './clusterset.js';
import type { AnyKind } from './define-kind.js';
import { fleetDeploymentKind } from './fleetdeployment.js';
import { API_VERSION, ObjectMetaInputSchema, ObjectMetaSchema } from './meta.js';
import { placementKind } from './placement.js';
import { policyKind, policySetKind } from './policy.js';
import { roleBindingKind, roleKind } from './role.js';
import { workKind } from './work.js';

export type { AnyKind, KindInfo, PrinterColumn, ResourceOf, SpecOf, StatusOf } from './define-kind.js';

/**
 * Every kind the hub serves, by name: data the hub (routes, validation, OpenAPI), the CLI (names,
 * columns, completion) and the console share. Imports point one way: this module imports the kind
 * modules, which import only the leaf `define-kind.ts`. Which capability serves a kind is declared
 * by the hub's composition (lambdas/capabilities/).
 */
export const KINDS = Object.freeze({
  Cluster: clusterKind,
  ClusterSet: clusterSetKind,
  Work: workKind,
  Placement: placementKind,
  FleetDeployment: fleetDeploymentKind,
  Policy: policyKind,
  PolicySet: policySetKind,
  Role: roleKind,
  RoleBinding: roleBindingKind,
} as const);

/** The name of a hub kind. */
export type KindName = keyof typeof KINDS;

const ALL: readonly AnyKind[] = Object.freeze(Object.values(KINDS));

/**
 * Finds a kind by its name, plural, singular or short name, case-insensitively.
 * @example findKind('clusters')?.kind === 'Cluster'
 */
export function findKind(text: string, among: readonly AnyKind[] = ALL): AnyKind | undefined {
  const t = text.toLowerCase();
  return among.find((k) => k.kind.toLowerCase() === t || k.plural === t || k.singular === t || k.shortNames.includes(t));
}

/** Names of all kinds, for error messages. */
export function kindNames(among: readonly AnyKind[] = ALL): string[] {
  return among.map((k) => k.kind);
}

/** Is this the name of a hub kind? */
export function isKindName(name: string): name is KindName {
  return Object.hasOwn(KINDS, name);
}

/** Schema of a resource document as a user writes it (apply, create, replace). */
export function inputSchema(info: AnyKind) {
  return z
    .object({
      apiVersion: z.literal(API_VERSION, { error: `apiVersion must be "${API_VERSION}"` }),
      kind: z.literal(info.kind),
      metadata: ObjectMetaInputSchema,
      spec: (info.spec as z.ZodType).optional(),
      // Status is owned by the hub; a value echoed back from `get -o yaml` is accepted and ignored.
      status: z.unknown().optional(),
    })
    .strict();
}

/** Schema of a resource as the hub returns it. */
export function outputSchema(info: AnyKind) {
  return z.object({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal(info.kind),
    metadata: ObjectMetaSchema,
    spec: info.spec,
    status: info.status.optional(),
  });
}
