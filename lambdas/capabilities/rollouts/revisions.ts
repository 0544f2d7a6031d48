import { AlreadyExistsError, NotFoundError } from '../../../shared/errors.js';
import { canonicalHash } from '../../../shared/hash.js';
import type { Override } from '../../../shared/resources/fleetdeployment.js';
import { API_VERSION, type Resource } from '../../../shared/resources/meta.js';
import type { WorkSpec } from '../../../shared/resources/work.js';
import { isoNow } from '../../ports/clock.js';
import type { HubContext } from '../../core/context.js';
import type { RevisionContent } from './render.js';

/**
 * Revisions of a FleetDeployment's template. Each change of the template or the overrides becomes
 * revision N, stored as its own item: a resource of the internal kind `FleetDeploymentRevision`
 * (not served by the API), with the FleetDeployment's name as its namespace, so one Query lists
 * them in order and the resource store compresses big templates. The last {@link KEEP_REVISIONS}
 * are kept, so a rollback always has a target; the revision in use is never deleted.
 */

/** The internal kind of revision items. */
export const REVISION_KIND = 'FleetDeploymentRevision';
/** Revisions kept per FleetDeployment. */
export const KEEP_REVISIONS = 10;

/** A stored revision. */
export interface StoredRevision {
  revision: number;
  /** Content hash of template and overrides: equal content means an equal hash. */
  hash: string;
  content: RevisionContent;
  createdAt: string;
  /** Set when the revision was made by a rollback, to the revision it restored. */
  rollbackOf?: number;
}

interface RevisionSpec {
  revision: number;
  hash: string;
  template: WorkSpec;
  overrides: Override[];
  rollbackOf?: number;
}

/** The hash of what a revision pins (short: it travels in annotations and relation items). */
export function contentHash(content: RevisionContent): string {
  return canonicalHash({ template: content.template, overrides: content.overrides }).slice(0, 20);
}

/** Item name of revision `n`: zero-padded so that name order is revision order. */
export function revisionName(n: number): string {
  return `r${String(n).padStart(10, '0')}`;
}

function fromResource(res: Resource): StoredRevision {
  const spec = res.spec as RevisionSpec;
  return {
    revision: spec.revision,
    hash: spec.hash,
    content: { template: spec.template, overrides: spec.overrides },
    createdAt: res.metadata.creationTimestamp,
    ...(spec.rollbackOf !== undefined ? { rollbackOf: spec.rollbackOf } : {}),
  };
}

/** Reads revision `n` of a FleetDeployment, or undefined. */
export async function getRevision(ctx: HubContext, fleetDeployment: string, n: number): Promise<StoredRevision | undefined> {
  const res = await ctx.ports.resources.get(
    { kind: REVISION_KIND, namespace: fleetDeployment, name: revisionName(n) },
    { consistent: true },
  );
  return res ? fromResource(res) : undefined;
}

/** Every stored revision of a FleetDeployment, oldest first. */
export async function listRevisions(ctx: HubContext, fleetDeployment: string): Promise<StoredRevision[]> {
  const out: StoredRevision[] = [];
  let cursor: string | undefined;
  do {
    const page = await ctx.ports.resources.list(REVISION_KIND, { namespace: fleetDeployment, limit: 100, cursor, consistent: true });
    out.push(...page.items.map(fromResource));
    cursor = page.cursor;
  } while (cursor);
  return out;
}

/**
 * Stores `content` as the first free revision after `after` and returns it; idempotent: when that
 * number already holds the same content (a duplicate run), it is returned as is. A number taken by
 * other content (a concurrent edit) is skipped.
 */
export async function ensureRevision(
  ctx: HubContext,
  fleetDeployment: string,
  content: RevisionContent,
  after: number,
  rollbackOf?: number,
): Promise<StoredRevision> {
  const hash = contentHash(content);
  for (let n = after + 1; ; n++) {
    const spec: RevisionSpec = {
      revision: n,
      hash,
      template: content.template,
      overrides: content.overrides,
      ...(rollbackOf !== undefined ? { rollbackOf } : {}),
    };
    try {
      const created = await ctx.ports.resources.create({
        apiVersion: API_VERSION,
        kind: REVISION_KIND,
        metadata: {
          name: revisionName(n),
          namespace: fleetDeployment,
          uid: ctx.ports.ids.uid(),
          resourceVersion: '0',
          generation: 1,
          creationTimestamp: isoNow(ctx.ports.clock),
        },
        spec,
      });
      return fromResource(created);
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
      const existing = await getRevision(ctx, fleetDeployment, n);
      if (existing?.hash === hash) return existing;
    }
  }
}

/** Deletes all but the newest `keep` revisions, never `inUse`. Returns how many were deleted. */
export async function pruneRevisions(ctx: HubContext, fleetDeployment: string, inUse: number, keep = KEEP_REVISIONS): Promise<number> {
  const all = await listRevisions(ctx, fleetDeployment);
  const doomed = all.slice(0, Math.max(0, all.length - keep)).filter((r) => r.revision !== inUse);
  for (const r of doomed) await deleteQuietly(ctx, fleetDeployment, r.revision);
  return doomed.length;
}

/** Deletes every revision of a FleetDeployment (after it is deleted). */
export async function deleteRevisions(ctx: HubContext, fleetDeployment: string): Promise<void> {
  for (const r of await listRevisions(ctx, fleetDeployment)) await deleteQuietly(ctx, fleetDeployment, r.revision);
}

async function deleteQuietly(ctx: HubContext, fleetDeployment: string, n: number): Promise<void> {
  try {
    await ctx.ports.resources.delete({ kind: REVISION_KIND, namespace: fleetDeployment, name: revisionName(n) });
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
}

/**
 * The revision a rollback from `current` goes back to: the newest stored revision older than
 * `current` whose content differs from it.
 */
export async function previousRevision(ctx: HubContext, fleetDeployment: string, current: number): Promise<StoredRevision | undefined> {
  const all = await listRevisions(ctx, fleetDeployment);
  const now = all.find((r) => r.revision === current);
  return all.filter((r) => r.revision < current && r.hash !== now?.hash).pop();
}
