import {
  MAX_REPORTED_OBJECTS,
  type ComplianceObject,
  type DesiredPolicyTemplate,
  type TemplateCompliance,
} from '../../shared/protocol/v1.js';
import type { ObjectRef } from '../kube/types.js';
import { evaluateObjectTemplate, type EvaluationContext } from './evaluate-object.js';

/**
 * Evaluates one policy template (a configuration policy): every object template in order, rolled
 * up into the template's compliance as the status report carries it, violations first and at most
 * {@link MAX_REPORTED_OBJECTS} objects (the count of the rest in `omittedObjects`).
 */

/** The result of one template, with what pruning needs to remember. */
export interface TemplateOutcome {
  compliance: TemplateCompliance;
  created: ObjectRef[];
  named: ObjectRef[];
}

const MAX_TEMPLATE_MESSAGE = 2048;

/** Evaluates (and with enforce, remediates) a template. Never throws. */
export async function evaluateTemplate(ctx: EvaluationContext, template: DesiredPolicyTemplate): Promise<TemplateOutcome> {
  const objects: ComplianceObject[] = [];
  const created: ObjectRef[] = [];
  const named: ObjectRef[] = [];
  for (const ot of template.objectTemplates) {
    const outcome = await evaluateObjectTemplate(ctx, ot, template.namespaceSelector);
    objects.push(...outcome.objects);
    created.push(...outcome.created);
    named.push(...outcome.named);
  }
  return { compliance: summarise(template.name, objects), created, named };
}

/** The template's compliance from its objects. */
export function summarise(name: string, objects: ComplianceObject[]): TemplateCompliance {
  const violations = objects.filter((o) => !o.compliant);
  const sorted = [...violations, ...objects.filter((o) => o.compliant)];
  const shown = sorted.slice(0, MAX_REPORTED_OBJECTS);
  const omitted = sorted.length - shown.length;
  const base = { name, objects: shown, ...(omitted > 0 ? { omittedObjects: omitted } : {}) };
  if (violations.length === 0) {
    const n = objects.length;
    return { ...base, compliance: 'Compliant', message: n === 0 ? 'no object to check' : `${n} object${n === 1 ? '' : 's'} as required` };
  }
  const reason = violations.some((o) => o.reason === 'KindNotFound')
    ? 'KindNotFound'
    : violations.every((o) => o.reason === 'EvaluationFailed' || o.reason === 'Forbidden')
      ? 'EvaluationFailed'
      : 'Violation';
  const first = violations
    .slice(0, 3)
    .map((o) => o.message ?? `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name}: ${o.reason}`)
    .join('; ');
  const message = `${violations.length} of ${objects.length} objects violate the policy: ${first}${violations.length > 3 ? '; …' : ''}`;
  return {
    ...base,
    compliance: 'NonCompliant',
    reason,
    message: message.length > MAX_TEMPLATE_MESSAGE ? `${message.slice(0, MAX_TEMPLATE_MESSAGE - 1)}…` : message,
  };
}
