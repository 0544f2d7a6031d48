import { isPlainObject } from './json.js';
import type { KindInfo } from './kinds.js';
import type { KubeObject } from './types.js';

/**
 * How a CustomResourceDefinition turns into servable kinds in the in-memory cluster, and the
 * status the API server writes once it has accepted the names (Established).
 */

/** The manager name the API server writes CRD status under. */
export const APISERVER_MANAGER = 'kube-apiextensions-server';

interface CrdNames {
  group: string;
  kind: string;
  plural: string;
  namespaced: boolean;
  versions: { name: string; served: boolean; storage: boolean }[];
}

function namesOf(crd: KubeObject): CrdNames | undefined {
  const spec = isPlainObject(crd.spec) ? crd.spec : undefined;
  const names = spec && isPlainObject(spec.names) ? spec.names : undefined;
  if (!spec || !names || typeof spec.group !== 'string' || typeof names.kind !== 'string' || typeof names.plural !== 'string')
    return undefined;
  const versions = (Array.isArray(spec.versions) ? spec.versions : [])
    .filter(isPlainObject)
    .map((v) => ({ name: String(v.name), served: v.served !== false, storage: v.storage === true }));
  return { group: spec.group, kind: names.kind, plural: names.plural, namespaced: spec.scope === 'Namespaced', versions };
}

/** The group and kind a CRD defines (its storage bucket), or undefined for a malformed CRD. */
export function crdGroupKind(crd: KubeObject): { group: string; kind: string } | undefined {
  const n = namesOf(crd);
  return n && { group: n.group, kind: n.kind };
}

/** The kinds a CRD serves, one per served version. Lists of custom resources are atomic. */
export function kindsOfCrd(crd: KubeObject): KindInfo[] {
  const n = namesOf(crd);
  if (!n) return [];
  return n.versions
    .filter((v) => v.served)
    .map((v) =>
      Object.freeze({
        apiVersion: `${n.group}/${v.name}`,
        group: n.group,
        kind: n.kind,
        plural: n.plural,
        namespaced: n.namespaced,
        generation: true,
        keyedLists: false,
      }),
    );
}

/** The status of an accepted, Established CRD. */
export function establishedStatus(crd: KubeObject, now: string): Record<string, unknown> {
  const spec = isPlainObject(crd.spec) ? crd.spec : {};
  const names = isPlainObject(spec.names) ? spec.names : {};
  const storage = namesOf(crd)?.versions.find((v) => v.storage)?.name;
  const previous = isPlainObject(crd.status) && Array.isArray(crd.status.storedVersions) ? (crd.status.storedVersions as string[]) : [];
  const stored = storage && !previous.includes(storage) ? [...previous, storage] : previous;
  const previousConditions =
    isPlainObject(crd.status) && Array.isArray(crd.status.conditions) ? crd.status.conditions.filter(isPlainObject) : [];
  // A condition keeps its transition time while its status stays the same.
  const since = (type: string) => {
    const c = previousConditions.find((p) => p.type === type && p.status === 'True');
    return typeof c?.lastTransitionTime === 'string' ? c.lastTransitionTime : now;
  };
  return {
    conditions: [
      {
        type: 'NamesAccepted',
        status: 'True',
        reason: 'NoConflicts',
        message: 'no conflicts found',
        lastTransitionTime: since('NamesAccepted'),
      },
      {
        type: 'Established',
        status: 'True',
        reason: 'InitialNamesAccepted',
        message: 'the initial names have been accepted',
        lastTransitionTime: since('Established'),
      },
    ],
    acceptedNames: {
      ...names,
      singular: names.singular ?? String(names.kind ?? '').toLowerCase(),
      listKind: names.listKind ?? `${String(names.kind)}List`,
    },
    storedVersions: stored,
  };
}
