import { PayloadTooLargeError, ValidationError, type FieldError } from '../../../shared/errors.js';
import type { Resource } from '../../../shared/resources/meta.js';
import type { ResourceIdentifier, WorkSpec } from '../../../shared/resources/work.js';
import type { ResourceStore } from '../../ports/resource-store.js';

/**
 * Pure checks of a Work beyond its schema: manifests are unique, every manifestConfig names a
 * manifest of the work, and the work fits in one stored item.
 */

/**
 * Largest Work the hub accepts, as JSON before compression: four times OCM's 500 KiB of manifests.
 * The agent receives works uncompressed, so this also bounds what one poll answer carries.
 */
export const WORK_MAX_JSON_BYTES = 2 * 1024 * 1024;

/**
 * Largest Work after gzip, as stored. The table's item limit is 400 KB; the adapter refuses items
 * over 380 KiB (key and bookkeeping attributes included), and these take a few hundred bytes. At
 * 372 KiB even 500 KiB of random base64 (keys, certificates) fits: it gzips to about 361 KiB.
 */
export const WORK_MAX_COMPRESSED_BYTES = 372 * 1024;

/** The API group of an apiVersion: `apps/v1` -> `apps`, `v1` -> `` (core). */
export function apiGroupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/**
 * The lowercase plural resource name Kubernetes most likely serves a kind under (`Deployment` ->
 * `deployments`, `Ingress` -> `ingresses`, `NetworkPolicy` -> `networkpolicies`). A guess, as
 * kubectl's when no discovery is at hand; {@link identifierMatches} also accepts the lowercase kind.
 */
export function guessResource(kind: string): string {
  const k = kind.toLowerCase();
  if (k === 'endpoints') return k;
  if (k.endsWith('s') || k.endsWith('x') || k.endsWith('ch') || k.endsWith('sh')) return `${k}es`;
  if (k.endsWith('y') && !/[aeiou]y$/.test(k)) return `${k.slice(0, -1)}ies`;
  return `${k}s`;
}

interface ManifestLike {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
}

/** Does a manifestConfig's resourceIdentifier name this manifest? `*` matches anything, as on the agent. */
export function identifierMatches(id: ResourceIdentifier, m: ManifestLike): boolean {
  const eq = (pattern: string, value: string) => pattern === '*' || pattern === value;
  const resourceOk = id.resource === '*' || id.resource === guessResource(m.kind) || id.resource === m.kind.toLowerCase();
  return (
    resourceOk && eq(id.group, apiGroupOf(m.apiVersion)) && eq(id.namespace, m.metadata.namespace ?? '') && eq(id.name, m.metadata.name)
  );
}

function describeManifest(m: ManifestLike): string {
  const ns = m.metadata.namespace ? `${m.metadata.namespace}/` : '';
  return `${m.kind} ${ns}${m.metadata.name} (${m.apiVersion})`;
}

/**
 * Checks that no two manifests name the same object (API group, kind, namespace, name) and that
 * every manifestConfig names at least one manifest of the work.
 * @throws ValidationError with a field error per problem, addressed under `spec.`.
 */
export function checkWorkSpec(spec: WorkSpec, what: string): void {
  const errors: FieldError[] = [];
  const manifests = spec.workload.manifests as ManifestLike[];
  const seen = new Map<string, number>();
  manifests.forEach((m, i) => {
    const key = [apiGroupOf(m.apiVersion), m.kind, m.metadata.namespace ?? '', m.metadata.name].join('\u0000');
    const first = seen.get(key);
    if (first !== undefined) {
      errors.push({
        path: `spec.workload.manifests.${i}`,
        message: `${describeManifest(m)} is already manifest ${first}; each object may appear once in a work`,
      });
    } else {
      seen.set(key, i);
    }
  });
  (spec.manifestConfigs ?? []).forEach((c, i) => {
    if (manifests.some((m) => identifierMatches(c.resourceIdentifier, m))) return;
    const id = c.resourceIdentifier;
    const sameName = manifests.filter((m) => m.metadata.name === id.name || id.name === '*');
    const hint = sameName.length
      ? `; manifests with that name: ${sameName
          .slice(0, 3)
          .map(
            (m) =>
              `${describeManifest(m)} -> group "${apiGroupOf(m.apiVersion)}", resource "${guessResource(m.kind)}", namespace "${m.metadata.namespace ?? ''}"`,
          )
          .join('; ')}`
      : '';
    errors.push({
      path: `spec.manifestConfigs.${i}.resourceIdentifier`,
      message: `names no manifest of this work (group "${id.group}", resource "${id.resource}", namespace "${id.namespace}", name "${id.name}")${hint}`,
    });
  });
  if (errors.length) {
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
    throw new ValidationError(`${what} is invalid: ${errors[0].path}: ${errors[0].message}${more}`, errors);
  }
}

/** The size of a work as JSON, and as the store keeps it (compressed). */
export interface WorkSize {
  jsonBytes: number;
  compressedBytes: number;
}

/**
 * Refuses a work the hub cannot store or deliver, with a 413 that states the limit and the size:
 * first the JSON size, then the size as stored, which `storedBodyBytes` (the resource store's
 * {@link ResourceStore.storedBodyBytes}) measures: random data such as keys compresses poorly.
 */
export function checkWorkSize(work: Resource, what: string, storedBodyBytes: ResourceStore['storedBodyBytes']): WorkSize {
  const json = JSON.stringify(work);
  const jsonBytes = Buffer.byteLength(json, 'utf8');
  if (jsonBytes > WORK_MAX_JSON_BYTES) throw new PayloadTooLargeError(WORK_MAX_JSON_BYTES, jsonBytes, `${what} (as JSON)`);
  const compressedBytes = storedBodyBytes(json);
  if (compressedBytes > WORK_MAX_COMPRESSED_BYTES) {
    throw new PayloadTooLargeError(
      WORK_MAX_COMPRESSED_BYTES,
      compressedBytes,
      `${what} compressed (its JSON is ${jsonBytes} bytes, but holds data that does not compress, such as keys or certificates; split it into several works)`,
    );
  }
  return { jsonBytes, compressedBytes };
}
