import {
  MAX_SYNC_OBJECTS_PER_SOURCE,
  MAX_SYNC_REPORT_BYTES,
  MAX_SYNC_REPORT_OBJECTS,
  syncDigest,
  syncKeyString,
  type DesiredSyncSource,
  type SyncReport,
  type SyncReportResponse,
} from '../../shared/protocol/sync.js';
import { CredentialRejectedError } from '../errors.js';
import type { ClusterApi } from '../kube/cluster-api.js';
import { KubeInvalidError, KubeUnknownKindError } from '../kube/errors.js';
import type { KubeObject } from '../kube/types.js';
import type { AgentLog } from '../log.js';
import { apiVersionOf, flattenMatch, listQueries, selectObjects, type SourceObject } from './select.js';
import type { SyncState } from './sync-store.js';

/**
 * The source side of resource sync: for each rule this cluster is a source of, list the matching
 * objects (narrowed on the server, filtered here), hash them, and compare the digest of the set with
 * the hub's. Equal: nothing is sent. Otherwise one POST /agent/v1/sync carries the whole inventory
 * (keys and hashes) and the objects known to have changed since the hub last accepted them; the hub
 * answers what it still needs, which goes in further reports, in batches. After a restart the agent
 * knows nothing of what the hub holds, so its first report is the inventory alone and the hub's
 * `need` says what to send. Objects the hub refuses are not sent again until they change.
 */

/** How the source reaches the hub. */
export type SyncReportSender = (report: SyncReport) => Promise<SyncReportResponse>;

/** Options of {@link SyncSource}. */
export interface SyncSourceOptions {
  api: ClusterApi;
  log: AgentLog;
  now: () => number;
  /** How often a source rule is listed again when nothing else asks for it. */
  resyncMs: number;
  /** First retry of a Blocked rule (doubling up to `resyncMs * 20`). Default 15 s. */
  blockedRetryMs?: number;
}

/** The outcome of a source pass, for tests and metrics. */
export interface SourcePass {
  /** Rules listed in this pass. */
  listed: number;
  /** POST /agent/v1/sync calls made. */
  reports: number;
  /** Objects sent. */
  objectsSent: number;
}

interface RuleMemory {
  uid: string;
  /** Key -> hash the hub holds, as far as this process knows; undefined until the first exchange. */
  accepted?: Map<string, string>;
  /** Key -> hash the hub refused. */
  rejected: Map<string, string>;
  /** Local and hub digests after the last exchange: both unchanged means nothing new to say. */
  lastLocalDigest?: string;
  lastHubDigest?: string;
  nextAt: number;
  blockedAttempts: number;
}

/** Lists and reports the objects of source rules. One per agent. */
export class SyncSource {
  private readonly memory = new Map<string, RuleMemory>();

  constructor(private readonly options: SyncSourceOptions) {}

  /**
   * One pass over the source rules: each rule that is due (or every rule with `force`, after the
   * desired state changed) is listed and, when it differs from what the hub holds, reported.
   * Never throws but for a rejected credential; a failure is logged and the rule retried next pass.
   */
  async run(
    sources: readonly DesiredSyncSource[],
    ctx: { clusterId: string; state: SyncState; send: SyncReportSender; force: boolean },
  ): Promise<SourcePass> {
    const pass: SourcePass = { listed: 0, reports: 0, objectsSent: 0 };
    const names = new Set(sources.map((s) => s.rule));
    for (const rule of [...this.memory.keys()]) if (!names.has(rule)) this.memory.delete(rule);
    for (const rule of Object.keys(ctx.state.blockedSources)) if (!names.has(rule)) delete ctx.state.blockedSources[rule];
    const now = this.options.now();
    for (const src of sources) {
      let mem = this.memory.get(src.rule);
      if (!mem || mem.uid !== src.uid) {
        mem = { uid: src.uid, rejected: new Map(), nextAt: 0, blockedAttempts: 0 };
        this.memory.set(src.rule, mem);
      }
      if (!ctx.force && now < mem.nextAt) continue;
      pass.listed++;
      try {
        await this.runRule(src, mem, ctx, pass);
      } catch (err) {
        if (err instanceof CredentialRejectedError) throw err;
        mem.nextAt = 0; // next pass
        this.options.log.warn('resource sync: cannot report a source rule; will retry', { rule: src.rule, error: err });
      }
    }
    return pass;
  }

  private async runRule(
    src: DesiredSyncSource,
    mem: RuleMemory,
    ctx: { clusterId: string; state: SyncState; send: SyncReportSender },
    pass: SourcePass,
  ): Promise<void> {
    const listed = await this.list(src, ctx.clusterId);
    const now = this.options.now();
    if ('blocked' in listed) {
      mem.nextAt = now + Math.min(this.blockedRetryMs() * 2 ** Math.min(mem.blockedAttempts, 10), this.options.resyncMs * 20);
      mem.blockedAttempts++;
      if (ctx.state.blockedSources[src.rule] === listed.blocked) return;
      pass.reports++;
      const res = await ctx.send({
        rule: src.rule,
        uid: src.uid,
        generation: src.generation,
        state: 'Blocked',
        reason: listed.blocked,
        inventory: [],
        objects: [],
      });
      ctx.state.blockedSources[src.rule] = listed.blocked;
      mem.accepted = new Map();
      mem.lastLocalDigest = '';
      mem.lastHubDigest = res.digest;
      this.options.log.warn('resource sync: source rule blocked', { rule: src.rule, reason: listed.blocked });
      return;
    }
    mem.nextAt = now + this.options.resyncMs;
    mem.blockedAttempts = 0;
    const objects = listed.objects;
    const digest = syncDigest(objects);
    const wasBlocked = ctx.state.blockedSources[src.rule] !== undefined;
    if (!wasBlocked && digest === src.digest) {
      mem.accepted = new Map(objects.map((o) => [syncKeyString(o), o.hash]));
      mem.rejected.clear();
      mem.lastLocalDigest = digest;
      mem.lastHubDigest = digest;
      return;
    }
    // What the hub answered last time still holds (objects it refused): nothing new to say.
    if (!wasBlocked && mem.lastLocalDigest === digest && mem.lastHubDigest === src.digest) return;
    await this.exchange(src, mem, objects, digest, ctx, pass);
    delete ctx.state.blockedSources[src.rule];
  }

  /** The objects the rule selects, or why the kind cannot be listed. */
  private async list(src: DesiredSyncSource, clusterId: string): Promise<{ objects: SourceObject[] } | { blocked: string }> {
    const apiVersion = apiVersionOf(src.resource);
    const { api } = this.options;
    const info = await api.discover(apiVersion, src.resource.kind);
    const unserved = `the cluster does not serve kind ${src.resource.kind} in apiVersion ${apiVersion}`;
    if (!info) return { blocked: unserved };
    const match = flattenMatch(src.match);
    const pages: KubeObject[][] = [];
    try {
      for (const q of listQueries(apiVersion, src.resource.kind, info.namespaced, match)) pages.push(await api.list(q));
    } catch (err) {
      if (err instanceof KubeUnknownKindError) return { blocked: unserved };
      if (err instanceof KubeInvalidError) return { blocked: `the API server refused the list: ${err.message}`.slice(0, 1024) };
      throw err;
    }
    const objects = selectObjects(pages, match, clusterId, src.withStatus);
    // The hub takes at most this many from one source: a rule matching more is a rule to narrow.
    if (objects.length > MAX_SYNC_OBJECTS_PER_SOURCE)
      return {
        blocked: `${objects.length} objects match; one source may sync at most ${MAX_SYNC_OBJECTS_PER_SOURCE} per rule: narrow the rule`,
      };
    return { objects };
  }

  /** Reports until the hub needs nothing more this process can give it. */
  private async exchange(
    src: DesiredSyncSource,
    mem: RuleMemory,
    objects: SourceObject[],
    digest: string,
    ctx: { send: SyncReportSender },
    pass: SourcePass,
  ): Promise<void> {
    const byKey = new Map(objects.map((o) => [syncKeyString(o), o]));
    const inventory = objects.map((o) => ({ namespace: o.namespace, name: o.name, hash: o.hash }));
    const inventoryBytes = Buffer.byteLength(JSON.stringify(inventory));
    const refused = (o: SourceObject) => mem.rejected.get(syncKeyString(o)) === o.hash;
    // The hub holds nothing: everything is new. Known state: what changed since. Unknown (restart): ask.
    let queue: SourceObject[];
    if (src.digest === '') queue = objects.filter((o) => !refused(o));
    else if (mem.accepted) queue = objects.filter((o) => mem.accepted!.get(syncKeyString(o)) !== o.hash && !refused(o));
    else queue = [];
    const sent = new Set<string>();
    let res: SyncReportResponse;
    for (;;) {
      const batch = takeBatch(queue, inventoryBytes);
      queue = queue.slice(batch.length);
      for (const o of batch) sent.add(syncKeyString(o));
      pass.reports++;
      pass.objectsSent += batch.length;
      res = await ctx.send({
        rule: src.rule,
        uid: src.uid,
        generation: src.generation,
        state: 'Ok',
        inventory,
        objects: batch.map((o) => ({ resourceVersion: o.resourceVersion, hash: o.hash, object: o.object })),
      });
      for (const r of res.rejected) {
        const o = byKey.get(syncKeyString(r));
        if (o) mem.rejected.set(syncKeyString(o), o.hash);
        this.options.log.warn('resource sync: the hub refused an object', { rule: src.rule, object: syncKeyString(r), reason: r.reason });
      }
      // Sent once per pass at most: what the hub still needs after that waits for the next pass.
      const needed = res.need
        .map((k) => byKey.get(syncKeyString(k)))
        .filter((o): o is SourceObject => o !== undefined && !refused(o) && !sent.has(syncKeyString(o)));
      const queued = new Set(queue.map((o) => syncKeyString(o)));
      queue = [...queue, ...needed.filter((o) => !queued.has(syncKeyString(o)))];
      if (queue.length === 0) break;
    }
    const stillNeeded = new Set(res.need.map((k) => syncKeyString(k)));
    mem.accepted = new Map(objects.filter((o) => !stillNeeded.has(syncKeyString(o)) && !refused(o)).map((o) => [syncKeyString(o), o.hash]));
    for (const key of [...mem.rejected.keys()]) if (!byKey.has(key)) mem.rejected.delete(key);
    mem.lastLocalDigest = digest;
    mem.lastHubDigest = res.digest;
  }

  private blockedRetryMs(): number {
    return this.options.blockedRetryMs ?? 15_000;
  }
}

/** The next objects that fit in one report beside the inventory (at least one, so none is stuck). */
function takeBatch(queue: readonly SourceObject[], inventoryBytes: number): SourceObject[] {
  const batch: SourceObject[] = [];
  let bytes = inventoryBytes + 512;
  for (const o of queue) {
    if (batch.length >= MAX_SYNC_REPORT_OBJECTS) break;
    const size = Buffer.byteLength(JSON.stringify(o.object)) + 256;
    if (batch.length > 0 && bytes + size > MAX_SYNC_REPORT_BYTES) break;
    batch.push(o);
    bytes += size;
  }
  return batch;
}
