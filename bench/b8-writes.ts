import { API } from './rollout.js';

/**
 * B8's pure parts: the policies it applies, and the sorting of the hub's write items (booked by
 * port call, bench/write-ledger.ts) into compliance ingestion, the policy change that caused it,
 * and the fleet's background.
 */

/** Write items of one class: the total and the port calls behind it. */
export interface WriteClass {
  total: number;
  byCall: Record<string, number>;
}

/** A window's write items by class. */
export interface WriteClasses {
  /** Landing the agents' reports: the current-compliance items and the history (events, catalogue). */
  ingestion: WriteClass;
  /** Changing a policy: the Policy itself, its relations, the clusters' revision bumps, the audit. */
  policyChange: WriteClass;
  /** What a polling fleet writes anyway: heartbeat batches and lease renewals. */
  background: WriteClass;
  /** Anything else (expected empty; shown so that nothing is hidden). */
  other: WriteClass;
}

/** The class of one port call label. */
export function writeClassOf(label: string): keyof WriteClasses {
  if (label.startsWith('complianceHistory.') || / PolicyCompliance$/.test(label)) return 'ingestion';
  if (/ (Policy|PolicySet)$/.test(label) || label === 'heads.bumpRevision' || label.startsWith('relations.') || label.startsWith('audit'))
    return 'policyChange';
  if (label.startsWith('heartbeats.') || label === 'heads.renewLease') return 'background';
  return 'other';
}

/** Sorts write items by port call into classes. */
export function classifyWrites(items: Record<string, number>): WriteClasses {
  const empty = (): WriteClass => ({ total: 0, byCall: {} });
  const out: WriteClasses = { ingestion: empty(), policyChange: empty(), background: empty(), other: empty() };
  for (const [label, n] of Object.entries(items).sort(([a], [b]) => a.localeCompare(b))) {
    const c = out[writeClassOf(label)];
    c.total += n;
    c.byCall[label] = n;
  }
  return out;
}

/** Counts divided by polls, to three decimals. */
export function perPoll(counts: Record<string, number>, polls: number): Record<string, number> {
  return Object.fromEntries(Object.entries(counts).map(([k, v]) => [k, Math.round((v / Math.max(1, polls)) * 1000) / 1000]));
}

/**
 * An inform Policy of `objects` ConfigMaps in `default`, each `complianceType`, placed by
 * `placement`, at the default evaluation interval. The simulated clusters have none of these
 * ConfigMaps: musthave is NonCompliant everywhere, mustnothave Compliant.
 */
export function governancePolicy(
  name: string,
  placement: string,
  complianceType: 'musthave' | 'mustnothave',
  objects: number,
  index: number,
): Record<string, unknown> {
  return {
    apiVersion: API,
    kind: 'Policy',
    metadata: { name },
    spec: {
      remediationAction: 'inform',
      severity: 'medium',
      standards: ['PCI DSS 4.0'],
      categories: ['CM Configuration Management'],
      controls: [`2.2.${(index % 7) + 1}`],
      placementRef: { name: placement },
      policyTemplates: [
        {
          objectTemplates: Array.from({ length: objects }, (_, o) => ({
            complianceType,
            objectDefinition: {
              apiVersion: 'v1',
              kind: 'ConfigMap',
              metadata: { name: `${name}-${o}`, namespace: 'default' },
              data: { owner: 'platform', level: 'full' },
            },
          })),
        },
      ],
    },
  };
}
