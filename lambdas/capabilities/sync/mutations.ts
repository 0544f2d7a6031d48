import type { SyncMutations } from '../../../shared/resources/sync-rule.js';
import { parseDefinitePath, setAtPath } from './json-path.js';

/**
 * Pure: what a source object becomes on its way to the destinations. Server-set metadata goes
 * (the destination's apiserver sets its own); `.status` goes unless `syncStatus`; label and
 * annotation removals apply before additions (an added key always ends up set); overrides set
 * values at definite JSONPaths, in order; a groupVersionKind rewrite changes apiVersion and kind.
 */

/** Metadata a copy never carries from its source. */
export const SERVER_SET_METADATA = [
  'resourceVersion',
  'uid',
  'generation',
  'managedFields',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'ownerReferences',
  'selfLink',
  'finalizers',
] as const;

function mutateMap(map: Record<string, string> | undefined, m: { add?: Record<string, string>; remove?: string[] } | undefined) {
  const out = { ...(map ?? {}) };
  for (const k of m?.remove ?? []) delete out[k];
  Object.assign(out, m?.add ?? {});
  return out;
}

/**
 * The copy of `source` after `mutations` (none: only the server-set metadata and status go).
 * Throws only for an override path that is not definite, which validation refuses at write time.
 */
export function applyMutations(source: Record<string, unknown>, mutations: SyncMutations | undefined): Record<string, unknown> {
  const copy = structuredClone(source);
  const metadata = { ...((copy.metadata as Record<string, unknown>) ?? {}) };
  for (const k of SERVER_SET_METADATA) delete metadata[k];
  if (!mutations?.syncStatus) delete copy.status;
  const labels = mutateMap(metadata.labels as Record<string, string> | undefined, mutations?.labels);
  const annotations = mutateMap(metadata.annotations as Record<string, string> | undefined, mutations?.annotations);
  if (Object.keys(labels).length) metadata.labels = labels;
  else delete metadata.labels;
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  else delete metadata.annotations;
  copy.metadata = metadata;
  for (const o of mutations?.overrides ?? []) {
    const parsed = parseDefinitePath(o.path);
    if ('problem' in parsed) throw new Error(`override ${o.path}: ${parsed.problem}`);
    setAtPath(copy, parsed.segments, o.value);
  }
  const gvk = mutations?.groupVersionKind;
  if (gvk) {
    copy.apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
    copy.kind = gvk.kind;
  }
  return copy;
}

/** `namespace/name` of an object as it will be written (after mutations). */
export function destinationKey(obj: Record<string, unknown>): string {
  const m = (obj.metadata ?? {}) as { name?: string; namespace?: string };
  return `${m.namespace ?? ''}/${m.name ?? ''}`;
}
