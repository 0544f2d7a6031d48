/**
 * Hides Secret values in the two sides of a `tether diff`, as kubectl diff does: diffs end up in CI
 * logs. Each value of a Secret manifest's `data` and `stringData` (in a Work's manifests or a
 * FleetDeployment's template) becomes `***`; a value that differs between the sides becomes
 * `*** (before)` and `*** (after)`, so the diff still says that it changed, not to what. kubectl's
 * last-applied annotation, which repeats the values, is hidden too.
 */

type Obj = Record<string, unknown>;

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The manifests arrays of a managed view: `spec.workload.manifests` and `spec.template.workload.manifests`. */
function manifestLists(view: Obj | undefined): unknown[][] {
  const spec = isObj(view?.spec) ? view.spec : {};
  const lists = [spec.workload, isObj(spec.template) ? spec.template.workload : undefined].map((w) => (isObj(w) ? w.manifests : undefined));
  return lists.filter((l): l is unknown[] => Array.isArray(l));
}

function secretKey(m: Obj): string {
  const meta = isObj(m.metadata) ? m.metadata : {};
  return `${String(meta.namespace ?? '')}/${String(meta.name ?? '')}`;
}

function secretsOf(view: Obj | undefined): Map<string, Obj> {
  const out = new Map<string, Obj>();
  for (const list of manifestLists(view)) for (const m of list) if (isObj(m) && m.kind === 'Secret') out.set(secretKey(m), m);
  return out;
}

function mask(own: Obj, other: Obj | undefined, side: 'before' | 'after'): void {
  for (const field of ['data', 'stringData']) {
    const values = own[field];
    if (!isObj(values)) continue;
    const theirs = other && isObj(other[field]) ? (other[field] as Obj) : undefined;
    own[field] = Object.fromEntries(
      Object.entries(values).map(([k, v]) => [k, theirs && k in theirs && theirs[k] !== v ? `*** (${side})` : '***']),
    );
  }
  const meta = isObj(own.metadata) ? own.metadata : undefined;
  if (meta && isObj(meta.annotations) && LAST_APPLIED in meta.annotations)
    meta.annotations = { ...meta.annotations, [LAST_APPLIED]: '***' };
}

/** Copies of `before` and `after` (either may be absent) with every Secret value hidden. */
export function maskSecrets<T extends Obj | undefined>(before: T, after: Obj): { before: T; after: Obj } {
  const b = structuredClone(before);
  const a = structuredClone(after);
  const beforeSecrets = secretsOf(b);
  const afterSecrets = secretsOf(a);
  // Compare against the unmasked originals, then mask both sides.
  const originalBefore = secretsOf(before);
  const originalAfter = secretsOf(after);
  for (const [key, s] of beforeSecrets) mask(s, originalAfter.get(key), 'before');
  for (const [key, s] of afterSecrets) mask(s, originalBefore.get(key), 'after');
  return { before: b, after: a };
}
