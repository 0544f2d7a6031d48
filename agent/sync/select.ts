import { formatSelector } from '../../shared/labels.js';
import { ORIGIN_CLUSTER_ANNOTATION, syncObjectHash } from '../../shared/protocol/sync.js';
import type { GroupVersionKind, SyncMatch } from '../../shared/resources/sync-rule.js';
import { matchesAny } from '../../shared/sync-match.js';
import type { ListQuery } from '../kube/cluster-api.js';
import type { KubeObject } from '../kube/types.js';

/**
 * Which objects a source rule selects on this cluster, and how to ask the API server for them with
 * as little listed as possible. The server narrows by namespace, label selector and name (the
 * field selector `metadata.name`); what it cannot express (annotation selectors, content matches,
 * several label selectors ORed inside one entry) is filtered here with the shared matcher, which
 * always runs last, so the server-side queries only ever narrow what is read, never what matches.
 */

/** Above this many queries for one rule, one list of the whole kind is cheaper. */
export const MAX_LIST_QUERIES = 8;

/** The apiVersion of a group/version/kind: `v1` for the core group. */
export function apiVersionOf(gvk: GroupVersionKind): string {
  return gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
}

/** A rule's entries' match lists (ORed) as one list; undefined when some entry matches everything. */
export function flattenMatch(match: readonly (readonly SyncMatch[])[]): SyncMatch[] | undefined {
  if (match.length === 0 || match.some((m) => m.length === 0)) return undefined;
  return match.flat();
}

/**
 * The list calls that together return a superset of what the match selects, for a kind served
 * `namespaced` or not. One entry becomes one query per namespace it allows (its `namespaces`,
 * narrowed by `objectKey.namespace`), with its label selector when it has exactly one and its name
 * as a field selector when it names one; any entry the server cannot narrow means one list of the
 * whole kind.
 * @example listQueries('v1', 'Secret', true, [{ namespaces: ['a'], labels: [{ matchLabels: { x: 'y' } }] }])
 *   // [{ apiVersion: 'v1', kind: 'Secret', namespace: 'a', labelSelector: 'x=y' }]
 */
export function listQueries(apiVersion: string, kind: string, namespaced: boolean, match: readonly SyncMatch[] | undefined): ListQuery[] {
  const whole: ListQuery[] = [{ apiVersion, kind }];
  if (!match) return whole;
  const queries = new Map<string, ListQuery>();
  for (const m of match) {
    const labelSelector = m.labels?.length === 1 ? formatSelector(m.labels[0]) : undefined;
    const fieldSelector = m.objectKey?.name !== undefined ? `metadata.name=${m.objectKey.name}` : undefined;
    let namespaces: (string | undefined)[] = [undefined];
    if (namespaced) {
      const listed = m.namespaces && m.namespaces.length > 0 ? m.namespaces : undefined;
      const keyNs = m.objectKey?.namespace;
      if (keyNs !== undefined) namespaces = !listed || listed.includes(keyNs) ? [keyNs] : [];
      else if (listed) namespaces = [...listed];
    }
    if (namespaces.length === 0) continue; // the entry can match nothing
    if (namespaces.length === 1 && namespaces[0] === undefined && !labelSelector && !fieldSelector) return whole;
    for (const namespace of namespaces) {
      const q: ListQuery = { apiVersion, kind };
      if (namespace !== undefined) q.namespace = namespace;
      if (labelSelector) q.labelSelector = labelSelector;
      if (fieldSelector) q.fieldSelector = fieldSelector;
      queries.set(JSON.stringify([namespace ?? null, labelSelector ?? null, fieldSelector ?? null]), q);
    }
  }
  if (queries.size > MAX_LIST_QUERIES) return whole;
  return [...queries.values()];
}

/** What a source reports of one object: its content without server-set fields, and its hash. */
export interface SourceObject {
  namespace: string;
  name: string;
  resourceVersion: string;
  hash: string;
  /** What is sent to the hub (see {@link reportedObject}). */
  object: Record<string, unknown>;
}

/** Annotations that never travel: kubectl's copy of the last applied manifest holds a Secret's data in clear. */
const DROPPED_ANNOTATIONS: readonly string[] = ['kubectl.kubernetes.io/last-applied-configuration'];

/**
 * The object as reported: server-set metadata (uid, resourceVersion, generation, managedFields,
 * creationTimestamp, ownerReferences: owners do not exist on other clusters) and `.status` (unless
 * `withStatus`) removed, and kubectl's last-applied annotation dropped.
 */
export function reportedObject(obj: KubeObject, withStatus: boolean): Record<string, unknown> {
  const { status, metadata, ...rest } = obj;
  const meta: Record<string, unknown> = { ...metadata };
  for (const k of [
    'uid',
    'resourceVersion',
    'generation',
    'managedFields',
    'creationTimestamp',
    'ownerReferences',
    'selfLink',
    'deletionTimestamp',
    'deletionGracePeriodSeconds',
  ])
    delete meta[k];
  if (metadata.annotations) {
    const annotations = { ...metadata.annotations };
    for (const a of DROPPED_ANNOTATIONS) delete annotations[a];
    if (Object.keys(annotations).length > 0) meta.annotations = annotations;
    else delete meta.annotations;
  }
  return { ...rest, metadata: meta, ...(withStatus && status !== undefined ? { status } : {}) };
}

/**
 * Whether the object is a copy another cluster's object (loop prevention): its origin annotation
 * names a cluster other than this one (`clusterId`, this cluster's kube-system UID).
 */
export function isForeignCopy(obj: KubeObject, clusterId: string): boolean {
  const origin = obj.metadata.annotations?.[ORIGIN_CLUSTER_ANNOTATION];
  return origin !== undefined && origin !== clusterId;
}

/**
 * The objects of listed pages that the rule selects, each once, sorted by key: local filtering by
 * the whole match, never a foreign copy, never an object being deleted.
 */
export function selectObjects(
  pages: readonly KubeObject[][],
  match: readonly SyncMatch[] | undefined,
  clusterId: string,
  withStatus: boolean,
): SourceObject[] {
  const seen = new Map<string, SourceObject>();
  for (const page of pages) {
    for (const obj of page) {
      const namespace = obj.metadata.namespace ?? '';
      const key = `${namespace}/${obj.metadata.name}`;
      if (seen.has(key) || obj.metadata.deletionTimestamp) continue;
      if (isForeignCopy(obj, clusterId)) continue;
      if (match && !matchesAny(match, obj)) continue;
      const object = reportedObject(obj, withStatus);
      seen.set(key, {
        namespace,
        name: obj.metadata.name,
        resourceVersion: obj.metadata.resourceVersion ?? '',
        hash: syncObjectHash(object, withStatus),
        object,
      });
    }
  }
  return [...seen.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, o]) => o);
}
