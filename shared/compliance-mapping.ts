/**
 * A Policy's compliance mapping (standards, categories, controls), shared by the hub, the CLI and
 * the console. Free of zod, so the console imports it without the schemas.
 */

/** The OCM annotations a Policy's compliance mapping may also be given in (comma-separated values). */
export const STANDARDS_ANNOTATION = 'policy.open-cluster-management.io/standards';
export const CATEGORIES_ANNOTATION = 'policy.open-cluster-management.io/categories';
export const CONTROLS_ANNOTATION = 'policy.open-cluster-management.io/controls';

/** A policy's mapping as given: the first-class fields (any may be absent) and the annotations. */
export interface MappedPolicy {
  metadata: { annotations?: Record<string, string> };
  spec?: { standards?: readonly string[]; categories?: readonly string[]; controls?: readonly string[] };
}

/** Splits an OCM mapping annotation (`PCI DSS 4.0, NIST SP 800-53`) into its values. */
function annotationList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The compliance mapping of a policy: its fields and the OCM annotations, merged, in order, without repeats. */
export function complianceMapping(policy: MappedPolicy): { standards: string[]; categories: string[]; controls: string[] } {
  const a = policy.metadata.annotations ?? {};
  const merge = (fields: readonly string[] | undefined, annotation: string) => [
    ...new Set([...(fields ?? []), ...annotationList(a[annotation])]),
  ];
  return {
    standards: merge(policy.spec?.standards, STANDARDS_ANNOTATION),
    categories: merge(policy.spec?.categories, CATEGORIES_ANNOTATION),
    controls: merge(policy.spec?.controls, CONTROLS_ANNOTATION),
  };
}
