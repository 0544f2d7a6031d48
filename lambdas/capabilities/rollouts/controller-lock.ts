import { AlreadyExistsError, ConflictError, NotFoundError } from '../../../shared/errors.js';
import { API_VERSION, type Resource } from '../../../shared/resources/meta.js';
import { isoNow } from '../../ports/clock.js';
import type { HubContext } from '../../core/context.js';

/**
 * One controller run per FleetDeployment at a time. The controller is the only writer of its
 * tracking relation and plans waves from it, so two concurrent runs could hand out the same slots
 * twice. A tiny item of the internal kind `FleetDeploymentLease` (one conditional write to take,
 * one to give back) serialises them; a run that crashed loses it after {@link LEASE_TTL_MS}.
 *
 * The item also remembers when the last run started, which lets a queued "something changed"
 * message be dropped when a run that started after it has finished (and so has seen the change).
 * A run that died holding the lease has not: its messages come back (SQS redelivers them) and run
 * once the lease has expired.
 */

export const LEASE_KIND = 'FleetDeploymentLease';
/** How long a run may hold the lease before another may take it over. */
export const LEASE_TTL_MS = 120_000;

interface LeaseSpec {
  holder: string;
  /** Epoch ms until which the lease is held; 0 when free. */
  until: number;
  /** Epoch ms at which the last run started. */
  startedAt: number;
}

/** A taken lease; give it back with {@link releaseLease}. */
export interface HeldLease {
  name: string;
  holder: string;
  startedAt: number;
  resource: Resource;
}

export type LeaseAnswer = { held: HeldLease } | { busy: true } | { fresh: true };

/**
 * Takes the lease of a FleetDeployment's controller.
 * @param notBefore when set, answers `fresh` if a run started at or after this time (it saw the change).
 */
export async function acquireLease(ctx: HubContext, name: string, notBefore?: number): Promise<LeaseAnswer> {
  const key = { kind: LEASE_KIND, name };
  for (let attempt = 0; attempt < 5; attempt++) {
    const now = ctx.ports.clock.now();
    const holder = ctx.ports.ids.uid();
    const spec: LeaseSpec = { holder, until: now + LEASE_TTL_MS, startedAt: now };
    const current = await ctx.ports.resources.get(key, { consistent: true });
    try {
      if (!current) {
        const created = await ctx.ports.resources.create({
          apiVersion: API_VERSION,
          kind: LEASE_KIND,
          metadata: { name, uid: holder, resourceVersion: '0', generation: 1, creationTimestamp: isoNow(ctx.ports.clock) },
          spec,
        });
        return { held: { name, holder, startedAt: now, resource: created } };
      }
      const held = current.spec as LeaseSpec;
      // A run in progress may still die before it acts on the change: ask again later (busy),
      // rather than dropping the message because that run started after it.
      if (held.until > now) return { busy: true };
      // Only a run that gave the lease back (until 0) finished; one whose lease merely expired died
      // (a crash, a timeout) and saw nothing that counts, so its start time does not make this fresh.
      if (notBefore !== undefined && held.startedAt >= notBefore && held.until === 0) return { fresh: true };
      const written = await ctx.ports.resources.replace({ ...current, spec }, current.metadata.resourceVersion);
      return { held: { name, holder, startedAt: now, resource: written } };
    } catch (err) {
      if (!(err instanceof ConflictError || err instanceof AlreadyExistsError)) throw err;
    }
  }
  return { busy: true };
}

/** Gives the lease back (a conflict means it was taken over after expiry: nothing to do). */
export async function releaseLease(ctx: HubContext, lease: HeldLease): Promise<void> {
  const spec = { ...(lease.resource.spec as LeaseSpec), until: 0 };
  try {
    await ctx.ports.resources.replace({ ...lease.resource, spec }, lease.resource.metadata.resourceVersion);
  } catch (err) {
    if (!(err instanceof ConflictError)) throw err;
  }
}

/** Removes the lease item of a deleted FleetDeployment. */
export async function deleteLease(ctx: HubContext, name: string): Promise<void> {
  try {
    await ctx.ports.resources.delete({ kind: LEASE_KIND, name });
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
}
