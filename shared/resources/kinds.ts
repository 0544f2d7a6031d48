import { z } from 'zod';
import { ClusterSpecSchema, ClusterStatusSchema } from './cluster.js';
import { ClusterSetSpecSchema, ClusterSetStatusSchema } from './clusterset.js';
import { fleetDeploymentKind } from './fleetdeployment.js';
import { placementKind } from './placement.js';
import { workKind } from './work.js';
import { API_VERSION, ObjectMetaInputSchema, ObjectMetaSchema } from './meta.js';

/**
 * What the hub, the CLI and the OpenAPI generator know about one resource kind.
 * Adding a kind is adding an entry to {@link KINDS}; routes, validation, docs and CLI follow.
 */
export interface KindInfo {
  kind: string;
  /** Lowercase plural used in API paths: `/v1/{plural}`. */
  plural: string;
  singular: string;
  shortNames: string[];
  /** Namespaced kinds belong to one cluster: `/v1/clusters/{cluster}/{plural}/{name}`. */
  namespaced: boolean;
  spec: z.ZodType;
  status: z.ZodType;
  description: string;
}

export const KINDS: Record<string, KindInfo> = {
  Cluster: {
    kind: 'Cluster',
    plural: 'clusters',
    singular: 'cluster',
    shortNames: ['cl'],
    namespaced: false,
    spec: ClusterSpecSchema,
    status: ClusterStatusSchema,
    description: 'A managed Kubernetes cluster (a spoke) registered with the hub.',
  },
  ClusterSet: {
    kind: 'ClusterSet',
    plural: 'clustersets',
    singular: 'clusterset',
    shortNames: ['cs'],
    namespaced: false,
    spec: ClusterSetSpecSchema,
    status: ClusterSetStatusSchema,
    description: 'A named group of clusters, selected by the exclusive set label or by a label selector.',
  },
};

/** Registers a kind (used by later capabilities to add Work, Placement, ...). */
export function registerKind(info: KindInfo): void {
  KINDS[info.kind] = info;
}

registerKind(workKind);
registerKind(placementKind);
registerKind(fleetDeploymentKind);

/**
 * Finds a kind by its name, plural, singular or short name, case-insensitively.
 * @example findKind('clusters')?.kind === 'Cluster'
 */
export function findKind(text: string): KindInfo | undefined {
  const t = text.toLowerCase();
  return Object.values(KINDS).find(
    (k) => k.kind.toLowerCase() === t || k.plural === t || k.singular === t || k.shortNames.includes(t),
  );
}

/** Names of all kinds, for error messages. */
export function kindNames(): string[] {
  return Object.keys(KINDS);
}

/** Schema of a resource document as a user writes it (apply, create, replace). */
export function inputSchema(info: KindInfo) {
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
export function outputSchema(info: KindInfo) {
  return z.object({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal(info.kind),
    metadata: ObjectMetaSchema,
    spec: info.spec,
    status: info.status.optional(),
  });
}
