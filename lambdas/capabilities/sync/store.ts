import { canonicalJson } from '../../../shared/hash.js';
import { AlreadyExistsError, ConflictError, NotFoundError } from '../../../shared/errors.js';
import { API_VERSION, type Resource } from '../../../shared/resources/meta.js';
import type { SyncDestinationReport } from '../../../shared/protocol/sync.js';
import { isoNow } from '../../ports/clock.js';
import type { Sealed } from '../../ports/envelope.js';
import type { HubContext } from '../../core/context.js';

/**
 * The items resource sync stores besides its relations (internal kinds: no route serves them):
 *
 * | kind | namespace | name | what |
 * |---|---|---|---|
 * | {@link SYNC_OBJECT_KIND} | `rule/source` | `namespace/name` | one synced object, once, Secret data sealed |
 * | {@link SYNC_SOURCE_KIND} | rule | source cluster | the source's last report: digest, state, reason, counts |
 * | {@link SYNC_DESTINATION_KIND} | rule | destination cluster | the destination's last status for the rule |
 */

export const SYNC_OBJECT_KIND = 'SyncObject';
export const SYNC_SOURCE_KIND = 'SyncSourceState';
export const SYNC_DESTINATION_KIND = 'SyncDestinationState';

/** One stored object: `object` without its sealed fields, which are in `sealed`. */
export interface SyncObjectSpec {
  ruleUid: string;
  hash: string;
  sourceResourceVersion: string;
  object: Record<string, unknown>;
  /** The sealed JSON of the fields kept secret (`{data, stringData}` of a Secret). */
  sealed?: Sealed;
}
export type SyncObjectItem = Resource<SyncObjectSpec>;

/** What the hub keeps of a source's reports under one rule. */
export interface SyncSourceSpec {
  ruleUid: string;
  /** {@link syncDigest} of the inventory the hub holds ('' when empty). */
  digest: string;
  state: 'Ok' | 'Blocked';
  reason?: string;
  /** Objects in the inventory, and how many of them the hub refused. */
  objects: number;
  refused: number;
  /** First refusals, `<namespace/name>: <why>`. */
  reasons?: string[];
  lastReported: string;
}
export type SyncSourceItem = Resource<SyncSourceSpec>;

/** A destination's last status for one rule. */
export type SyncDestinationSpec = Omit<SyncDestinationReport, 'rule'> & { lastReported: string };
export type SyncDestinationItem = Resource<SyncDestinationSpec>;

function newItem<S>(ctx: HubContext, kind: string, namespace: string, name: string, spec: S): Resource<S> {
  return {
    apiVersion: API_VERSION,
    kind,
    metadata: {
      name,
      namespace,
      uid: ctx.ports.ids.uid(),
      resourceVersion: '0',
      generation: 1,
      creationTimestamp: isoNow(ctx.ports.clock),
    },
    spec,
  } as Resource<S>;
}

/**
 * Writes an item's spec: create when absent, replace otherwise. Last writer wins (every writer of
 * these items holds the whole truth it writes: one report, one status), so a lost race is retried
 * once against the version that won.
 */
export async function putItem<S>(ctx: HubContext, kind: string, namespace: string, name: string, spec: S, existing?: Resource<S>) {
  for (let attempt = 0; ; attempt++) {
    const current =
      attempt === 0 && existing !== undefined
        ? existing
        : ((await ctx.ports.resources.get({ kind, namespace, name }, { consistent: true })) as Resource<S> | undefined);
    try {
      if (!current) await ctx.ports.resources.create(newItem(ctx, kind, namespace, name, spec));
      else await ctx.ports.resources.replace({ ...current, spec }, current.metadata.resourceVersion);
      return;
    } catch (err) {
      if (attempt >= 2 || !(err instanceof AlreadyExistsError || err instanceof ConflictError)) throw err;
    }
  }
}

/** Deletes an item; a missing one is fine (steps repeat). */
export async function deleteItem(ctx: HubContext, kind: string, namespace: string, name: string): Promise<void> {
  await ctx.ports.resources.delete({ kind, namespace, name }).catch((err) => {
    if (!(err instanceof NotFoundError)) throw err;
  });
}

/** Every item of one kind in one namespace. */
export async function listItems<S>(ctx: HubContext, kind: string, namespace: string, consistent = false): Promise<Resource<S>[]> {
  const out: Resource<S>[] = [];
  let cursor: string | undefined;
  do {
    const page = await ctx.ports.resources.list(kind, { namespace, limit: 500, cursor, consistent });
    out.push(...(page.items as Resource<S>[]));
    cursor = page.cursor;
  } while (cursor);
  return out;
}

/** Whether two specs say the same, ignoring the fields named (timestamps). */
export function sameSpec(a: unknown, b: unknown, ignore: readonly string[] = ['lastReported']): boolean {
  const strip = (v: unknown) => {
    if (!v || typeof v !== 'object') return v;
    const copy = { ...(v as Record<string, unknown>) };
    for (const k of ignore) delete copy[k];
    return copy;
  };
  return canonicalJson(strip(a)) === canonicalJson(strip(b));
}
