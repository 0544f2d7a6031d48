import type { PendingChange, PendingChangeStore } from '../../ports/pending-changes.js';

/** {@link PendingChangeStore} in process memory (tests and tools). */
export class MemoryPendingChanges implements PendingChangeStore {
  private readonly open_ = new Map<string, PendingChange>();

  async open(change: PendingChange): Promise<void> {
    this.open_.set(change.id, structuredClone(change));
  }

  async close(change: Pick<PendingChange, 'id' | 'openedAt'>): Promise<void> {
    this.open_.delete(change.id);
  }

  async due(before: number, limit: number): Promise<PendingChange[]> {
    return [...this.open_.values()]
      .filter((c) => c.openedAt < before)
      .sort((a, b) => a.openedAt - b.openedAt)
      .slice(0, limit)
      .map((c) => structuredClone(c));
  }

  /** Open changes (tests). */
  get size(): number {
    return this.open_.size;
  }
}
