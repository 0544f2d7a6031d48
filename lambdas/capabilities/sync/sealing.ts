import type { HubContext } from '../../core/context.js';
import type { SealContext, Sealed } from '../../ports/envelope.js';

/**
 * Which parts of a synced object are sealed before they are stored: the `data` and `stringData`
 * of any object of kind Secret (whatever its group). Other kinds are stored as they are: put
 * credentials in Secrets. The seal's context is the object's identity on the hub (rule, source,
 * kind, namespace/name), so a sealed value copied onto another object does not open.
 */

/** Fields sealed in a Secret. */
export const SEALED_FIELDS = ['data', 'stringData'] as const;

/** Whether an object of this kind has sealed fields. */
export function isSealedKind(kind: unknown): boolean {
  return kind === 'Secret';
}

/** The seal context of one stored object. */
export function sealContext(rule: string, source: string, key: string, kind: string): SealContext {
  return { purpose: 'tether-sync', rule, source, kind, object: key };
}

/** Splits an object into what is stored in clear and the sealed JSON of its secret fields (if any). */
export async function sealObject(
  ctx: HubContext,
  object: Record<string, unknown>,
  context: SealContext,
): Promise<{ object: Record<string, unknown>; sealed?: Sealed }> {
  if (!isSealedKind(object.kind)) return { object };
  const clear = { ...object };
  const secret: Record<string, unknown> = {};
  for (const f of SEALED_FIELDS) {
    if (f in clear) {
      secret[f] = clear[f];
      delete clear[f];
    }
  }
  if (!Object.keys(secret).length) return { object: clear };
  const sealed = await ctx.ports.envelope.seal(Buffer.from(JSON.stringify(secret), 'utf8'), context);
  return { object: clear, sealed };
}

/** The whole object again: the clear part with its sealed fields opened. */
export async function openObject(
  ctx: HubContext,
  stored: { object: Record<string, unknown>; sealed?: Sealed },
  context: SealContext,
): Promise<Record<string, unknown>> {
  if (!stored.sealed) return stored.object;
  const secret = JSON.parse((await ctx.ports.envelope.open(stored.sealed, context)).toString('utf8')) as Record<string, unknown>;
  return { ...stored.object, ...secret };
}
