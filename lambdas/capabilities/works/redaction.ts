import { redactManifest, redactWork, REDACTED } from '../../../shared/redaction.js';
import type { Resource } from '../../../shared/resources/meta.js';

/**
 * Works in list answers: Secret material hidden by the one rule of shared/redaction.ts (also used
 * for FleetDeployment templates and Policy object definitions). A list is for finding things, and
 * it is what ends up in terminals, screenshots and support tickets; reading one work by name
 * still returns it whole to an admin.
 */

export { REDACTED };

/** Does this work carry Secret material (a Secret manifest, or one inside a manifest list)? */
export function hasSecret(work: Resource): boolean {
  const manifests = (work.spec as { workload?: { manifests?: unknown[] } } | undefined)?.workload?.manifests;
  return Array.isArray(manifests) && manifests.some((m) => redactManifest(m) !== m);
}

/** The work with its Secrets' values redacted; works without a Secret are returned as they are. */
export function redactWorkSecrets(work: Resource): Resource {
  return redactWork(work);
}
