import { canonicalHash } from '../../shared/hash.js';
import {
  ORIGIN_CLUSTER_ANNOTATION,
  ORIGIN_RESOURCE_VERSION_ANNOTATION,
  ORIGIN_RULE_ANNOTATION,
  SYNC_DISABLED_ANNOTATION,
  SYNC_FIELD_MANAGER,
  type DesiredSync,
  type DesiredSyncDestinationRule,
  type DesiredSyncObject,
} from '../../shared/protocol/sync.js';
import type { SyncDestinationState } from '../../shared/resources/sync-rule.js';
import type { ClusterApi } from '../kube/cluster-api.js';
import { KubeConflictError, KubeForbiddenError, KubeInvalidError, KubeNotFoundError, KubeUnknownKindError } from '../kube/errors.js';
import { describeRef, type KubeObject, type ObjectRef } from '../kube/types.js';
import type { AgentLog } from '../log.js';
import { copyKey, type CopyRecord, type SyncState } from './sync-store.js';

/**
 * The destination side of resource sync: applies the objects the hub hands this cluster with
 * server-side apply (field manager {@link SYNC_FIELD_MANAGER}), stamped with their origin, and
 * deletes copies whose source object is gone when the rule says Propagate. It never writes an
 * object that opted out (`sync.tether.dev/disabled: "true"`), never takes over an object sync did
 * not create unless the rule says Overwrite, and never deletes an object sync did not create (one
 * it took over with Overwrite included: it is forgotten, not deleted).
 */

/** Outcome of one object, as the status report counts it. */
export interface ObjectOutcome {
  state: SyncDestinationState;
  reason?: string;
  /** What was applied (object hash, origin, policy): equal means nothing to do until a full pass. Unset: retry next pass. */
  applied?: string;
}

/** Options of {@link SyncDestination}. */
export interface SyncDestinationOptions {
  api: ClusterApi;
  log: AgentLog;
}

/** The outcome of a destination pass, for tests and metrics. */
export interface DestinationPass {
  applied: number;
  deleted: number;
}

const DEFAULT_RULE: Omit<DesiredSyncDestinationRule, 'rule' | 'uid'> = { conflictPolicy: 'Abort', deletePolicy: 'Propagate' };

/** The reference of a desired object. */
export function refOfDesired(o: DesiredSyncObject): ObjectRef {
  const meta = (o.object.metadata ?? {}) as { name?: string; namespace?: string };
  const ref: ObjectRef = { apiVersion: String(o.object.apiVersion), kind: String(o.object.kind), name: String(meta.name ?? '') };
  if (meta.namespace) ref.namespace = meta.namespace;
  return ref;
}

/** The key of a desired object (its rule and reference). */
export function desiredKey(o: DesiredSyncObject): string {
  return copyKey({ rule: o.rule, ...refOfDesired(o) });
}

/** Applies and deletes copies. One per agent; it keeps each object's last outcome in memory. */
export class SyncDestination {
  private readonly outcomes = new Map<string, ObjectOutcome>();

  constructor(private readonly options: SyncDestinationOptions) {}

  /** The last outcome of a desired object (undefined: not handled yet). */
  outcome(o: DesiredSyncObject): ObjectOutcome | undefined {
    return this.outcomes.get(desiredKey(o));
  }

  /**
   * Applies what changed (everything with `full`), then deletes the copies that left the desired
   * state per their rule's delete policy. Never throws: failures are outcomes, retried next pass.
   */
  async run(sync: DesiredSync, state: SyncState, full: boolean): Promise<DestinationPass> {
    const pass: DestinationPass = { applied: 0, deleted: 0 };
    const rules = new Map(sync.destinationRules.map((r) => [r.rule, r]));
    for (const r of sync.destinationRules) state.rules[r.rule] = { uid: r.uid, deletePolicy: r.deletePolicy };
    const wanted = new Set<string>();
    for (const o of sync.objects) {
      const key = desiredKey(o);
      wanted.add(key);
      const policy = rules.get(o.rule) ?? { rule: o.rule, uid: '', ...DEFAULT_RULE };
      const fingerprint = canonicalHash([o.hash, o.originClusterId, o.sourceResourceVersion, policy.conflictPolicy]);
      const prev = this.outcomes.get(key);
      if (!full && prev?.applied === fingerprint) continue;
      const outcome = await this.applyOne(o, policy, fingerprint, state);
      if (outcome.state === 'Synced') pass.applied++;
      this.outcomes.set(key, outcome);
    }
    for (const key of [...this.outcomes.keys()]) if (!wanted.has(key)) this.outcomes.delete(key);
    pass.deleted = await this.prune(state, wanted, rules);
    for (const rule of Object.keys(state.rules)) {
      if (!rules.has(rule) && !state.copies.some((c) => c.rule === rule)) delete state.rules[rule];
    }
    return pass;
  }

  private async applyOne(
    o: DesiredSyncObject,
    policy: DesiredSyncDestinationRule,
    fingerprint: string,
    state: SyncState,
  ): Promise<ObjectOutcome> {
    const { api, log } = this.options;
    const ref = refOfDesired(o);
    const done = (s: ObjectOutcome['state'], reason?: string): ObjectOutcome => ({ state: s, reason, applied: fingerprint });
    try {
      const live = await api.get(ref);
      const annotations = live?.metadata.annotations ?? {};
      if (annotations[SYNC_DISABLED_ANNOTATION] === 'true') return done('OptedOut', `opted out (${SYNC_DISABLED_ANNOTATION}: "true")`);
      const owner = annotations[ORIGIN_RULE_ANNOTATION];
      const adopting = live !== undefined && owner !== o.rule;
      if (adopting && policy.conflictPolicy === 'Abort') {
        return done(
          'Conflict',
          owner === undefined
            ? `${describeRef(ref)} exists and was not created by sync; conflictPolicy Abort leaves it alone`
            : `${describeRef(ref)} was written by sync rule ${owner}; conflictPolicy Abort leaves it alone`,
        );
      }
      await api.apply(stamped(o), { fieldManager: SYNC_FIELD_MANAGER, force: policy.conflictPolicy === 'Overwrite' });
      const record: CopyRecord = { rule: o.rule, ...ref };
      const key = copyKey(record);
      const existing = state.copies.find((c) => copyKey(c) === key);
      // Taken over from someone else (Overwrite): never deleted by sync, only forgotten.
      if (!existing) state.copies.push(adopting ? { ...record, adopted: true } : record);
      return done('Synced');
    } catch (err) {
      if (err instanceof KubeConflictError) return done('Conflict', err.message);
      if (err instanceof KubeInvalidError || err instanceof KubeUnknownKindError || err instanceof KubeForbiddenError)
        return done('Blocked', err.message);
      if (err instanceof KubeNotFoundError) return done('Blocked', err.message);
      log.warn('resource sync: cannot apply a copy; will retry', { rule: o.rule, object: describeRef(ref), error: err });
      return { state: 'Pending', reason: `${(err as Error).message}; retrying` };
    }
  }

  /** Copies no longer desired: deleted (Propagate, created by sync) or forgotten. */
  private async prune(
    state: SyncState,
    wanted: ReadonlySet<string>,
    rules: ReadonlyMap<string, DesiredSyncDestinationRule>,
  ): Promise<number> {
    const { api, log } = this.options;
    let deleted = 0;
    const keep: CopyRecord[] = [];
    for (const copy of state.copies) {
      if (wanted.has(copyKey(copy))) {
        keep.push(copy);
        continue;
      }
      const deletePolicy = rules.get(copy.rule)?.deletePolicy ?? state.rules[copy.rule]?.deletePolicy ?? DEFAULT_RULE.deletePolicy;
      if (deletePolicy === 'Orphan' || copy.adopted) continue;
      const ref: ObjectRef = {
        apiVersion: copy.apiVersion,
        kind: copy.kind,
        name: copy.name,
        ...(copy.namespace ? { namespace: copy.namespace } : {}),
      };
      try {
        const live = await api.get(ref);
        const annotations = live?.metadata.annotations ?? {};
        // Only our own copy: another rule (or a person) may have taken the name since.
        if (live && annotations[ORIGIN_RULE_ANNOTATION] === copy.rule && annotations[SYNC_DISABLED_ANNOTATION] !== 'true') {
          if (await api.delete(ref)) deleted++;
          log.info('resource sync: deleted a copy whose source is gone', { rule: copy.rule, object: describeRef(ref) });
        }
      } catch (err) {
        log.warn('resource sync: cannot delete a copy; will retry', { rule: copy.rule, object: describeRef(ref), error: err });
        keep.push(copy);
      }
    }
    state.copies = keep;
    return deleted;
  }
}

/** The object to apply: the desired object with the origin annotations. */
export function stamped(o: DesiredSyncObject): KubeObject {
  const obj = structuredClone(o.object) as KubeObject;
  const meta = (obj.metadata ??= { name: '' });
  meta.annotations = {
    ...(meta.annotations ?? {}),
    [ORIGIN_CLUSTER_ANNOTATION]: o.originClusterId,
    [ORIGIN_RULE_ANNOTATION]: o.rule,
    [ORIGIN_RESOURCE_VERSION_ANNOTATION]: o.sourceResourceVersion,
  };
  return obj;
}
