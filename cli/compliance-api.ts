import { z } from 'zod';
import type { ClusterPolicyCompliance, ComplianceEvent, ComplianceEventPage, ReportFormat } from '../shared/compliance.js';
import { ComplianceStates, type ComplianceState } from '../shared/resources/policy.js';
import { HubProblemError, type HubClient, type TextAnswer } from './hub-client.js';

/**
 * The hub's compliance routes as the CLI calls them: current compliance of a policy's clusters
 * (paged) and of one cluster's policies, the compliance history (paged), and rendered reports.
 * Answers are checked loosely (extra fields pass) so an older CLI keeps working with a newer hub.
 */

const State = z.enum(ComplianceStates);

const ObjectShape = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  namespace: z.string().optional(),
  name: z.string(),
  compliant: z.boolean(),
  reason: z.string(),
  message: z.string().optional(),
  diff: z.string().optional(),
  createdByPolicy: z.boolean().optional(),
});

const ComplianceShape = z.looseObject({
  cluster: z.string(),
  policy: z.string(),
  compliance: State,
  lastReported: State.optional(),
  since: z.string().optional(),
  evaluatedAt: z.string().optional(),
  policyGeneration: z.number().optional(),
  templates: z
    .array(
      z.looseObject({
        name: z.string(),
        compliance: State,
        reason: z.string().optional(),
        message: z.string().optional(),
        objects: z.array(ObjectShape).default([]),
        omittedObjects: z.number().optional(),
      }),
    )
    .default([]),
});

// The continue token may be at the top level or in `metadata` (a list-shaped answer): both are read.
const CompliancePageShape = z.looseObject({
  items: z.array(ComplianceShape),
  continue: z.string().optional(),
  metadata: z.looseObject({ continue: z.string().optional() }).optional(),
});

const EventShape = z.looseObject({
  id: z.string(),
  time: z.string(),
  cluster: z.string(),
  policy: z.string(),
  compliance: State,
  previous: State.optional(),
  message: z.string().default(''),
  violations: z.number().default(0),
  severity: z.string().optional(),
  standards: z.array(z.string()).default([]),
  categories: z.array(z.string()).default([]),
  controls: z.array(z.string()).default([]),
  policyGeneration: z.number().optional(),
  reportedBy: z.string().optional(),
});

const EventPageShape = z.looseObject({
  items: z.array(EventShape),
  continue: z.string().optional(),
  metadata: z.looseObject({ continue: z.string().optional() }).optional(),
});

/** One page of current compliance. */
export interface CompliancePage {
  items: ClusterPolicyCompliance[];
  continue?: string;
}

/** `GET /v1/policies/{name}/compliance`: one page of the policy's clusters, optionally of one state. */
export async function policyCompliancePage(
  client: HubClient,
  policy: string,
  query: { limit?: number; continue?: string; compliance?: ComplianceState },
): Promise<CompliancePage> {
  const page = await client.read(`/v1/policies/${encodeURIComponent(policy)}/compliance`, CompliancePageShape, query);
  const next = page.continue || page.metadata?.continue || undefined;
  return { items: page.items as unknown as ClusterPolicyCompliance[], ...(next ? { continue: next } : {}) };
}

/**
 * `GET /v1/clusters/{name}/compliance`: the cluster's policies. Undefined when the hub does not
 * serve compliance (a hub without governance answers 404 for the route while the cluster exists).
 */
export async function clusterCompliance(client: HubClient, cluster: string): Promise<ClusterPolicyCompliance[] | undefined> {
  try {
    const page = await client.read(`/v1/clusters/${encodeURIComponent(cluster)}/compliance`, CompliancePageShape);
    return page.items as unknown as ClusterPolicyCompliance[];
  } catch (err) {
    if (err instanceof HubProblemError && err.status === 404) return undefined;
    throw err;
  }
}

/** Query of one page of history, as the API takes it (already checked). */
export interface EventPageQuery {
  cluster?: string;
  policy?: string;
  standard?: string;
  category?: string;
  control?: string;
  compliance?: ComplianceState;
  since?: string;
  until?: string;
  limit: number;
  continue?: string;
  direction?: 'asc' | 'desc';
}

/** `GET /v1/compliance/events`: one page of the history. */
export async function complianceEventsPage(client: HubClient, query: EventPageQuery): Promise<ComplianceEventPage> {
  const page = await client.read('/v1/compliance/events', EventPageShape, { ...query });
  const next = page.continue || page.metadata?.continue || undefined;
  return { items: page.items as unknown as ComplianceEvent[], ...(next ? { continue: next } : {}) };
}

/** Filters of a report. */
export interface ReportQuery {
  format: ReportFormat;
  standard?: string;
  category?: string;
  control?: string;
  cluster?: string;
  policy?: string;
  since?: string;
  until?: string;
}

/** `GET /v1/compliance/report`: the rendered report, exactly as the hub sent it. */
export function complianceReport(client: HubClient, query: ReportQuery): Promise<TextAnswer> {
  return client.readText('/v1/compliance/report', { ...query });
}
