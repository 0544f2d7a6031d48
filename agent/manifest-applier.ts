import { canonicalHash } from '../shared/hash.js';
import type { DriftEvent } from '../shared/protocol/v1.js';
import type { Condition } from '../shared/resources/meta.js';
import type { ClusterApi, ResourceInfo } from './kube/cluster-api.js';
import { KubeAlreadyExistsError, KubeUnknownKindError } from './kube/errors.js';
import { describeRef, splitApiVersion, type KubeObject, type ObjectRef } from './kube/types.js';
import { collectFeedback } from './feedback.js';
import { lostFields, ownedFields, valueDrift } from './fields.js';
import type { InventoryEntry } from './inventory.js';
import {
  explainFailure,
  healthOf,
  ManifestConditions,
  withConditions,
  type ConditionInput,
  type FailureReason,
} from './manifest-status.js';
import { policyFor, type ManifestConfig, type ManifestPolicy } from './work-config.js';

/**
 * One manifest of one work, one pass: decide what to do from the manifest, its policy, what the
 * inventory recorded last time and what is live; do it (apply, create or nothing); detect and
 * correct drift; and describe the outcome as a manifest status, an inventory entry and maybe a
 * DriftEvent. Never throws for a cluster error: failures become conditions.
 */

/** A manifest's status as reported to the hub (protocol ManifestStatus). */
export interface ManifestStatus {
  group: string;
  version: string;
  kind: string;
  resource?: string;
  namespace?: string;
  name: string;
  conditions: Condition[];
  feedback?: { name: string; value: string | number | boolean | null }[];
}

/** What processing one manifest produced. */
export interface ManifestOutcome {
  /** What to remember in the inventory; undefined when nothing could be identified. */
  entry?: InventoryEntry;
  status: ManifestStatus;
  drift?: DriftEvent;
  /** Whether the cluster was written. */
  wrote: boolean;
  /** Whether the manifest is in the state the work asks for. */
  ok: boolean;
}

/** What the applier needs from its surroundings. */
export interface ApplierContext {
  api: ClusterApi;
  /** The default field manager (`tether-agent`). */
  fieldManager: string;
  now: () => number;
  /** Discovery with a per-pass cache. */
  discover: (apiVersion: string, kind: string) => Promise<ResourceInfo | undefined>;
  /** Called with the duration of every apply or create, in seconds. */
  observeWrite?: (seconds: number) => void;
}

/** Per-manifest input. */
export interface ManifestInput {
  work: string;
  manifest: Record<string, unknown>;
  configs: readonly ManifestConfig[];
  previous?: InventoryEntry;
  previousConditions?: Condition[];
}

/** Is this a usable Kubernetes object envelope? */
export function isKubeObject(m: Record<string, unknown>): m is KubeObject {
  const meta = m.metadata as Record<string, unknown> | undefined;
  return (
    typeof m.apiVersion === 'string' &&
    m.apiVersion !== '' &&
    typeof m.kind === 'string' &&
    m.kind !== '' &&
    typeof meta?.name === 'string' &&
    meta.name !== ''
  );
}

/** Processes one manifest. */
export async function processManifest(ctx: ApplierContext, input: ManifestInput): Promise<ManifestOutcome> {
  const nowIso = new Date(ctx.now()).toISOString();
  const conds = (list: ConditionInput[]) => withConditions(input.previousConditions, list, nowIso);
  const raw = input.manifest;
  if (!isKubeObject(raw)) {
    const meta = (raw.metadata ?? {}) as Record<string, unknown>;
    const { group, version } = splitApiVersion(typeof raw.apiVersion === 'string' ? raw.apiVersion : '');
    const message = 'the manifest needs apiVersion, kind and metadata.name; fix it in the work';
    return {
      wrote: false,
      ok: false,
      status: {
        group,
        version,
        kind: typeof raw.kind === 'string' ? raw.kind : 'Unknown',
        name: typeof meta.name === 'string' ? meta.name : '(unnamed)',
        conditions: conds([
          { type: ManifestConditions.Applied, status: 'False', reason: 'InvalidManifest', message },
          { type: ManifestConditions.Available, status: 'Unknown', reason: 'InvalidManifest', message },
          { type: ManifestConditions.Degraded, status: 'True', reason: 'InvalidManifest', message },
        ]),
      },
    };
  }

  const { group, version } = splitApiVersion(raw.apiVersion);
  const base = { group, version, kind: raw.kind, name: raw.metadata.name };
  let info: ResourceInfo | undefined;
  try {
    info = await ctx.discover(raw.apiVersion, raw.kind);
  } catch (err) {
    return failedBeforeApply(
      input,
      base,
      raw.metadata.namespace,
      explainFailure(err, describeRef({ ...base, apiVersion: raw.apiVersion })),
      conds,
    );
  }
  if (!info) {
    const failure = explainFailure(new KubeUnknownKindError(raw.apiVersion, raw.kind), `${raw.kind} ${raw.metadata.name}`);
    return failedBeforeApply(input, base, raw.metadata.namespace, failure, conds);
  }

  const namespace = info.namespaced ? raw.metadata.namespace || 'default' : undefined;
  const manifest: KubeObject = { ...raw, metadata: { ...raw.metadata } };
  if (namespace) manifest.metadata.namespace = namespace;
  else delete manifest.metadata.namespace;
  const ref: ObjectRef = namespace
    ? { apiVersion: raw.apiVersion, kind: raw.kind, namespace, name: raw.metadata.name }
    : { apiVersion: raw.apiVersion, kind: raw.kind, name: raw.metadata.name };
  const target = describeRef(ref);
  const policy = policyFor(input.configs, { group, resource: info.plural, namespace: namespace ?? '', name: ref.name }, ctx.fieldManager);
  const hash = canonicalHash({ manifest, strategy: policy.strategy, force: policy.force, manager: policy.fieldManager });
  const statusBase: ManifestStatus = { ...base, resource: info.plural, ...(namespace ? { namespace } : {}), conditions: [] };
  const prev = input.previous;

  let live: KubeObject | undefined;
  try {
    live = await ctx.api.get(ref);
  } catch (err) {
    return failedBeforeApply(input, base, namespace, explainFailure(err, target), conds, info.plural);
  }

  const action = decide(policy, prev, live, hash, manifest);
  let wrote = false;
  let failure: FailureReason | undefined;
  if (action.write) {
    const started = ctx.now();
    try {
      if (action.write === 'apply') await ctx.api.apply(manifest, { fieldManager: policy.fieldManager, force: policy.force });
      else await ctx.api.create(manifest, { fieldManager: policy.fieldManager });
      wrote = true;
    } catch (err) {
      // Someone created it between the read and the create: CreateOnly is satisfied.
      if (!(action.write === 'create' && err instanceof KubeAlreadyExistsError)) failure = explainFailure(err, target);
    } finally {
      ctx.observeWrite?.((ctx.now() - started) / 1000);
    }
  }
  const created = policy.strategy === 'ReadOnly' ? false : !live && wrote ? true : (prev?.created ?? false);
  if (wrote) {
    try {
      live = await ctx.api.get(ref);
    } catch {
      // The write worked; the status is read again on the next pass.
    }
  }

  const entry: InventoryEntry = {
    apiVersion: ref.apiVersion,
    kind: ref.kind,
    ...(namespace ? { namespace } : {}),
    name: ref.name,
    resource: info.plural,
    // After a failed write, keep the old hash so that the next pass tries again.
    hash: failure ? (prev?.hash ?? '') : hash,
    strategy: policy.strategy,
    manager: policy.fieldManager,
    created,
  };
  const fields = live && policy.strategy !== 'ReadOnly' ? ownedFields(live, policy.fieldManager) : undefined;
  if (fields && (wrote || !prev?.fields)) entry.fields = fields;
  else if (prev?.fields) entry.fields = prev.fields;

  let event: DriftEvent | undefined;
  const drift = action.drift;
  if (drift) {
    const corrected = drift.correct && !failure;
    const fingerprint = `${drift.change}:${drift.fields.join(',')}`;
    // Uncorrected drift is reported once, not on every resync.
    if (!corrected) entry.drift = fingerprint;
    if (corrected || prev?.drift !== fingerprint) {
      // Say why it stays: the strategy, or the re-apply's own failure (a conflict names the other manager).
      const reason = corrected ? undefined : (failure?.message ?? drift.uncorrectedBecause);
      event = {
        work: input.work,
        kind: ref.kind,
        ...(namespace ? { namespace } : {}),
        name: ref.name,
        change: drift.change,
        fields: drift.fields.slice(0, 50),
        corrected,
        ...(reason ? { reason: reason.slice(0, 2048) } : {}),
        time: nowIso,
      };
    }
  }

  const conditions: ConditionInput[] = [
    failure
      ? { type: ManifestConditions.Applied, status: 'False', reason: failure.reason, message: failure.message }
      : { type: ManifestConditions.Applied, status: 'True', reason: action.reason, message: action.message },
  ];
  const health = live ? healthOf(live) : undefined;
  if (!health) {
    conditions.push({
      type: ManifestConditions.Available,
      status: failure ? 'Unknown' : 'False',
      reason: 'NotFound',
      message: `${target} does not exist on the cluster`,
    });
  } else {
    conditions.push({
      type: ManifestConditions.Available,
      status: health.available ? 'True' : 'False',
      reason: health.reason,
      message: health.message,
    });
  }
  if (failure) conditions.push({ type: ManifestConditions.Degraded, status: 'True', reason: failure.reason, message: failure.message });
  else if (health?.degraded)
    conditions.push({ type: ManifestConditions.Degraded, status: 'True', reason: health.reason, message: health.message });
  else conditions.push({ type: ManifestConditions.Degraded, status: 'False', reason: 'AsExpected', message: 'no problem detected' });

  const status: ManifestStatus = { ...statusBase };
  if (live && policy.feedbackRules.length > 0) {
    const { values, problems } = collectFeedback(live, policy.feedbackRules);
    status.feedback = values;
    conditions.push(
      problems.length
        ? { type: 'StatusFeedbackSynced', status: 'False', reason: 'InvalidJSONPath', message: problems.join('; ') }
        : { type: 'StatusFeedbackSynced', status: 'True', reason: 'StatusFeedbackSynced', message: `${values.length} values reported` },
    );
  }
  status.conditions = conds(conditions);
  const ok = !failure && (live !== undefined || policy.strategy === 'ReadOnly') && !(drift && !drift.correct);
  return { entry, status, drift: event, wrote, ok };
}

/** What to do with one manifest this pass. */
interface Action {
  write?: 'apply' | 'create';
  /** `uncorrectedBecause`: why drift the agent leaves alone by design stays (CreateOnly). */
  drift?: { change: 'Modified' | 'Deleted'; fields: string[]; correct: boolean; uncorrectedBecause?: string };
  /** The Applied condition's reason and message when the action succeeds. */
  reason: string;
  message: string;
}

function decide(
  policy: ManifestPolicy,
  prev: InventoryEntry | undefined,
  live: KubeObject | undefined,
  hash: string,
  manifest: KubeObject,
): Action {
  if (policy.strategy === 'ReadOnly') {
    return { reason: 'ReadOnly', message: 'read only: the agent reads this object and reports feedback, and never writes it' };
  }
  if (policy.strategy === 'CreateOnly') {
    if (!live) {
      return {
        write: 'create',
        drift: prev?.created ? { change: 'Deleted', fields: [], correct: true } : undefined,
        reason: 'Created',
        message: 'created; CreateOnly never updates it afterwards',
      };
    }
    if (!prev) return { reason: 'AlreadyExists', message: 'exists already; CreateOnly leaves it as it is' };
    const fields = driftedFields(prev, live, manifest, policy);
    return {
      drift: fields.length
        ? {
            change: 'Modified',
            fields,
            correct: false,
            uncorrectedBecause:
              "the manifest's updateStrategy is CreateOnly, which never updates it; use ServerSideApply to have the agent correct it",
          }
        : undefined,
      reason: 'CreateOnly',
      message: 'created earlier; CreateOnly never updates it, so changes made on the cluster stay',
    };
  }
  const applied = {
    reason: 'Applied',
    message: `applied with server-side apply as field manager "${policy.fieldManager}"${policy.force ? ' (force)' : ''}`,
  };
  const changed = !prev || prev.hash !== hash || prev.strategy !== 'ServerSideApply';
  if (changed) return { write: 'apply', ...applied };
  if (!live) return { write: 'apply', drift: { change: 'Deleted', fields: [], correct: true }, ...applied };
  const fields = driftedFields(prev, live, manifest, policy);
  if (fields.length === 0) return applied;
  return { write: 'apply', drift: { change: 'Modified', fields, correct: true }, ...applied };
}

/** Fields someone else changed: by ownership, or by value when the object has no managedFields (or none were recorded). */
function driftedFields(prev: InventoryEntry, live: KubeObject, manifest: KubeObject, policy: ManifestPolicy): string[] {
  const owned = ownedFields(live, policy.fieldManager);
  return owned === undefined || prev.fields === undefined ? valueDrift(manifest, live) : lostFields(prev.fields, owned);
}

function failedBeforeApply(
  input: ManifestInput,
  base: { group: string; version: string; kind: string; name: string },
  namespace: string | undefined,
  failure: FailureReason,
  conds: (list: ConditionInput[]) => Condition[],
  resource?: string,
): ManifestOutcome {
  return {
    // Keep what was recorded: the object may still exist and must stay prunable.
    entry: input.previous,
    wrote: false,
    ok: false,
    status: {
      ...base,
      ...(resource ? { resource } : {}),
      ...(namespace ? { namespace } : {}),
      conditions: conds([
        { type: ManifestConditions.Applied, status: 'False', reason: failure.reason, message: failure.message },
        { type: ManifestConditions.Available, status: 'Unknown', reason: failure.reason, message: failure.message },
        { type: ManifestConditions.Degraded, status: 'True', reason: failure.reason, message: failure.message },
      ]),
    },
  };
}
