/**
 * Debounce of compliance reports, so that a flapping object cannot make a status write per poll.
 *
 * A policy whose report changed is sent at once, unless one of its reports was sent within the
 * window (60 s); then it is held, and when the window ends the latest state is sent (nothing at
 * all when it flapped back to what was last sent). A policy whose report changed 3 or more times
 * in the last 10 minutes is flapping: its window grows to 10 minutes. So a flapping policy costs at
 * most one report per window. Times come from the agent clock, so tests drive it.
 */

/** Options of {@link ReportDebouncer}. */
export interface DebounceOptions {
  /** Least time between two reports of one policy. Default 60 s. */
  windowMs: number;
  /** The window of a flapping policy. Default 10 min. */
  flappingWindowMs: number;
  /** Changes within {@link flappingPeriodMs} that make a policy flapping. Default 3. */
  flappingChanges: number;
  /** Default 10 min. */
  flappingPeriodMs: number;
}

export const DEFAULT_DEBOUNCE: DebounceOptions = Object.freeze({
  windowMs: 60_000,
  flappingWindowMs: 10 * 60_000,
  flappingChanges: 3,
  flappingPeriodMs: 10 * 60_000,
});

interface Track {
  sentHash?: string;
  sentAt?: number;
  seenHash?: string;
  changes: number[];
}

/** Decides, per policy, whether its latest report goes out now. */
export class ReportDebouncer {
  private readonly tracks = new Map<string, Track>();

  constructor(private readonly options: DebounceOptions = DEFAULT_DEBOUNCE) {}

  /**
   * The latest report hash of a policy, at `now`.
   * @returns true when it should be sent now; false when it equals what was sent, or is held.
   */
  offer(name: string, hash: string, now: number): boolean {
    let t = this.tracks.get(name);
    if (!t) this.tracks.set(name, (t = { changes: [] }));
    if (hash !== t.seenHash) {
      t.seenHash = hash;
      t.changes.push(now);
    }
    t.changes = t.changes.filter((at) => now - at < this.options.flappingPeriodMs);
    if (hash === t.sentHash) return false;
    return t.sentAt === undefined || now - t.sentAt >= this.windowOf(t);
  }

  /** The hub accepted this report of the policy. */
  sent(name: string, hash: string, now: number): void {
    const t = this.tracks.get(name) ?? { changes: [] };
    t.sentHash = hash;
    t.sentAt = now;
    this.tracks.set(name, t);
  }

  /** Whether the policy counts as flapping now. */
  flapping(name: string): boolean {
    const t = this.tracks.get(name);
    return t !== undefined && t.changes.length >= this.options.flappingChanges;
  }

  /** Forgets a policy (removed), or every policy (the hub must get everything again). */
  forget(name?: string): void {
    if (name === undefined) {
      for (const t of this.tracks.values()) {
        t.sentHash = undefined;
        t.sentAt = undefined;
      }
    } else this.tracks.delete(name);
  }

  private windowOf(t: Track): number {
    return t.changes.length >= this.options.flappingChanges ? this.options.flappingWindowMs : this.options.windowMs;
  }
}
