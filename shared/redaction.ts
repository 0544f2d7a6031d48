import type { Resource } from './resources/meta.js';

/**
 * The one rule for hiding Secret material in objects that carry Kubernetes manifests (Works,
 * FleetDeployment templates, Policy object definitions): every value of a Secret's `data` and
 * `stringData` becomes {@link REDACTED} (the keys stay, so a reader sees what a Secret holds, not
 * its values), kubectl's last-applied annotation (which repeats them) too, and a manifest list
 * (`kind: List`, or any `...List` with `items`) is searched item by item. The hub applies it to
 * list answers (registered per kind by each capability); `tether describe` applies it to what it
 * prints. Reading one object by name (`GET /v1/...{name}`, `tether get KIND NAME -o yaml`) returns
 * it whole, to an admin who asked for exactly that object. Pure: inputs are never modified, and an
 * object with nothing to hide is returned as it is.
 */

/** What replaces every value of a Secret's `data` and `stringData`. */
export const REDACTED = '<redacted>';

/** kubectl's copy of the whole object, Secret values included, when a manifest was exported from a cluster. */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function redactValues(map: unknown): unknown {
  if (!isObj(map)) return map === undefined || map === null ? map : REDACTED;
  return Object.fromEntries(Object.keys(map).map((k) => [k, REDACTED]));
}

/** A Secret's values (and the last-applied annotation) hidden. */
function redactSecret(m: Obj): Obj {
  const out: Obj = { ...m };
  if ('data' in out) out.data = redactValues(out.data);
  if ('stringData' in out) out.stringData = redactValues(out.stringData);
  const meta = out.metadata;
  if (isObj(meta) && isObj(meta.annotations) && LAST_APPLIED in meta.annotations) {
    out.metadata = { ...meta, annotations: { ...meta.annotations, [LAST_APPLIED]: REDACTED } };
  }
  return out;
}

/** Manifest lists nest (a List of Lists); deeper than this is not a manifest anyone applies. */
const MAX_LIST_DEPTH = 8;

/**
 * One manifest with its Secret material hidden: a Secret's values, or the Secrets among a list's
 * items. Returns `m` itself when there is nothing to hide.
 */
export function redactManifest(m: unknown, depth = 0): unknown {
  if (!isObj(m)) return m;
  if (m.kind === 'Secret') return redactSecret(m);
  if (typeof m.kind === 'string' && m.kind.endsWith('List') && Array.isArray(m.items) && depth < MAX_LIST_DEPTH) {
    const items = redactManifests(m.items, depth + 1);
    return items === m.items ? m : { ...m, items };
  }
  return m;
}

/** Each manifest of an array redacted; the array itself when nothing changed. */
export function redactManifests(list: unknown, depth = 0): unknown {
  if (!Array.isArray(list)) return list;
  const out = list.map((m) => redactManifest(m, depth));
  return out.some((m, i) => m !== list[i]) ? out : list;
}

/** A WorkSpec-like object (`workload.manifests`) redacted; itself when nothing changed. */
function redactWorkSpec(spec: unknown): unknown {
  if (!isObj(spec) || !isObj(spec.workload)) return spec;
  const manifests = redactManifests(spec.workload.manifests);
  return manifests === spec.workload.manifests ? spec : { ...spec, workload: { ...spec.workload, manifests } };
}

/** A Work with the Secrets among its manifests redacted. */
export function redactWork<R extends Resource>(work: R): R {
  const spec = redactWorkSpec(work.spec);
  return spec === work.spec ? work : { ...work, spec };
}

/**
 * A FleetDeployment with its template's Secrets redacted, and the `data` / `stringData` of every
 * override patch that may apply to a Secret (its manifest selector names kind Secret or no kind).
 */
export function redactFleetDeployment<R extends Resource>(fd: R): R {
  const spec = fd.spec as Obj | undefined;
  if (!isObj(spec)) return fd;
  const template = redactWorkSpec(spec.template);
  let overrides = spec.overrides;
  if (Array.isArray(overrides)) {
    const next = overrides.map((o: unknown) => {
      if (!isObj(o) || !isObj(o.patch)) return o;
      const kind = isObj(o.manifestSelector) ? o.manifestSelector.kind : undefined;
      if (kind !== undefined && kind !== 'Secret') return o;
      if (!('data' in o.patch) && !('stringData' in o.patch)) return o;
      const patch: Obj = { ...o.patch };
      if ('data' in patch) patch.data = redactValues(patch.data);
      if ('stringData' in patch) patch.stringData = redactValues(patch.stringData);
      return { ...o, patch };
    });
    if (next.some((o, i) => o !== (overrides as unknown[])[i])) overrides = next;
  }
  if (template === spec.template && overrides === spec.overrides) return fd;
  return { ...fd, spec: { ...spec, template, ...(overrides !== undefined ? { overrides } : {}) } };
}

/** A Policy with the Secrets among its object definitions redacted. */
export function redactPolicy<R extends Resource>(policy: R): R {
  const spec = policy.spec as Obj | undefined;
  if (!isObj(spec) || !Array.isArray(spec.policyTemplates)) return policy;
  let changed = false;
  const policyTemplates = spec.policyTemplates.map((t: unknown) => {
    if (!isObj(t) || !Array.isArray(t.objectTemplates)) return t;
    const objectTemplates = t.objectTemplates.map((o: unknown) => {
      if (!isObj(o)) return o;
      const objectDefinition = redactManifest(o.objectDefinition);
      return objectDefinition === o.objectDefinition ? o : { ...o, objectDefinition };
    });
    if (objectTemplates.every((o, i) => o === (t.objectTemplates as unknown[])[i])) return t;
    changed = true;
    return { ...t, objectTemplates };
  });
  return changed ? { ...policy, spec: { ...spec, policyTemplates } } : policy;
}

/**
 * A SyncRule of Secrets with the values it may state about them redacted: every override value,
 * and the value of every content match whose path reads `data` or `stringData`.
 */
export function redactSyncRule<R extends Resource>(rule: R): R {
  const spec = rule.spec as Obj | undefined;
  if (!isObj(spec) || !isObj(spec.resource) || spec.resource.kind !== 'Secret' || !Array.isArray(spec.rules)) return rule;
  const secretPath = (p: unknown) => typeof p === 'string' && /data/i.test(p);
  const rules = spec.rules.map((r: unknown) => {
    if (!isObj(r)) return r;
    const match = Array.isArray(r.match)
      ? r.match.map((m: unknown) =>
          isObj(m) && Array.isArray(m.content)
            ? { ...m, content: m.content.map((c: unknown) => (isObj(c) && secretPath(c.path) ? { ...c, value: REDACTED } : c)) }
            : m,
        )
      : r.match;
    const mutations =
      isObj(r.mutations) && Array.isArray(r.mutations.overrides)
        ? { ...r.mutations, overrides: r.mutations.overrides.map((o: unknown) => (isObj(o) ? { ...o, value: REDACTED } : o)) }
        : r.mutations;
    return { ...r, ...(r.match !== undefined ? { match } : {}), ...(r.mutations !== undefined ? { mutations } : {}) };
  });
  return { ...rule, spec: { ...spec, rules } };
}

/** The redaction of each kind that can carry manifests, by kind. */
export const SECRET_REDACTIONS: Readonly<Record<string, <R extends Resource>(res: R) => R>> = Object.freeze({
  Work: redactWork,
  FleetDeployment: redactFleetDeployment,
  Policy: redactPolicy,
  SyncRule: redactSyncRule,
});

/** Any object with the rule of its kind applied (kinds that carry no manifests are returned as they are). */
export function redactSecrets<R extends Resource>(res: R): R {
  const redact = SECRET_REDACTIONS[res.kind];
  return redact ? redact(res) : res;
}
