import type { Resource } from '../../shared/resources/meta.js';

/**
 * Write-ahead records of admin writes whose follow-up work (relations, head bumps, queued steps)
 * is not known to be done. The resource service opens one before it writes an object whose kind
 * has after-write hooks and closes it once the hooks have run; a process that dies in between (a
 * Lambda timeout, `kill -9` of the local hub) leaves it open, and the scheduler replays the hooks
 * from it (lambdas/core/pending-changes.ts). Cost grows with the changes left open, not with the
 * fleet: an idle sweep is one empty Query per shard.
 */
export interface PendingChange {
  /** Unique id. */
  id: string;
  /** Epoch ms when the change was opened. */
  openedAt: number;
  op: 'create' | 'update' | 'delete';
  kind: string;
  name: string;
  namespace?: string;
  /**
   * The object before the change (update and delete), trimmed to what hooks compare (metadata and
   * the small fields of the spec; see trimForReplay), so that a record stays a few KB.
   */
  prev?: Resource;
}

export interface PendingChangeStore {
  open(change: PendingChange): Promise<void>;
  /** Idempotent. */
  close(change: Pick<PendingChange, 'id' | 'openedAt'>): Promise<void>;
  /** Changes opened before `before` (epoch ms), oldest first within a shard, at most `limit`. */
  due(before: number, limit: number): Promise<PendingChange[]>;
}
