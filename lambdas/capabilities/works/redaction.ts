import type { Resource } from '../../../shared/resources/meta.js';

/**
 * Pure: hides Secret material in works shown in lists. A list is for finding things, and it is
 * what ends up in terminals, screenshots and support tickets; reading one work by name still
 * returns it whole to an admin.
 */

/** What replaces every value of a Secret's `data` and `stringData`. */
export const REDACTED = '<redacted>';

/** kubectl's copy of the whole object, Secret values included, when a manifest was exported from a cluster. */
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

function isSecret(manifest: unknown): manifest is { kind: string; data?: unknown; stringData?: unknown } {
  return manifest !== null && typeof manifest === 'object' && (manifest as { kind?: unknown }).kind === 'Secret';
}

function redactValues(map: unknown): unknown {
  if (map === null || typeof map !== 'object' || Array.isArray(map)) return map === undefined ? undefined : REDACTED;
  return Object.fromEntries(Object.keys(map).map((k) => [k, REDACTED]));
}

/** Does this work carry a Secret manifest? */
export function hasSecret(work: Resource): boolean {
  const manifests = (work.spec as { workload?: { manifests?: unknown[] } } | undefined)?.workload?.manifests;
  return Array.isArray(manifests) && manifests.some(isSecret);
}

/**
 * The work with each Secret manifest's `data` and `stringData` values replaced by
 * {@link REDACTED} (keys stay, so a reader sees what the Secret holds, not its values), and
 * kubectl's last-applied annotation, which repeats them, hidden too. Works
 * without a Secret are returned as they are; the input is never modified.
 */
export function redactWorkSecrets(work: Resource): Resource {
  if (!hasSecret(work)) return work;
  const spec = work.spec as { workload: { manifests: unknown[] } } & Record<string, unknown>;
  const manifests = spec.workload.manifests.map((m) => {
    if (!isSecret(m)) return m;
    const out: Record<string, unknown> = { ...(m as Record<string, unknown>) };
    if ('data' in out) out.data = redactValues(out.data);
    if ('stringData' in out) out.stringData = redactValues(out.stringData);
    const meta = out.metadata as { annotations?: Record<string, unknown> } | undefined;
    if (meta?.annotations && LAST_APPLIED in meta.annotations) {
      out.metadata = { ...meta, annotations: { ...meta.annotations, [LAST_APPLIED]: REDACTED } };
    }
    return out;
  });
  return { ...work, spec: { ...spec, workload: { ...spec.workload, manifests } } };
}
