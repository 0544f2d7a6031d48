import type { NamespaceSelector, RemediationAction } from '../../shared/resources/policy.js';
import type { ComplianceObject, DesiredObjectTemplate } from '../../shared/protocol/v1.js';
import type { ClusterApi, ResourceInfo } from '../kube/cluster-api.js';
import { KubeForbiddenError } from '../kube/errors.js';
import { isPlainObject } from '../kube/json.js';
import { describeRef, type KubeObject, type ObjectRef } from '../kube/types.js';
import { compareObject, type ComparisonMode } from './compare.js';
import { formatDiff } from './diff-text.js';
import { enforceObject, refOfDefinition } from './enforce-object.js';
import { selectorChoosesSomething } from './namespace-selection.js';

/**
 * Evaluates one object template on the cluster (and, with enforce, remediates it): finds the
 * objects it names, compares them (compare.ts), and says per object whether it complies and why.
 * Never throws: a cluster error becomes a non-compliant object with the error's message.
 */

/** What evaluation needs from its caller; discovery and namespace lists are cached per pass. */
export interface EvaluationContext {
  api: ClusterApi;
  remediationAction: RemediationAction;
  /**
   * Apply enforced objects even when they comply: the policy is new or changed (or the agent
   * restarted). Server-side apply then removes what tether-policy applied before and the policy no
   * longer declares (an item taken out of a list), which a compliance check cannot see since the
   * object still has everything the policy declares. An apply that changes nothing writes nothing.
   */
  reapply: boolean;
  discover(apiVersion: string, kind: string): Promise<ResourceInfo | undefined>;
  namespaces(selector: NamespaceSelector): Promise<string[]>;
}

/** The outcome of one object template. */
export interface ObjectTemplateOutcome {
  objects: ComplianceObject[];
  /** Objects enforcement created in this evaluation (what DeleteIfCreated prunes). */
  created: ObjectRef[];
  /** Existing objects a musthave/mustonlyhave template names (what DeleteAll prunes). */
  named: ObjectRef[];
}

const MAX_MESSAGE = 1024;

/** Evaluates (and with enforce, remediates) one object template. */
export async function evaluateObjectTemplate(
  ctx: EvaluationContext,
  template: DesiredObjectTemplate,
  selector: NamespaceSelector | undefined,
): Promise<ObjectTemplateOutcome> {
  const out: ObjectTemplateOutcome = { objects: [], created: [], named: [] };
  const def = template.objectDefinition;
  const apiVersion = String(def.apiVersion ?? '');
  const kind = String(def.kind ?? '');
  const meta = (isPlainObject(def.metadata) ? def.metadata : {}) as { name?: string; namespace?: string };
  const base = { apiVersion, kind, name: meta.name ?? '' };
  let info: ResourceInfo | undefined;
  try {
    info = await ctx.discover(apiVersion, kind);
  } catch (err) {
    out.objects.push({
      ...base,
      compliant: false,
      reason: 'EvaluationFailed',
      message: clip(`discovery failed: ${(err as Error).message}`),
    });
    return out;
  }
  if (!info) {
    // A kind the cluster does not serve is NonCompliant even for mustnothave: nothing of it can
    // exist, but a typo in apiVersion or kind would otherwise pass an audit silently for ever.
    out.objects.push({
      ...base,
      compliant: false,
      reason: 'KindNotFound',
      message: `the cluster has no resource type for kind ${kind} in apiVersion ${apiVersion}; check the apiVersion and kind, or install the CRD first (a dependency on the policy that installs it keeps this one Pending until then)`,
    });
    return out;
  }
  let namespaces: (string | undefined)[];
  try {
    namespaces = await targetNamespaces(ctx, info, meta.namespace, selector);
  } catch (err) {
    out.objects.push({ ...base, ...failure(err, 'listing namespaces failed', 'EvaluationFailed') });
    return out;
  }
  if (namespaces.length === 0 && info.namespaced && !meta.namespace && !selectorChoosesSomething(selector)) {
    out.objects.push({
      ...base,
      compliant: false,
      reason: 'NoNamespace',
      message: `${kind} is namespaced: give objectDefinition.metadata.namespace or a namespaceSelector (include or a label selector) on the template`,
    });
    return out;
  }
  const mode = template.complianceType;
  for (const namespace of namespaces) {
    const target = withNamespace(def, namespace);
    if (meta.name) await evaluateNamed(ctx, template, target, out);
    else await evaluateUnnamed(ctx, template, target, namespace, mode, out);
  }
  return out;
}

async function targetNamespaces(
  ctx: EvaluationContext,
  info: ResourceInfo,
  namespace: string | undefined,
  selector: NamespaceSelector | undefined,
): Promise<(string | undefined)[]> {
  if (!info.namespaced) return [undefined];
  if (namespace) return [namespace];
  if (!selector || !selectorChoosesSomething(selector)) return [];
  return ctx.namespaces(selector);
}

function withNamespace(def: Record<string, unknown>, namespace: string | undefined): Record<string, unknown> {
  const meta = isPlainObject(def.metadata) ? { ...def.metadata } : {};
  if (namespace) meta.namespace = namespace;
  else delete meta.namespace;
  return { ...def, metadata: meta };
}

function entryOf(ref: ObjectRef): Pick<ComplianceObject, 'apiVersion' | 'kind' | 'namespace' | 'name'> {
  return { apiVersion: ref.apiVersion, kind: ref.kind, ...(ref.namespace ? { namespace: ref.namespace } : {}), name: ref.name };
}

async function evaluateNamed(
  ctx: EvaluationContext,
  template: DesiredObjectTemplate,
  def: Record<string, unknown>,
  out: ObjectTemplateOutcome,
): Promise<void> {
  const ref = refOfDefinition(def);
  const id = entryOf(ref);
  const enforce = ctx.remediationAction === 'enforce';
  let live: KubeObject | undefined;
  try {
    live = await ctx.api.get(ref);
  } catch (err) {
    out.objects.push({ ...id, ...failure(err, `reading ${describeRef(ref)} failed`, 'EvaluationFailed') });
    return;
  }
  if (template.complianceType === 'mustnothave') {
    if (!live) {
      out.objects.push({ ...id, compliant: true, reason: 'Missing', message: `${describeRef(ref)} does not exist, as required` });
      return;
    }
    if (!enforce) {
      out.objects.push({ ...id, compliant: false, reason: 'Present', message: `${describeRef(ref)} exists and must not` });
      return;
    }
    try {
      await ctx.api.delete(ref, { propagationPolicy: 'Background' });
      out.objects.push({ ...id, compliant: true, reason: 'Deleted', message: `deleted ${describeRef(ref)}, which must not exist` });
    } catch (err) {
      out.objects.push({ ...id, ...failure(err, `deleting ${describeRef(ref)} failed`) });
    }
    return;
  }
  const mode: ComparisonMode = template.complianceType;
  const before = judge(def, live, mode, template.recordDiff);
  if (!enforce || (before.compliant && !(ctx.reapply && live))) {
    if (live) out.named.push(ref);
    out.objects.push({ ...id, ...before });
    return;
  }
  try {
    await enforceObject(ctx.api, def, live, mode);
    if (!live) out.created.push(ref);
    out.named.push(ref);
    // Re-evaluate: the report says what the cluster holds after enforcement, not what was sent.
    const now = await ctx.api.get(ref);
    const after = judge(def, now, mode, template.recordDiff);
    if (after.compliant && live && now?.metadata.resourceVersion === live.metadata.resourceVersion) {
      out.objects.push({ ...id, ...after });
    } else if (after.compliant) {
      out.objects.push({
        ...id,
        compliant: true,
        reason: live ? 'Updated' : 'Created',
        message: live ? `updated ${describeRef(ref)} to match the policy` : `created ${describeRef(ref)}`,
        ...(live ? {} : { createdByPolicy: true }),
      });
    } else {
      out.objects.push({
        ...id,
        ...after,
        message: clip(`enforced, but ${describeRef(ref)} still differs (another controller or a server default may change it back)`),
        ...(live ? {} : { createdByPolicy: true }),
      });
    }
  } catch (err) {
    if (live) out.named.push(ref);
    out.objects.push({ ...id, ...failure(err, `enforcing ${describeRef(ref)} failed`) });
  }
}

async function evaluateUnnamed(
  ctx: EvaluationContext,
  template: DesiredObjectTemplate,
  def: Record<string, unknown>,
  namespace: string | undefined,
  mode: DesiredObjectTemplate['complianceType'],
  out: ObjectTemplateOutcome,
): Promise<void> {
  const apiVersion = String(def.apiVersion);
  const kind = String(def.kind);
  const where = namespace ? ` in namespace ${namespace}` : '';
  const labels =
    isPlainObject(def.metadata) && isPlainObject(def.metadata.labels) ? (def.metadata.labels as Record<string, string>) : undefined;
  let items: KubeObject[];
  try {
    // The definition's labels narrow the list on the server; the comparison still checks everything.
    items = await ctx.api.list({ apiVersion, kind, namespace, ...(labels ? { labelSelector: { matchLabels: labels } } : {}) });
  } catch (err) {
    out.objects.push({
      apiVersion,
      kind,
      ...(namespace ? { namespace } : {}),
      name: '',
      ...failure(err, `listing ${kind}${where} failed`, 'EvaluationFailed'),
    });
    return;
  }
  const matchMode: ComparisonMode = mode === 'mustonlyhave' ? 'mustonlyhave' : 'musthave';
  const matching = items.filter((o) => compareObject(def, o, matchMode).length === 0);
  if (mode === 'mustnothave') {
    for (const o of matching) {
      const ref = { apiVersion, kind, name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) };
      if (ctx.remediationAction !== 'enforce') {
        out.objects.push({
          ...entryOf(ref),
          compliant: false,
          reason: 'Present',
          message: `${describeRef(ref)} matches and must not exist`,
        });
        continue;
      }
      try {
        await ctx.api.delete(ref, { propagationPolicy: 'Background' });
        out.objects.push({
          ...entryOf(ref),
          compliant: true,
          reason: 'Deleted',
          message: `deleted ${describeRef(ref)}, which must not exist`,
        });
      } catch (err) {
        out.objects.push({ ...entryOf(ref), ...failure(err, `deleting ${describeRef(ref)} failed`) });
      }
    }
    return;
  }
  if (matching.length === 0) {
    out.objects.push({
      apiVersion,
      kind,
      ...(namespace ? { namespace } : {}),
      name: '',
      compliant: false,
      reason: 'Missing',
      message: `no ${kind}${where} matches the policy${ctx.remediationAction === 'enforce' ? ' (an object without metadata.name cannot be created)' : ''}`,
    });
    return;
  }
  for (const o of matching) {
    const ref = { apiVersion, kind, name: o.metadata.name, ...(o.metadata.namespace ? { namespace: o.metadata.namespace } : {}) };
    out.named.push(ref);
    out.objects.push({ ...entryOf(ref), compliant: true, reason: 'Matches' });
  }
}

/** Compliance of a named musthave/mustonlyhave object. */
function judge(
  def: Record<string, unknown>,
  live: KubeObject | undefined,
  mode: ComparisonMode,
  recordDiff: DesiredObjectTemplate['recordDiff'],
): Pick<ComplianceObject, 'compliant' | 'reason' | 'message' | 'diff'> {
  const ref = refOfDefinition(def);
  if (!live) return { compliant: false, reason: 'Missing', message: `${describeRef(ref)} is missing` };
  const diffs = compareObject(def, live, mode);
  if (diffs.length === 0) return { compliant: true, reason: 'Matches' };
  const fields = diffs.length === 1 ? '1 field differs' : `${diffs.length} fields differ`;
  return {
    compliant: false,
    reason: 'Mismatch',
    message: clip(
      `${describeRef(ref)}: ${fields} (${diffs
        .slice(0, 3)
        .map((d) => d.path)
        .join(', ')}${diffs.length > 3 ? ', …' : ''})`,
    ),
    ...(recordDiff === 'InStatus' ? { diff: formatDiff(diffs, ref.kind) } : {}),
  };
}

/** A failed call as an object's status: Forbidden (RBAC), or EvaluationFailed / EnforceFailed. */
function failure(err: unknown, what: string, reason = 'EnforceFailed'): Pick<ComplianceObject, 'compliant' | 'reason' | 'message'> {
  const forbidden = err instanceof KubeForbiddenError;
  return { compliant: false, reason: forbidden ? 'Forbidden' : reason, message: clip(`${what}: ${(err as Error).message}`) };
}

function clip(text: string): string {
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text;
}
