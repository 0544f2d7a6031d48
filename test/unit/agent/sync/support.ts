import { MemoryCluster } from '../../../../agent/kube/memory-cluster.js';
import type { ClusterApi, ListQuery } from '../../../../agent/kube/cluster-api.js';
import type { KubeObject } from '../../../../agent/kube/types.js';
import { silentLog } from '../../../../agent/log.js';
import { canonicalHash } from '../../../../shared/hash.js';
import {
  syncDigest,
  type DesiredSyncObject,
  type DesiredSyncSource,
  type SyncReport,
  type SyncReportResponse,
} from '../../../../shared/protocol/sync.js';
import type { SyncMatch } from '../../../../shared/resources/sync-rule.js';

/** Shared pieces of the resource-sync unit tests. */

export const log = silentLog();

/** Every ClusterApi call made, as `verb kind[ detail]`, and the list queries verbatim. */
export class CallLog {
  readonly calls: string[] = [];
  readonly lists: ListQuery[] = [];
  constructor(readonly cluster: MemoryCluster) {}

  /** The cluster, with every call recorded. */
  get api(): ClusterApi {
    const c = this.cluster;
    const calls = this.calls;
    const lists = this.lists;
    return {
      apply: (o, opts) => (
        calls.push(`apply ${o.kind} ${o.metadata.namespace ?? ''}/${o.metadata.name} ${opts.fieldManager} force=${opts.force}`),
        c.apply(o, opts)
      ),
      create: (o, opts) => (calls.push(`create ${o.kind} ${o.metadata.name}`), c.create(o, opts)),
      mergePatch: (r, p, opts) => (calls.push(`mergePatch ${r.kind} ${r.name}`), c.mergePatch(r, p, opts)),
      applyStatus: (o, opts) => (calls.push(`applyStatus ${o.kind} ${o.metadata.name}`), c.applyStatus(o, opts)),
      get: (r) => (calls.push(`get ${r.kind} ${r.namespace ?? ''}/${r.name}`), c.get(r)),
      list: (q) => (calls.push(`list ${q.kind}`), lists.push(q), c.list(q)),
      delete: (r, opts) => (calls.push(`delete ${r.kind} ${r.namespace ?? ''}/${r.name}`), c.delete(r, opts)),
      discover: (a, k) => (calls.push(`discover ${k}`), c.discover(a, k)),
      isCrdEstablished: (n) => (calls.push(`isCrdEstablished ${n}`), c.isCrdEstablished(n)),
      serverVersion: () => (calls.push('serverVersion'), c.serverVersion()),
    };
  }

  clear(): void {
    this.calls.length = 0;
    this.lists.length = 0;
  }
}

export function secret(
  name: string,
  namespace: string,
  data: Record<string, string>,
  more: { labels?: Record<string, string>; annotations?: Record<string, string> } = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name,
      namespace,
      ...(more.labels ? { labels: more.labels } : {}),
      ...(more.annotations ? { annotations: more.annotations } : {}),
    },
    type: 'Opaque',
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v).toString('base64')])),
  };
}

export function configMap(
  name: string,
  namespace: string,
  data: Record<string, string>,
  more: { labels?: Record<string, string>; annotations?: Record<string, string> } = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name,
      namespace,
      ...(more.labels ? { labels: more.labels } : {}),
      ...(more.annotations ? { annotations: more.annotations } : {}),
    },
    data,
  };
}

export function sourceRule(
  rule: string,
  kind: { group?: string; version: string; kind: string },
  match: SyncMatch[][] = [[]],
  more: Partial<DesiredSyncSource> = {},
): DesiredSyncSource {
  return {
    rule,
    uid: `uid-${rule}`,
    generation: 1,
    resource: { group: kind.group ?? '', version: kind.version, kind: kind.kind },
    match,
    withStatus: false,
    digest: '',
    ...more,
  };
}

export const SECRET = { version: 'v1', kind: 'Secret' };
export const CONFIGMAP = { version: 'v1', kind: 'ConfigMap' };

export function desiredObject(rule: string, object: KubeObject, more: Partial<DesiredSyncObject> = {}): DesiredSyncObject {
  return {
    rule,
    sourceCluster: 'store-0001',
    originClusterId: 'origin-uid-0001',
    sourceResourceVersion: '42',
    hash: canonicalHash(object),
    object,
    ...more,
  };
}

/** A recording in-process hub for the source: holds hashes per key, answers need/digest per the contract. */
export class HubDouble {
  readonly reports: SyncReport[] = [];
  readonly held = new Map<string, string>();
  refuse = new Set<string>();
  async send(report: SyncReport): Promise<SyncReportResponse> {
    this.reports.push(structuredClone(report));
    const inv = new Map(report.inventory.map((e) => [`${e.namespace}/${e.name}`, e.hash]));
    for (const k of [...this.held.keys()]) if (!inv.has(k)) this.held.delete(k);
    const rejected: SyncReportResponse['rejected'] = [];
    for (const o of report.objects) {
      const m = o.object.metadata as { name: string; namespace?: string };
      const key = `${m.namespace ?? ''}/${m.name}`;
      if (this.refuse.has(key)) rejected.push({ namespace: m.namespace ?? '', name: m.name, reason: 'too large' });
      else this.held.set(key, o.hash);
    }
    const refused = new Set(rejected.map((r) => `${r.namespace}/${r.name}`));
    const need = report.inventory
      .filter((e) => this.held.get(`${e.namespace}/${e.name}`) !== e.hash && !refused.has(`${e.namespace}/${e.name}`))
      .map((e) => ({ namespace: e.namespace, name: e.name }));
    return { digest: this.digest(), need, rejected };
  }
  digest(): string {
    return syncDigest([...this.held].map(([k, hash]) => ({ namespace: k.split('/')[0], name: k.split('/')[1], hash })));
  }
}
