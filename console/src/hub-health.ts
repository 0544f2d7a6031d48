import { useEffect, useState } from 'preact/hooks';
import { HubProblemError, HubUnreachableError } from './api.js';

/**
 * Is the hub answering? Every poll reports here. When a poll finds the hub unreachable (or an edge
 * answers 5xx for it), every view is marked stale: greyed, with the time of the last good answer,
 * and actions are disabled, so nobody takes "Available" from a minute ago for the truth or clicks
 * Detach on a picture of the past. The next good answer clears it.
 */

/** What the shell and the views need to know. */
export interface HubHealth {
  /** True from the first failed poll until the next good answer. */
  stale: boolean;
  /** When the hub last answered a poll (epoch ms), if ever. */
  lastGood?: number;
  /** The failure, in words. */
  error?: string;
}

let health: HubHealth = { stale: false };
const listeners = new Set<(h: HubHealth) => void>();

function set(next: HubHealth): void {
  if (next.stale === health.stale && next.lastGood === health.lastGood && next.error === health.error) return;
  health = next;
  for (const l of listeners) l(health);
}

/** Does this error mean the hub is not answering (as opposed to answering "no")? */
export function isOutage(err: unknown): boolean {
  return err instanceof HubUnreachableError || (err instanceof HubProblemError && err.problem.status >= 500);
}

/**
 * A poll got an answer. `lastGood` moves at most once a second, so a page of polls does not
 * re-render the banner on every answer.
 */
export function reportAnswer(now = Date.now()): void {
  if (!health.stale && health.lastGood !== undefined && now - health.lastGood < 1000) return;
  set({ stale: false, lastGood: now });
}

/** A poll failed: an outage makes everything stale; a refusal (404, 403) is still an answer. */
export function reportFailure(err: unknown, message: string): void {
  if (isOutage(err)) set({ stale: true, lastGood: health.lastGood, error: message });
  else reportAnswer();
}

/** Forgets the state (sign-out). */
export function resetHubHealth(): void {
  set({ stale: false });
}

/** The hub's health, re-rendering when it changes. */
export function useHubHealth(): HubHealth {
  const [h, setH] = useState(health);
  useEffect(() => {
    listeners.add(setH);
    setH(health);
    return () => void listeners.delete(setH);
  }, []);
  return h;
}

/**
 * True while actions must be disabled (the data on screen may be out of date). Re-renders only
 * when that flips, not on every answer: an idle view must not re-render per poll.
 */
export function useStale(): boolean {
  const [stale, setStale] = useState(health.stale);
  useEffect(() => {
    const listener = (h: HubHealth) => setStale(h.stale);
    listeners.add(listener);
    setStale(health.stale);
    return () => void listeners.delete(listener);
  }, []);
  return stale;
}
