import { NotFoundError } from '../../../shared/errors.js';
import type { ClusterHead, ClusterHeadState } from '../../ports/cluster-head-store.js';
import type { HubContext } from '../../core/context.js';
import { retryOnConflict } from '../../core/retry.js';
import { withoutLease } from './cluster-lease.js';

/**
 * Read-modify-write of one cluster head: a consistent read, a pure change and a put conditional
 * on the head's version, retried on conflict (a lease renewal or revision bump in between makes
 * the put fail and the change is recomputed from the fresh head). Returns the head as stored, or
 * undefined when there is no head. `change` returning the same object writes nothing.
 */
export async function mutateHead(
  ctx: HubContext,
  cluster: string,
  change: (head: ClusterHead) => ClusterHead,
): Promise<ClusterHead | undefined> {
  return retryOnConflict(ctx.ports.clock, async () => {
    const head = await ctx.ports.heads.get(cluster, { consistent: true });
    if (!head) return undefined;
    const next = change(head);
    if (next === head) return head;
    try {
      return await ctx.ports.heads.put(next);
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  });
}

/**
 * The head with every agent secret revoked: no credentials, no bootstrap token, no lease (so it
 * leaves the live set). Used by deny, detach and delete.
 */
export function revoked(head: ClusterHead, state: ClusterHeadState): ClusterHead {
  const { bootstrap: _b, ...rest } = withoutLease(head);
  return { ...rest, state, credentials: [] };
}

/** Revokes the agent's credentials and bootstrap token at once and sets the head's state. */
export async function revokeAgent(ctx: HubContext, cluster: string, state: 'Denied' | 'Detached'): Promise<ClusterHead | undefined> {
  return mutateHead(ctx, cluster, (head) =>
    head.state === state && head.credentials.length === 0 && !head.bootstrap && head.leaseRenewedAt === undefined
      ? head
      : revoked(head, state),
  );
}
