import { matchesSelector } from '../../../shared/labels.js';
import type { ManifestSelector, Override } from '../../../shared/resources/fleetdeployment.js';
import { applyMergePatch } from '../../core/merge-patch.js';

/**
 * Per-cluster overrides of a FleetDeployment: for the clusters an override's label selector
 * matches, a JSON merge patch on the selected manifests and/or a rewrite of container image
 * registries (a regional mirror, for example). Overrides apply in order, before templating, so a
 * patch may itself hold `{{ .cluster... }}` references.
 */

type Manifest = Record<string, unknown>;

/** Does the manifest match every field the selector sets? */
export function matchesManifest(selector: ManifestSelector | undefined, manifest: Manifest): boolean {
  if (!selector) return true;
  const meta = (manifest.metadata ?? {}) as { name?: unknown; namespace?: unknown };
  if (selector.apiVersion !== undefined && manifest.apiVersion !== selector.apiVersion) return false;
  if (selector.kind !== undefined && manifest.kind !== selector.kind) return false;
  if (selector.name !== undefined && meta.name !== selector.name) return false;
  if (selector.namespace !== undefined && (meta.namespace ?? '') !== selector.namespace) return false;
  return true;
}

const CONTAINER_LISTS = new Set(['containers', 'initContainers', 'ephemeralContainers']);

/**
 * The registry of an image reference as a container runtime resolves it: the first path component
 * when it looks like a host (has a `.` or `:`, or is `localhost`), otherwise Docker Hub.
 */
export function splitImage(image: string): { registry: string; path: string } {
  const slash = image.indexOf('/');
  const first = slash >= 0 ? image.slice(0, slash) : '';
  if (slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost'))
    return { registry: first, path: image.slice(slash + 1) };
  // Docker Hub's official images live under library/: a mirror needs the full path.
  return { registry: 'docker.io', path: slash >= 0 ? image : `library/${image}` };
}

/** Rewrites one image reference from registry `from` (any when undefined) to `to`. */
export function rewriteImage(image: string, from: string | undefined, to: string): string {
  const { registry, path } = splitImage(image);
  if (from !== undefined && registry !== from.replace(/\/+$/, '')) return image;
  return `${to.replace(/\/+$/, '')}/${path}`;
}

function rewriteImages(value: unknown, from: string | undefined, to: string, inContainers = false): unknown {
  if (Array.isArray(value)) return value.map((v) => rewriteImages(v, from, to, inContainers));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (inContainers && k === 'image' && typeof v === 'string') out[k] = rewriteImage(v, from, to);
    else out[k] = rewriteImages(v, from, to, CONTAINER_LISTS.has(k) && Array.isArray(v));
  }
  return out;
}

/**
 * Applies every override whose cluster selector matches `labels` to the manifests, in order.
 * Returns new manifests; the input is not modified.
 */
export function applyOverrides(manifests: Manifest[], overrides: Override[], labels: Record<string, string>): Manifest[] {
  let out = manifests;
  for (const o of overrides) {
    if (!matchesSelector(o.clusterSelector, labels)) continue;
    out = out.map((m) => {
      if (!matchesManifest(o.manifestSelector, m)) return m;
      let next: Manifest = m;
      if (o.patch) next = applyMergePatch(next, o.patch) as Manifest;
      if (o.imageRegistry) next = rewriteImages(next, o.imageRegistry.from, o.imageRegistry.to) as Manifest;
      return next;
    });
  }
  return out;
}
