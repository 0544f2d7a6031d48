import type { FieldError } from '../../../shared/errors.js';
import type { Override } from '../../../shared/resources/fleetdeployment.js';
import { WorkSpecSchema, type WorkSpec } from '../../../shared/resources/work.js';
import { fieldErrorsOf } from '../../../shared/validation.js';
import { applyOverrides } from './overrides.js';
import { renderTemplate, templateSyntaxErrors, TemplateRenderError, type TemplateCluster } from '../../core/template.js';

/**
 * Renders a FleetDeployment revision into the Work spec of one cluster: overrides first (in
 * order), then template references, then the Work schema again (a patch or a substitution must not
 * produce an invalid manifest). Pure.
 */

/** What a revision pins: the template and the overrides. */
export interface RevisionContent {
  template: WorkSpec;
  overrides: Override[];
}

/**
 * The Work spec for one cluster.
 * @throws TemplateRenderError naming the cluster and what failed (a missing label, a manifest the
 * overrides broke); the caller records it for that cluster and carries on with the others.
 */
export function renderWorkSpec(content: RevisionContent, cluster: TemplateCluster): WorkSpec {
  const manifests = applyOverrides(content.template.workload.manifests as Record<string, unknown>[], content.overrides, cluster.labels);
  const overridden = { ...content.template, workload: { ...content.template.workload, manifests } };
  const rendered = renderTemplate(overridden, cluster, 'template');
  const checked = WorkSpecSchema.safeParse(rendered);
  if (!checked.success) {
    throw new TemplateRenderError(
      cluster.name,
      fieldErrorsOf(checked.error, 'template').map((e) => ({ path: e.path, message: `after overrides and templating: ${e.message}` })),
    );
  }
  return checked.data;
}

/** Syntax problems of the template and of every override patch, as field errors under `spec`. */
export function revisionSyntaxErrors(content: RevisionContent): FieldError[] {
  return [
    ...templateSyntaxErrors(content.template, 'spec.template'),
    ...content.overrides.flatMap((o, i) => (o.patch ? templateSyntaxErrors(o.patch, `spec.overrides.${i}.patch`) : [])),
  ];
}
