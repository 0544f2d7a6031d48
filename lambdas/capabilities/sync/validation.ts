import type { FieldError } from '../../../shared/errors.js';
import { labelKeyProblem } from '../../../shared/labels.js';
import type { GroupVersionKind, SyncRuleSpec } from '../../../shared/resources/sync-rule.js';
import { jsonPathSyntaxProblem, parseDefinitePath } from './json-path.js';

/**
 * Pure: what a SyncRule's schema cannot say. JSONPath syntax in match content and overrides
 * (overrides must be definite), group/version/kind sanity, removal keys that are label keys, and
 * sources that select something. Every problem is a field error under `spec`.
 */

const KIND = /^[A-Z][A-Za-z0-9]*$/;
const VERSION = /^v[1-9][0-9]*((alpha|beta)[1-9][0-9]*)?$/;
const GROUP = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function gvkErrors(gvk: GroupVersionKind, path: string): FieldError[] {
  const errors: FieldError[] = [];
  if (gvk.group && !GROUP.test(gvk.group)) {
    errors.push({ path: `${path}.group`, message: `group "${gvk.group}" must be a DNS subdomain (empty for the core group)` });
  }
  if (!VERSION.test(gvk.version)) {
    errors.push({
      path: `${path}.version`,
      message: `version "${gvk.version}" must look like v1, v2beta1 or v1alpha2 (the group goes in group)`,
    });
  }
  if (!KIND.test(gvk.kind))
    errors.push({ path: `${path}.kind`, message: `kind "${gvk.kind}" must be CamelCase, like Secret or ConfigMap (not the plural)` });
  return errors;
}

/** Semantic checks of a SyncRule spec, as field errors. */
export function syncRuleSpecErrors(spec: SyncRuleSpec): FieldError[] {
  const errors: FieldError[] = [...gvkErrors(spec.resource, 'spec.resource')];
  spec.rules.forEach((entry, i) => {
    const at = `spec.rules.${i}`;
    entry.match.forEach((m, j) => {
      m.content?.forEach((c, k) => {
        const problem = jsonPathSyntaxProblem(c.path);
        if (problem) errors.push({ path: `${at}.match.${j}.content.${k}.path`, message: problem });
      });
    });
    const mu = entry.mutations;
    if (!mu) return;
    mu.overrides?.forEach((o, k) => {
      const parsed = parseDefinitePath(o.path);
      if ('problem' in parsed) errors.push({ path: `${at}.mutations.overrides.${k}.path`, message: parsed.problem });
    });
    for (const which of ['labels', 'annotations'] as const) {
      mu[which]?.remove?.forEach((key, k) => {
        const problem = labelKeyProblem(key);
        if (problem) errors.push({ path: `${at}.mutations.${which}.remove.${k}`, message: problem });
      });
    }
    if (mu.groupVersionKind) errors.push(...gvkErrors(mu.groupVersionKind, `${at}.mutations.groupVersionKind`));
  });
  const s = spec.sources;
  if (!s.clusterSelector && !s.clusterSets?.length && !s.clusterFeatureMatch?.length) {
    errors.push({
      path: 'spec.sources',
      message:
        'sources must give at least one of clusterSelector, clusterSets or clusterFeatureMatch (use clusterSelector: {} for every cluster)',
    });
  }
  return errors;
}
