import { parseDuration } from '../../../shared/duration.js';
import { canonicalHash } from '../../../shared/hash.js';
import type { DesiredPolicy, DesiredPolicyTemplate } from '../../../shared/protocol/v1.js';
import { clusterKind } from '../../../shared/resources/cluster.js';
import type { ResourceOf } from '../../../shared/resources/define-kind.js';
import { DEFAULT_EVALUATION_INTERVAL, policyKind, templateName } from '../../../shared/resources/policy.js';
import type { HubContext } from '../../core/context.js';
import { renderTemplate, templateClusterOf, TemplateRenderError, type TemplateCluster } from '../../core/template.js';
import { readResource, readResources } from '../../core/typed-resources.js';
import { policiesOfCluster } from './relations.js';

/**
 * The `policies` part of an agent's desired state: every policy assigned to the cluster, with its
 * templates rendered for that cluster on the hub (the FleetDeployment template language: cluster
 * name, labels, annotations, claims). Read only when the poll answers 200, never on an idle poll.
 */

/** A stored Policy. */
export type PolicyResource = ResourceOf<typeof policyKind>;

/** An interval as the agent gets it: seconds, or null for `never`. */
export function intervalSeconds(text: string): number | null {
  if (text === 'never') return null;
  const ms = parseDuration(text);
  // The schema admits only valid durations of 10 s or more; a stored value is one.
  return ms === undefined ? null : Math.max(1, Math.round(ms / 1000));
}

/** The templates of a policy for one cluster, before rendering. */
function templatesOf(policy: PolicyResource): DesiredPolicyTemplate[] {
  return policy.spec.policyTemplates.map((t, i) => ({
    name: templateName(policy.metadata.name, t, i),
    objectTemplates: t.objectTemplates.map((o) => ({
      complianceType: o.complianceType,
      objectDefinition: o.objectDefinition as Record<string, unknown>,
      recordDiff: o.recordDiff,
    })),
    ...(t.namespaceSelector ? { namespaceSelector: t.namespaceSelector } : {}),
    evaluationInterval: {
      compliant: intervalSeconds(t.evaluationInterval?.compliant ?? DEFAULT_EVALUATION_INTERVAL.compliant),
      noncompliant: intervalSeconds(t.evaluationInterval?.noncompliant ?? DEFAULT_EVALUATION_INTERVAL.noncompliant),
    },
    pruneObjectBehavior: t.pruneObjectBehavior,
  }));
}

/**
 * A policy as one cluster's agent receives it. A template that cannot be rendered for this cluster
 * (a label it lacks, without a default) gives `renderError` and no templates: the agent reports
 * TemplateError and touches nothing; other clusters are unaffected.
 */
export function toDesiredPolicy(policy: PolicyResource, cluster: TemplateCluster): DesiredPolicy {
  let templates: DesiredPolicyTemplate[];
  let renderError: string | undefined;
  const raw = templatesOf(policy);
  try {
    templates = raw.map((t, i) => ({
      ...t,
      objectTemplates: t.objectTemplates.map((o, j) => ({
        ...o,
        objectDefinition: renderTemplate(o.objectDefinition, cluster, `spec.policyTemplates.${i}.objectTemplates.${j}.objectDefinition`),
      })),
    }));
  } catch (err) {
    if (!(err instanceof TemplateRenderError)) throw err;
    renderError = err.message;
    templates = [];
  }
  const body: Omit<DesiredPolicy, 'hash'> = {
    name: policy.metadata.name,
    uid: policy.metadata.uid,
    generation: policy.metadata.generation,
    remediationAction: policy.spec.remediationAction,
    disabled: policy.spec.disabled,
    dependencies: policy.spec.dependencies.map((d) => ({ name: d.name, compliance: d.compliance })),
    templates,
    ...(renderError !== undefined ? { renderError } : {}),
  };
  return { ...body, hash: canonicalHash(body) };
}

/**
 * Every policy assigned to `cluster`, rendered for it, in name order: one Query of the cluster's
 * relation, one batched read of the policies and one read of the cluster record.
 */
export async function loadDesiredPolicies(ctx: HubContext, cluster: string): Promise<DesiredPolicy[]> {
  const names = await policiesOfCluster(ctx, cluster);
  if (!names.length) return [];
  const [policies, record] = await Promise.all([
    readResources(
      ctx,
      policyKind,
      names.map((name) => ({ name })),
    ),
    readResource(ctx, clusterKind, { name: cluster }),
  ]);
  const view = templateClusterOf(record ?? { metadata: { name: cluster } });
  return policies
    .filter((p): p is PolicyResource => p !== undefined && !p.metadata.deletionTimestamp)
    .map((p) => toDesiredPolicy(p, view))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
