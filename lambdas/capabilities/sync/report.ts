import { ForbiddenError, ValidationError, type FieldError } from '../../../shared/errors.js';
import {
  MAX_SYNC_OBJECT_BYTES,
  ORIGIN_CLUSTER_ANNOTATION,
  syncDigest,
  syncObjectHash,
  type SyncReport,
  type SyncReportResponse,
} from '../../../shared/protocol/sync.js';
import { syncRuleKind } from '../../../shared/resources/sync-rule.js';
import { firstMatchingEntry, type MatchableObject } from '../../../shared/sync-match.js';
import { pMap } from '../../../shared/concurrency.js';
import { isoNow } from '../../ports/clock.js';
import type { HubContext } from '../../core/context.js';
import { readResource } from '../../core/typed-resources.js';
import { bumpClusterRevision } from '../works/works.js';
import {
  inventoryData,
  inventoryOf,
  objectKeyName,
  parseObjectKeyName,
  readInventory,
  sourceRulesOf,
  SYNC_INVENTORY,
  type InventoryEntry,
} from './relations.js';
import { sealContext, sealObject } from './sealing.js';
import { queueBumpDestinations } from './source-objects.js';
import { deleteItem, putItem, sameSpec, SYNC_OBJECT_KIND, SYNC_SOURCE_KIND, type SyncObjectSpec, type SyncSourceSpec } from './store.js';

/**
 * A source's sync report (POST /agent/v1/sync): the hub stores each object once per (rule,
 * source, key), at the hash the inventory gives, drops what left the inventory, and answers its
 * digest, the keys it still needs and the objects it refused. Writes follow the change: one item
 * and one inventory entry per changed object, the source's state when it changed, the source's
 * revision only when its digest changed (so its next poll carries the digest it will compare),
 * and the destinations' revisions (queued, in batches) only when an object they receive changed.
 * A `Blocked` report (the kind is not served) records the reason and keeps what is stored: the
 * copies stay until the source can list again.
 */

/** Most refusal reasons kept on the source's state. */
const MAX_REASONS = 5;

function refusal(
  rule: { spec: { resource: { group: string; version: string; kind: string }; rules: { match: unknown[] }[] } },
  object: Record<string, unknown>,
  withStatus: boolean,
  declaredHash: string,
  inventoryHash: string,
): string | undefined {
  const bytes = Buffer.byteLength(JSON.stringify(object), 'utf8');
  if (bytes > MAX_SYNC_OBJECT_BYTES) return `object is ${bytes} bytes, over the limit of ${MAX_SYNC_OBJECT_BYTES} bytes`;
  const { group, version, kind } = rule.spec.resource;
  const apiVersion = group ? `${group}/${version}` : version;
  if (object.apiVersion !== apiVersion || object.kind !== kind) {
    return `object is ${String(object.apiVersion)} ${String(object.kind)}, the rule syncs ${apiVersion} ${kind}`;
  }
  const annotations = (object.metadata as MatchableObject['metadata'])?.annotations ?? {};
  if (annotations[ORIGIN_CLUSTER_ANNOTATION] !== undefined) {
    return `object is a copy written by sync (origin ${annotations[ORIGIN_CLUSTER_ANNOTATION]}); copies are never synced again`;
  }
  if (firstMatchingEntry(rule.spec.rules as never, object as MatchableObject) === undefined) return 'object does not match the rule';
  if (declaredHash !== inventoryHash || syncObjectHash(object, withStatus) !== inventoryHash) {
    return 'object hash does not match its content or its inventory entry';
  }
  return undefined;
}

/** Handles one report from the agent of `cluster` (authenticated by the route). */
export async function ingestSyncReport(ctx: HubContext, cluster: string, report: SyncReport): Promise<SyncReportResponse> {
  const name = report.rule;
  const rule = await readResource(ctx, syncRuleKind, { name }, { consistent: true });
  const ignored = (why: string): SyncReportResponse => ({ digest: '', need: [], rejected: [], ignored: why });
  if (!rule || rule.metadata.deletionTimestamp) return ignored(`SyncRule "${name}" does not exist (any more)`);
  if (rule.metadata.uid !== report.uid) {
    return ignored(
      `SyncRule "${name}" was recreated (uid ${rule.metadata.uid}, the report is for ${report.uid}); report again from the next desired state`,
    );
  }
  if (!(await sourceRulesOf(ctx, cluster)).includes(name)) {
    throw new ForbiddenError(
      `cluster "${cluster}" is not a source of SyncRule "${name}"; it may report only the rules its desired state lists as sources`,
    );
  }
  if (rule.spec.suspend) return ignored(`SyncRule "${name}" is suspended`);

  const seen = new Set<string>();
  const errors: FieldError[] = [];
  report.inventory.forEach((e, i) => {
    const k = objectKeyName(e);
    if (seen.has(k)) errors.push({ path: `inventory.${i}`, message: `duplicate key ${k}` });
    seen.add(k);
  });
  const inventory = new Map(report.inventory.map((e) => [objectKeyName(e), e.hash]));
  const keyed = report.objects.map((o, i) => {
    const meta = (o.object.metadata ?? {}) as { name?: unknown; namespace?: unknown };
    const key =
      typeof meta.name === 'string' && meta.name
        ? objectKeyName({ namespace: typeof meta.namespace === 'string' ? meta.namespace : '', name: meta.name })
        : undefined;
    if (!key) errors.push({ path: `objects.${i}.object.metadata.name`, message: 'an object needs metadata.name' });
    else if (!inventory.has(key)) errors.push({ path: `objects.${i}`, message: `object ${key} is not in the inventory` });
    return { key: key ?? '', o };
  });
  if (errors.length) throw new ValidationError(`sync report is invalid: ${errors[0].path}: ${errors[0].message}`, errors);

  const sourceKey = { namespace: name, name: cluster };
  const previous = (await ctx.ports.resources.get({ kind: SYNC_SOURCE_KIND, ...sourceKey }, { consistent: true })) as
    { spec: SyncSourceSpec; metadata: { resourceVersion: string } } | undefined;
  const prevSpec = previous?.spec.ruleUid === rule.metadata.uid ? previous.spec : undefined;
  const now = ctx.ports.clock.now();
  const from = inventoryOf(name, cluster);
  const stored = new Map((await readInventory(ctx, name, cluster)).map((e) => [e.key, e]));

  if (report.state === 'Blocked') {
    const spec: SyncSourceSpec = {
      ...(prevSpec ?? { ruleUid: rule.metadata.uid, digest: '', objects: 0, refused: 0 }),
      ruleUid: rule.metadata.uid,
      state: 'Blocked',
      reason: report.reason ?? 'the source cannot list the kind',
      lastReported: isoNow(ctx.ports.clock),
    };
    if (!sameSpec(prevSpec, spec)) await putItem(ctx, SYNC_SOURCE_KIND, name, cluster, spec);
    return { digest: spec.digest, need: [], rejected: [] };
  }

  const withStatus = rule.spec.rules.some((r) => r.mutations?.syncStatus);
  const written: InventoryEntry[] = [];
  const rejected: SyncReportResponse['rejected'] = [];
  let deliverableChanged = false;
  await pMap(
    keyed,
    async ({ key, o }) => {
      const hash = inventory.get(key)!;
      const before = stored.get(key);
      const why = refusal(rule, o.object, withStatus, o.hash, hash);
      const firstSeen = before?.firstSeen || now;
      if (why) {
        rejected.push({ ...parseObjectKeyName(key), reason: why });
        if (before?.hash === hash && before.refused === why) return;
        if (before && !before.refused) {
          await deleteItem(ctx, SYNC_OBJECT_KIND, from, key);
          deliverableChanged = true;
        }
        written.push({ key, hash, firstSeen, refused: why });
        return;
      }
      if (before?.hash === hash && !before.refused) return;
      const { object, sealed } = await sealObject(ctx, o.object, sealContext(name, cluster, key, String(o.object.kind)));
      const spec: SyncObjectSpec = {
        ruleUid: rule.metadata.uid,
        hash,
        sourceResourceVersion: o.resourceVersion,
        object,
        ...(sealed ? { sealed } : {}),
      };
      await putItem(ctx, SYNC_OBJECT_KIND, from, key, spec);
      written.push({ key, hash, firstSeen });
      deliverableChanged = true;
    },
    { concurrency: 16 },
  );
  const removed = [...stored.values()].filter((e) => !inventory.has(e.key));
  await pMap(removed, (e) => deleteItem(ctx, SYNC_OBJECT_KIND, from, e.key), { concurrency: 16 });
  if (removed.some((e) => !e.refused)) deliverableChanged = true;
  await ctx.ports.relations.putMany(written.map((e) => ({ relation: SYNC_INVENTORY, from, to: e.key, data: inventoryData(e) })));
  await ctx.ports.relations.removeMany(removed.map((e) => ({ relation: SYNC_INVENTORY, from, to: e.key })));

  for (const e of written) stored.set(e.key, e);
  for (const e of removed) stored.delete(e.key);
  const held = [...stored.values()];
  const digest = syncDigest(held.map((e) => ({ ...parseObjectKeyName(e.key), hash: e.hash })));
  const need = [...inventory.entries()].filter(([k, h]) => stored.get(k)?.hash !== h).map(([k]) => parseObjectKeyName(k));
  const refusedNow = held.filter((e) => e.refused);
  const spec: SyncSourceSpec = {
    ruleUid: rule.metadata.uid,
    digest,
    state: 'Ok',
    objects: inventory.size,
    refused: refusedNow.length,
    ...(refusedNow.length ? { reasons: refusedNow.slice(0, MAX_REASONS).map((e) => `${e.key.replace(/^\//, '')}: ${e.refused}`) } : {}),
    lastReported: isoNow(ctx.ports.clock),
  };
  // The source state (its digest) is written last: it is what a retry compares against. A report
  // that died after storing objects but before telling the destinations (or the source) is sent
  // again by the agent (its digest still differs), and then finds the digest still unrecorded and
  // does the telling, even though every object it carries is already stored.
  const digestChanged = digest !== (prevSpec?.digest ?? '');
  if (deliverableChanged || digestChanged) await queueBumpDestinations(ctx, name, cluster);
  if (digestChanged) await bumpClusterRevision(ctx, cluster);
  if (!sameSpec(prevSpec, spec)) await putItem(ctx, SYNC_SOURCE_KIND, name, cluster, spec);
  return { digest, need, rejected };
}
