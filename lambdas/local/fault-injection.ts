import { AsyncLocalStorage } from 'node:async_hooks';
import type { HubContext } from '../core/context.js';
import type { HttpLambda } from './http-gateway.js';

/**
 * Fault injection for crash tests of the local hub, off unless the environment sets
 * `TETHER_FAULT_INJECTION=1`. Then an admin request with the header `tether-fault: kill-after-write`
 * kills the whole process with SIGKILL right after the request's first stored resource write,
 * before any of the work that follows it (relations, head bumps, queued steps): the exact window a
 * crash-safe hub must survive. test/e2e/crash-recovery.test.ts uses it; nothing else should.
 */

/** The environment variable that allows fault injection. */
export const FAULT_INJECTION_ENV = 'TETHER_FAULT_INJECTION';
/** The request header that asks for a fault. */
export const FAULT_HEADER = 'tether-fault';

const armed = new AsyncLocalStorage<{ killAfterWrite: boolean }>();

/** Is fault injection allowed in this process? */
export function faultInjectionEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[FAULT_INJECTION_ENV] === '1';
}

/** Runs requests that ask for `kill-after-write` with the fault armed for everything they await. */
export function withFaults(handler: HttpLambda): HttpLambda {
  return (event, context) => {
    const fault = event.headers?.[FAULT_HEADER];
    if (fault === 'kill-after-write') return armed.run({ killAfterWrite: true }, () => handler(event, context));
    return handler(event, context);
  };
}

/** Makes the resource store kill the process after a stored write made for an armed request. */
export function injectFaults(ctx: HubContext): void {
  const store = ctx.ports.resources;
  const killAfter =
    <A extends unknown[], R>(write: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const out = await write(...args);
      if (armed.getStore()?.killAfterWrite) process.kill(process.pid, 'SIGKILL');
      return out;
    };
  ctx.ports.resources = Object.assign(Object.create(store) as typeof store, {
    create: killAfter(store.create.bind(store)),
    replace: killAfter(store.replace.bind(store)),
    delete: killAfter(store.delete.bind(store)),
  });
}
