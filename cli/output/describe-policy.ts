import { ComplianceTypes, complianceMapping, templateName, type ComplianceState } from '../../shared/resources/policy.js';
import type { Resource } from '../../shared/resources/meta.js';
import { field, NONE } from './columns.js';
import { complianceCell } from './compliance.js';
import type { DescribeContext } from './describe.js';
import { indent, keyValues, type Pair } from './describe-text.js';
import { renderTable } from './table.js';

/**
 * The spec and status sections of `tether describe policy` and `describe policyset`: what the
 * policy demands in a few lines (not its YAML, which can hold hundreds of object templates), then
 * the roll-up over its clusters. The per-cluster compliance is a related section
 * (cli/describe-governance.ts), as it costs requests.
 */

interface TemplateShape {
  name?: string;
  objectTemplates?: Array<{ complianceType?: string; objectDefinition?: { kind?: string } }>;
  pruneObjectBehavior?: string;
  evaluationInterval?: { compliant?: string; noncompliant?: string };
  namespaceSelector?: { include?: string[]; exclude?: string[]; matchLabels?: Record<string, string>; matchExpressions?: unknown[] };
}

interface SummaryShape {
  clusters?: number;
  compliant?: number;
  nonCompliant?: number;
  pending?: number;
  unknown?: number;
}

const list = (values: readonly string[]): string => (values.length ? values.join(', ') : NONE);

/** `2 musthave, 1 mustnothave`: how many object templates of each compliance type. */
function typeCounts(t: TemplateShape): string {
  const counts = ComplianceTypes.map((type) => [type, (t.objectTemplates ?? []).filter((o) => o.complianceType === type).length] as const);
  return counts
    .filter(([, n]) => n > 0)
    .map(([type, n]) => `${n} ${type}`)
    .join(', ');
}

/** `include payments-*, exclude kube-*` or `<none>`. */
function namespacesText(s: TemplateShape['namespaceSelector']): string {
  if (!s) return NONE;
  const parts: string[] = [];
  if (s.include?.length) parts.push(`include ${s.include.join(',')}`);
  if (s.exclude?.length) parts.push(`exclude ${s.exclude.join(',')}`);
  const labels = Object.entries(s.matchLabels ?? {});
  if (labels.length) parts.push(`labels ${labels.map(([k, v]) => `${k}=${v}`).join(',')}`);
  if (s.matchExpressions?.length) parts.push(`${s.matchExpressions.length} expressions`);
  return parts.join('; ') || NONE;
}

/** The Spec section of a Policy. */
export function describePolicySpec(o: Resource, ctx: DescribeContext): string {
  const spec = (o.spec ?? {}) as Record<string, unknown>;
  const mapping = complianceMapping({
    metadata: o.metadata,
    spec: {
      standards: field<string[]>(spec, 'standards') ?? [],
      categories: field<string[]>(spec, 'categories') ?? [],
      controls: field<string[]>(spec, 'controls') ?? [],
    },
  });
  const deps = field<Array<{ kind?: string; name: string; compliance?: string }>>(spec, 'dependencies') ?? [];
  const pairs: Pair[] = [
    ['Remediation', field<string>(spec, 'remediationAction') ?? 'inform'],
    ['Disabled', field<boolean>(spec, 'disabled') ? 'yes (not evaluated)' : 'no'],
    ['Severity', field<string>(spec, 'severity') ?? NONE],
    ['Standards', list(mapping.standards)],
    ['Categories', list(mapping.categories)],
    ['Controls', list(mapping.controls)],
    ['Placement', field<string>(spec, 'placementRef', 'name') ?? `${NONE} (only policy sets that list it choose clusters)`],
    ['Dependencies', deps.map((d) => `${d.kind ?? 'Policy'} ${d.name} must be ${d.compliance ?? 'Compliant'}`)],
  ];
  const description = field<string>(spec, 'description');
  if (description) pairs.push(['Description', description]);
  let out = keyValues(pairs, '  ', 'Spec:');
  const templates = field<TemplateShape[]>(spec, 'policyTemplates') ?? [];
  out += 'Templates:\n';
  if (!templates.length) return `${out}  ${NONE}\n`;
  const rows = templates.map((t, i) => [
    templateName(o.metadata.name, t, i),
    String(t.objectTemplates?.length ?? 0),
    typeCounts(t) || NONE,
    [...new Set((t.objectTemplates ?? []).map((x) => x.objectDefinition?.kind ?? '?'))].join(',') || NONE,
    t.pruneObjectBehavior ?? 'None',
    `${t.evaluationInterval?.compliant ?? '10m'}/${t.evaluationInterval?.noncompliant ?? '2m'}`,
    namespacesText(t.namespaceSelector),
  ]);
  out += indent(renderTable(['NAME', 'OBJECTS', 'TYPES', 'KINDS', 'PRUNE', 'INTERVAL', 'NAMESPACES'], rows, ctx.paint), '  ');
  return out;
}

/** The Spec section of a PolicySet. */
export function describePolicySetSpec(o: Resource): string {
  const pairs: Pair[] = [
    ['Policies', field<string[]>(o.spec, 'policies') ?? []],
    ['Placement', field<string>(o.spec, 'placementRef', 'name') ?? `${NONE} (each policy's own placement)`],
  ];
  const description = field<string>(o.spec, 'description');
  if (description) pairs.push(['Description', description]);
  return keyValues(pairs, '  ', 'Spec:');
}

/** `12 (3 compliant, 2 non-compliant, 1 pending, 6 unknown)`. */
function clustersText(summary: SummaryShape | undefined): string {
  if (!summary) return 'not computed yet';
  const parts = [
    `${summary.compliant ?? 0} compliant`,
    `${summary.nonCompliant ?? 0} non-compliant`,
    `${summary.pending ?? 0} pending`,
    `${summary.unknown ?? 0} unknown`,
  ];
  return `${summary.clusters ?? 0} (${parts.join(', ')})`;
}

/** The Status section of a Policy or PolicySet: roll-up, counts, the non-compliant clusters. */
export function describePolicyStatus(o: Resource, ctx: DescribeContext): string {
  const s = o.status;
  const state = field<ComplianceState>(s, 'compliant');
  const cell = complianceCell(state);
  const nonCompliant = field<string[]>(s, 'nonCompliantClusters') ?? [];
  const summary = field<SummaryShape>(s, 'summary');
  const pairs: Pair[] = [
    ['Compliance', state ? ctx.paint(cell.text, cell.tone) : `${NONE} (no cluster chosen yet)`],
    ['Clusters', clustersText(summary)],
    ['Non-Compliant Clusters', nonCompliant.length ? wrap(nonCompliant, summary?.nonCompliant) : NONE],
  ];
  const missing = field<string[]>(s, 'missingPolicies');
  if (missing?.length) pairs.push(['Missing Policies', missing.join(', ')]);
  return keyValues(pairs, '  ', 'Status:');
}

/** Names, several per line; `... and N more` when the status lists only the first ones. */
function wrap(names: readonly string[], total: number | undefined): string[] {
  const lines: string[] = [];
  for (let i = 0; i < names.length; i += 6) lines.push(names.slice(i, i + 6).join(', '));
  if (total !== undefined && total > names.length) lines.push(`... and ${total - names.length} more`);
  return lines;
}
