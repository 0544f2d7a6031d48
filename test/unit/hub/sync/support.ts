import { ingestSyncReport } from '../../../../lambdas/capabilities/sync/report.js';
import { loadDesiredSync } from '../../../../lambdas/capabilities/sync/desired-sync.js';
import { ResourceService } from '../../../../lambdas/core/resource-service.js';
import type { HubContext } from '../../../../lambdas/core/context.js';
import { syncObjectHash, type SyncReportResponse } from '../../../../shared/protocol/sync.js';
import type { Resource } from '../../../../shared/resources/meta.js';
import { syncRuleKind } from '../../../../shared/resources/sync-rule.js';
import { apply, API, fleetHub } from '../governance/support.js';

/** Helpers for resource-sync tests on the memory ports: rules, stand-in source agents' reports. */

export { apply, API, fleetHub };

export function ruleDoc(name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: API, kind: 'SyncRule', metadata: { name }, spec: { rules: [{}], ...spec } };
}

export function secret(
  name: string,
  data: Record<string, string>,
  namespace = 'apps',
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, resourceVersion: '11', uid: `uid-${name}` },
    type: 'Opaque',
    data,
    ...extra,
  };
}

export async function ruleOf(ctx: HubContext, name: string): Promise<Resource> {
  return (await new ResourceService(ctx).get(syncRuleKind, name))!;
}

/**
 * What a source agent sends: the whole inventory (keys and hashes) and the objects named in
 * `send` (default: all of them).
 */
export async function reportObjects(
  ctx: HubContext,
  cluster: string,
  rule: string,
  objects: Record<string, unknown>[],
  send: 'all' | 'none' | string[] = 'all',
  withStatus = false,
): Promise<SyncReportResponse> {
  const r = await ruleOf(ctx, rule);
  const entries = objects.map((o) => {
    const m = o.metadata as { name: string; namespace?: string; resourceVersion?: string };
    return { key: { namespace: m.namespace ?? '', name: m.name }, hash: syncObjectHash(o, withStatus), o, rv: m.resourceVersion ?? '1' };
  });
  const sent = entries.filter((e) => send === 'all' || (send !== 'none' && send.includes(e.key.name)));
  return ingestSyncReport(ctx, cluster, {
    rule,
    uid: r.metadata.uid,
    generation: r.metadata.generation,
    state: 'Ok',
    inventory: entries.map((e) => ({ ...e.key, hash: e.hash })),
    objects: sent.map((e) => ({ resourceVersion: e.rv, hash: e.hash, object: e.o })),
  });
}

/** The objects a destination receives, as `source:namespace/name` → object. */
export async function received(ctx: HubContext, cluster: string): Promise<Map<string, Record<string, unknown>>> {
  const d = await loadDesiredSync(ctx, cluster);
  return new Map(
    d.objects.map((o) => {
      const m = o.object.metadata as { name: string; namespace?: string };
      return [`${o.sourceCluster}:${m.namespace ?? ''}/${m.name}`, o.object];
    }),
  );
}
