import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { describeError, type Fetched } from './api.js';
import { reportAnswer, reportFailure } from './hub-health.js';

/**
 * Live data by polling. A view polls only while it is shown and the tab is visible; an answer
 * that did not change (304, or the same body) causes no render. That keeps an idle console at one
 * small request per view every few seconds, and at nothing at all in a background tab.
 */

/** Default poll period for lists and objects. */
export const POLL_MS = 5000;

/** What {@link usePoll} gives a view. */
export interface Polled<T> {
  value?: T;
  /** The last failure, as the hub's problem detail; cleared by the next success. */
  error?: string;
  /** The error object itself (to tell a 404 from other failures). */
  cause?: unknown;
  /** Loads now (after an action), then keeps the normal period. */
  refresh: () => Promise<void>;
}

/**
 * The period for a view that makes `requests` requests per refresh: `base` for one or fewer, and
 * `base` more for each further one, so that a big fleet still costs about one request per `base`.
 */
export function scaledInterval(requests: number, base = POLL_MS): number {
  return base * Math.max(1, Math.ceil(requests));
}

/**
 * Polls `load` every `interval` ms while `key` is set and the document is visible. `interval` may
 * be a function of the last value (a longer period for a bigger fleet).
 * A new `key` starts over (and shows no stale value from the previous key).
 */
export function usePoll<T>(
  key: string | null,
  load: () => Promise<Fetched<T>>,
  interval: number | ((value: T | undefined) => number) = POLL_MS,
): Polled<T> {
  const [value, setValue] = useState<T | undefined>(undefined);
  const [failure, setFailure] = useState<{ message: string; cause: unknown } | undefined>(undefined);
  const loadRef = useRef(load);
  loadRef.current = load;
  const intervalRef = useRef(interval);
  intervalRef.current = interval;
  const valueRef = useRef<T | undefined>(undefined);
  const state = useRef({ timer: 0 as ReturnType<typeof setTimeout> | 0, running: false, again: false, hasValue: false, generation: 0 });

  const tick = useCallback(async () => {
    const s = state.current;
    if (s.timer) clearTimeout(s.timer);
    s.timer = 0;
    if (key === null) return;
    if (s.running) {
      // A refresh during a load: the answer in flight may predate the action, so load once more.
      s.again = true;
      return;
    }
    const generation = s.generation;
    s.running = true;
    try {
      const result = await loadRef.current();
      if (generation !== s.generation) return;
      reportAnswer();
      if (result.changed || !s.hasValue) {
        s.hasValue = true;
        valueRef.current = result.value;
        setValue(() => result.value);
      }
      setFailure((prev) => (prev ? undefined : prev));
    } catch (err) {
      if (generation !== s.generation) return;
      const message = describeError(err);
      reportFailure(err, message);
      setFailure((prev) => (prev?.message === message ? prev : { message, cause: err }));
    } finally {
      if (generation === s.generation) {
        s.running = false;
        const again = s.again;
        s.again = false;
        const period = typeof intervalRef.current === 'function' ? intervalRef.current(valueRef.current) : intervalRef.current;
        if (!document.hidden) s.timer = setTimeout(() => void tick(), again ? 0 : period);
      }
    }
  }, [key]);

  useEffect(() => {
    const s = state.current;
    s.generation++;
    s.hasValue = false;
    s.running = false;
    s.again = false;
    valueRef.current = undefined;
    setValue(undefined);
    setFailure(undefined);
    void tick();
    const onVisibility = () => {
      if (document.hidden) {
        if (s.timer) clearTimeout(s.timer);
        s.timer = 0;
      } else {
        void tick();
      }
    };
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      s.generation++;
      if (s.timer) clearTimeout(s.timer);
      s.timer = 0;
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [tick]);

  return { value, error: failure?.message, cause: failure?.cause, refresh: tick };
}

/** The current time, refreshed every `intervalMs` (for "last seen 3 minutes ago"). */
export function useNow(intervalMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => {
      if (!document.hidden) setNow(Date.now());
    }, intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
