import type { HubContext } from '../../lambdas/core/context.js';

/** Controls a simulated crash: see {@link crashAfterWrite}. */
export interface Crash {
  /** The next stored write "kills the process": every port write or send after it throws. */
  arm(): void;
  /** The process "restarts": ports work again. */
  disarm(): void;
  /** Did the armed crash happen? */
  crashed(): boolean;
}

/**
 * Fault injection between a write and the work that follows it: once armed, the first stored
 * write (of a resource only, or of anything: a resource, a relation, a cluster head) succeeds, and
 * every port write or queue send after it throws, as if the process had died right there.
 */
export function crashAfterWrite(ctx: HubContext, trigger: 'resource' | 'any'): Crash {
  let armed = false;
  let dead = false;
  const ports = ctx.ports as unknown as Record<string, Record<string, unknown>>;
  const wrap = (port: string, method: string, isTrigger: boolean) => {
    const target = ports[port];
    if (typeof target?.[method] !== 'function') return;
    const original = target[method] as (...args: unknown[]) => Promise<unknown>;
    target[method] = async (...args: unknown[]) => {
      if (dead) throw new Error(`simulated crash: ${port}.${method} never ran`);
      const out = await original.apply(target, args);
      if (armed && isTrigger) dead = true;
      return out;
    };
  };
  for (const m of ['create', 'replace', 'delete']) wrap('resources', m, true);
  for (const m of ['put', 'remove', 'putMany', 'removeMany']) wrap('relations', m, trigger === 'any');
  for (const m of ['create', 'put', 'bumpRevision', 'renewLease', 'delete']) wrap('heads', m, trigger === 'any');
  wrap('queue', 'send', false);
  return {
    arm: () => {
      armed = true;
      dead = false;
    },
    disarm: () => {
      armed = false;
      dead = false;
    },
    crashed: () => dead,
  };
}
