import { canonicalJson } from '../shared/hash.js';
import { labelKeyProblem } from '../shared/labels.js';
import { CLUSTER_FEATURE_API_VERSION, CLUSTER_FEATURE_KIND } from '../shared/cluster-feature-crd.js';
import { FEATURE_CLAIM_PREFIX } from '../shared/protocol/sync.js';
import type { Claim } from './claims.js';
import type { ClusterApi } from './kube/cluster-api.js';
import { KubeUnknownKindError } from './kube/errors.js';
import type { AgentLog } from './log.js';

/** At most this many feature claims are reported (the rest are ignored with a log line). */
export const MAX_FEATURE_CLAIMS = 50;
/** A feature whose labels serialise longer than this is reported with `{}` and a log line. */
export const MAX_FEATURE_VALUE_CHARS = 4096;

/**
 * The feature claims: one `feature.tether.dev/<featureName>` per ClusterFeature object, valued with
 * the canonical JSON of its labels (sorted keys, so an unchanged object never changes the claim and
 * the report hash keeps it off the wire). A cluster without the CRD has no features: not an error.
 * Two objects naming one feature: the first by object name wins, the other is logged.
 */
export async function featureClaims(api: ClusterApi, log: AgentLog): Promise<Claim[]> {
  let objects;
  try {
    objects = await api.list({ apiVersion: CLUSTER_FEATURE_API_VERSION, kind: CLUSTER_FEATURE_KIND });
  } catch (err) {
    if (err instanceof KubeUnknownKindError) return [];
    throw err;
  }
  const out: Claim[] = [];
  for (const obj of [...objects].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))) {
    const featureName = (obj.spec as { featureName?: unknown } | undefined)?.featureName;
    const name = `${FEATURE_CLAIM_PREFIX}${String(featureName)}`;
    const problem =
      typeof featureName !== 'string' || !featureName
        ? 'spec.featureName is missing'
        : labelKeyProblem(name) && `spec.featureName does not make a valid claim name: ${labelKeyProblem(name)}`;
    if (problem) {
      log.warn('ignoring an invalid ClusterFeature', { clusterFeature: obj.metadata.name, problem });
      continue;
    }
    if (out.some((c) => c.name === name)) {
      log.warn('ignoring a ClusterFeature that repeats a feature', { clusterFeature: obj.metadata.name, feature: featureName });
      continue;
    }
    if (out.length >= MAX_FEATURE_CLAIMS) {
      log.warn(`ignoring ClusterFeatures beyond the first ${MAX_FEATURE_CLAIMS}`, { clusterFeature: obj.metadata.name });
      continue;
    }
    let value = canonicalJson(obj.metadata.labels ?? {});
    if (value.length > MAX_FEATURE_VALUE_CHARS) {
      log.warn('the labels of a ClusterFeature are too long to report; reporting it without labels', {
        clusterFeature: obj.metadata.name,
        chars: value.length,
        limit: MAX_FEATURE_VALUE_CHARS,
      });
      value = '{}';
    }
    out.push({ name, value });
  }
  return out;
}
