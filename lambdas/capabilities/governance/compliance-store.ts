import type { ClusterPolicyCompliance } from '../../../shared/compliance.js';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../../../shared/errors.js';
import type { ComplianceState } from '../../../shared/resources/policy.js';
import { API_VERSION, type Resource } from '../../../shared/resources/meta.js';
import { isoNow } from '../../ports/clock.js';
import type { HubContext } from '../../core/context.js';

/**
 * Current compliance: one small item per (policy, cluster), internal kind `PolicyCompliance`, with
 * namespace = policy and name = cluster. Listing a policy's clusters is one Query on its partition;
 * a cluster's compliance is its `cluster-policies` relation and one batched read. Only the hub
 * writes these items, only from the reports of the cluster the item is named after.
 */

/** Internal kind of current-compliance items; not an API kind, so no route serves it. */
export const POLICY_COMPLIANCE_KIND = 'PolicyCompliance';

/**
 * Largest body (as stored, compressed past 4 KiB) a compliance item may have before its diffs are
 * dropped: well under the table's 380 KiB item limit, so the keys and the version always fit.
 */
export const MAX_COMPLIANCE_ITEM_BYTES = 350 * 1024;

/** What the hub keeps of a cluster's last report on a policy. */
export interface ComplianceRecord {
  /** The state the agent reported (never the derived Unknown of a silent cluster). */
  compliance: ComplianceState;
  /** When the state last changed on the agent, and the evaluation the report came from (RFC 3339). */
  since: string;
  evaluatedAt: string;
  policyGeneration: number;
  /** When the hub last wrote this record (RFC 3339). */
  updatedAt: string;
  templates: ClusterPolicyCompliance['templates'];
  /** Set when the record was too large and what it says was cut (`diffs`: diffs removed; `objects`: compliant objects removed). */
  trimmed?: 'diffs' | 'objects';
}

/** A compliance item: which incarnation of the policy (uid) it describes, and the record. */
export type ComplianceItem = Resource<{ policyUid: string }, ComplianceRecord>;

/** The key of the item of (`policy`, `cluster`). */
export function complianceKey(policy: string, cluster: string) {
  return { kind: POLICY_COMPLIANCE_KIND, name: cluster, namespace: policy };
}

/** Reads the items of many (policy, cluster) pairs in few round trips; aligned with `pairs`. */
export async function readComplianceItems(
  ctx: HubContext,
  pairs: readonly { policy: string; cluster: string }[],
  consistent = false,
): Promise<(ComplianceItem | undefined)[]> {
  if (!pairs.length) return [];
  return (await ctx.ports.resources.getMany(
    pairs.map((p) => complianceKey(p.policy, p.cluster)),
    { consistent },
  )) as (ComplianceItem | undefined)[];
}

/** One page of a policy's compliance items, in cluster order. */
export async function listComplianceItems(
  ctx: HubContext,
  policy: string,
  opts: { limit: number; cursor?: string; consistent?: boolean },
): Promise<{ items: ComplianceItem[]; cursor?: string }> {
  const page = await ctx.ports.resources.list(POLICY_COMPLIANCE_KIND, { namespace: policy, ...opts });
  return { items: page.items as ComplianceItem[], ...(page.cursor ? { cursor: page.cursor } : {}) };
}

/** The record as it fits an item: diffs dropped first, then compliant objects, then all objects (counted). */
export function fitRecord(record: ComplianceRecord, storedBytes: (json: string) => number): ComplianceRecord {
  const fits = (r: ComplianceRecord) => storedBytes(JSON.stringify(r)) <= MAX_COMPLIANCE_ITEM_BYTES;
  if (fits(record)) return record;
  const noDiffs: ComplianceRecord = {
    ...record,
    trimmed: 'diffs',
    templates: record.templates.map((t) => ({ ...t, objects: t.objects.map(({ diff: _diff, ...o }) => o) })),
  };
  if (fits(noDiffs)) return noDiffs;
  const violations: ComplianceRecord = {
    ...noDiffs,
    trimmed: 'objects',
    templates: noDiffs.templates.map((t) => {
      const kept = t.objects.filter((o) => !o.compliant);
      return { ...t, objects: kept, omittedObjects: (t.omittedObjects ?? 0) + t.objects.length - kept.length };
    }),
  };
  if (fits(violations)) return violations;
  return {
    ...violations,
    templates: violations.templates.map((t) => ({ ...t, objects: [], omittedObjects: (t.omittedObjects ?? 0) + t.objects.length })),
  };
}

/**
 * Writes the record of (`policy`, `cluster`): a create when `existing` is undefined, else a replace
 * conditional on its version. A concurrent create surfaces as ConflictError, so that the caller's
 * retryOnConflict re-reads. Returns the record as written (possibly trimmed to fit).
 */
export async function writeComplianceItem(
  ctx: HubContext,
  existing: ComplianceItem | undefined,
  key: { policy: string; cluster: string; policyUid: string },
  record: ComplianceRecord,
): Promise<ComplianceRecord> {
  const fitted = fitRecord(record, (json) => ctx.ports.resources.storedBodyBytes(json));
  if (fitted.trimmed) {
    ctx.ports.log.warn('policy compliance too large for one item; stored trimmed', {
      cluster: key.cluster,
      policy: key.policy,
      trimmed: fitted.trimmed,
    });
  }
  try {
    if (!existing) {
      const item: ComplianceItem = {
        apiVersion: API_VERSION,
        kind: POLICY_COMPLIANCE_KIND,
        metadata: {
          name: key.cluster,
          namespace: key.policy,
          uid: ctx.ports.ids.uid(),
          resourceVersion: '0',
          generation: 1,
          creationTimestamp: isoNow(ctx.ports.clock),
        },
        spec: { policyUid: key.policyUid },
        status: fitted,
      };
      await ctx.ports.resources.create(item);
    } else {
      await ctx.ports.resources.replace(
        { ...existing, spec: { policyUid: key.policyUid }, status: fitted },
        existing.metadata.resourceVersion,
      );
    }
  } catch (err) {
    if (err instanceof AlreadyExistsError) throw new ConflictError('compliance item created concurrently', undefined, { cause: err });
    throw err;
  }
  return fitted;
}

/** Deletes the item of (`policy`, `cluster`); a missing one is fine (steps repeat). */
export async function deleteComplianceItem(ctx: HubContext, policy: string, cluster: string): Promise<void> {
  await ctx.ports.resources.delete(complianceKey(policy, cluster)).catch((err) => {
    if (!(err instanceof NotFoundError)) throw err;
  });
}

/** Deletes every compliance item of a policy (it was deleted). Idempotent. */
export async function deletePolicyComplianceItems(ctx: HubContext, policy: string): Promise<number> {
  let deleted = 0;
  for (;;) {
    // Always the first page: what was deleted is gone.
    const page = await listComplianceItems(ctx, policy, { limit: 200, consistent: true });
    if (!page.items.length) return deleted;
    for (const item of page.items) {
      await deleteComplianceItem(ctx, policy, item.metadata.name);
      deleted++;
    }
  }
}
