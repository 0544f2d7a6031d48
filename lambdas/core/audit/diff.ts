import { canonicalJson } from '../../../shared/hash.js';
import { REDACTED, redactManifest } from '../../../shared/redaction.js';
import type { Resource } from '../../../shared/resources/meta.js';

/**
 * The redacted diff an audit event carries for a write: an RFC 7396 merge patch from the old
 * object to the new one, over what a user writes (labels, annotations, spec; status is the hub's),
 * computed from copies in which every secret has been replaced by {@link REDACTED}. A changed
 * Secret value therefore shows as nothing (both sides are the marker) or as the marker, never as
 * the value; a token, its hash or a password never shows at all.
 */

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Field names whose values are secret wherever they appear (a token, its hash, a password, a
 * private key, a client secret). Matched on the end of the name, case-insensitively, so
 * `tokenHash`, `clientSecret` and `password` are hidden while `secretName` (a reference) is kept.
 */
const SECRET_FIELD = /(token|tokenhash|hash|password|passwd|secret|privatekey|credential|credentials|apikey)$/i;

/** Nesting beyond which a value is not walked (request bodies are already bounded far below this). */
const MAX_DEPTH = 64;

/**
 * A deep copy with secret material replaced: Kubernetes Secrets (and manifest lists holding them)
 * anywhere in the value, via the shared redaction rule, and values of secret-named fields.
 */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (depth > MAX_DEPTH) return REDACTED;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, depth + 1));
  if (!isObj(value)) return value;
  const m = redactManifest(value);
  const src = isObj(m) ? m : value;
  const out: Obj = {};
  for (const [k, v] of Object.entries(src)) {
    out[k] = SECRET_FIELD.test(k) && v !== null && v !== undefined && v !== '' ? REDACTED : redactDeep(v, depth + 1);
  }
  return out;
}

/** What a user writes of an object: the part the diff is taken over. */
export function writablePart(res: Resource | undefined): Obj {
  if (!res) return {};
  const metadata: Obj = {};
  if (res.metadata.labels && Object.keys(res.metadata.labels).length) metadata.labels = res.metadata.labels;
  if (res.metadata.annotations && Object.keys(res.metadata.annotations).length) metadata.annotations = res.metadata.annotations;
  return { ...(Object.keys(metadata).length ? { metadata } : {}), ...(res.spec !== undefined ? { spec: res.spec } : {}) };
}

/**
 * The RFC 7396 merge patch that turns `from` into `to`: members removed become `null`, objects
 * recurse, anything else (arrays included) is replaced whole. `undefined` when they are equal.
 */
export function createMergePatch(from: unknown, to: unknown): unknown {
  if (!isObj(from) || !isObj(to))
    return canonicalJson(from ?? null) === canonicalJson(to ?? null) ? undefined : to === undefined ? null : to;
  const patch: Obj = {};
  for (const k of Object.keys(from)) if (!(k in to)) patch[k] = null;
  for (const [k, v] of Object.entries(to)) {
    if (!(k in from)) {
      patch[k] = v;
      continue;
    }
    const sub = createMergePatch(from[k], v);
    if (sub !== undefined) patch[k] = sub;
  }
  return Object.keys(patch).length ? patch : undefined;
}

/**
 * The audit diff of a write: the merge patch from the old object's writable part to the new
 * one's, both redacted first (by the kind's registered list redaction when it has one, then by
 * {@link redactDeep}). A create diffs from nothing; a delete is `null` (the object is gone).
 */
export function auditDiff(old: Resource | undefined, next: Resource | undefined, redact: (r: Resource) => Resource = (r) => r): unknown {
  if (!next) return null;
  const clean = (r: Resource | undefined) => (r ? (redactDeep(writablePart(redact(r))) as Obj) : {});
  return createMergePatch(clean(old), clean(next)) ?? {};
}
