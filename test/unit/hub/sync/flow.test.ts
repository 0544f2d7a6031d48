import { describe, expect, it } from '@jest/globals';
import { ResourceService } from '../../../../lambdas/core/resource-service.js';
import { loadDesiredSync } from '../../../../lambdas/capabilities/sync/desired-sync.js';
import { ingestSyncReport } from '../../../../lambdas/capabilities/sync/report.js';
import { ingestSyncDestinations } from '../../../../lambdas/capabilities/sync/status.js';
import { removeClusterSync } from '../../../../lambdas/capabilities/sync/behaviours.js';
import { destinationsOf, sourcesOf } from '../../../../lambdas/capabilities/sync/relations.js';
import { ForbiddenError, ValidationError } from '../../../../shared/errors.js';
import { syncRuleKind } from '../../../../shared/resources/sync-rule.js';
import { MAX_SYNC_OBJECT_BYTES, syncDigest, syncObjectHash } from '../../../../shared/protocol/sync.js';
import { countWrites, revision, silence } from '../governance/support.js';
import { crashAfterWrite } from '../../../support/crash.js';
import { apply, fleetHub, received, reportObjects, ruleDoc, ruleOf, secret } from './support.js';

/** Resource sync on the memory ports through the real steps: selection, reports, desired state, status. */

const FLEET = {
  east: { region: 'eu', role: 'source' },
  west: { region: 'eu' },
  north: { region: 'eu' },
  south: { region: 'us' },
};

async function hubWithRule(spec: Record<string, unknown> = {}) {
  const hub = await fleetHub(FLEET, []);
  await apply(
    hub,
    ruleDoc('db-creds', {
      resource: { version: 'v1', kind: 'Secret' },
      sources: { clusterSelector: { matchLabels: { role: 'source' } } },
      ...spec,
    }),
  );
  await hub.settle();
  return hub;
}

describe('resource sync: rule validation', () => {
  it('refuses a bad rule with 422 field paths and stores nothing', async () => {
    const hub = await fleetHub({ a: {} }, []);
    const err = await apply(
      hub,
      ruleDoc('bad', {
        resource: { version: 'v1', kind: 'secrets' },
        rules: [{ mutations: { overrides: [{ path: '$.data[*]', value: 1 }] } }],
        sources: {},
      }),
    ).catch((e) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fieldErrors.map((e) => e.path)).toEqual([
      'spec.resource.kind',
      'spec.rules.0.mutations.overrides.0.path',
      'spec.sources',
    ]);
    expect(await hub.ctx.ports.resources.get({ kind: 'SyncRule', name: 'bad' })).toBeUndefined();
  });
});

describe('resource sync: sources, destinations and reports', () => {
  it('selects sources and destinations and bumps exactly those clusters', async () => {
    const hub = await fleetHub(FLEET, []);
    const before = Object.fromEntries(await Promise.all(Object.keys(FLEET).map(async (c) => [c, await revision(hub.ctx, c)])));
    await apply(
      hub,
      ruleDoc('db-creds', {
        resource: { version: 'v1', kind: 'Secret' },
        sources: { clusterSelector: { matchLabels: { role: 'source' } } },
      }),
    );
    await hub.settle();
    expect(await sourcesOf(hub.ctx, 'db-creds')).toEqual(['east']);
    expect(await destinationsOf(hub.ctx, 'db-creds')).toEqual(['east', 'north', 'south', 'west']);
    for (const c of Object.keys(FLEET)) expect(await revision(hub.ctx, c)).toBe(before[c] + 1);
    const d = await loadDesiredSync(hub.ctx, 'east');
    expect(d.sources).toEqual([
      expect.objectContaining({ rule: 'db-creds', digest: '', resource: { group: '', version: 'v1', kind: 'Secret' } }),
    ]);
    // Idempotent: running the step again bumps nobody.
    await hub.ctx.ports.queue.send([{ type: 'sync.sync-rule', payload: { rule: 'db-creds' } }]);
    await hub.settle();
    for (const c of Object.keys(FLEET)) expect(await revision(hub.ctx, c)).toBe(before[c] + 1);
  });

  it('stores a Secret once, sealed; destinations (not the source) receive it opened; the digest moves the source', async () => {
    const hub = await hubWithRule({ rules: [{ mutations: { labels: { add: { synced: 'yes' } } } }] });
    const rev = { east: await revision(hub.ctx, 'east'), west: await revision(hub.ctx, 'west') };
    const s = secret('db', { password: 'aHVudGVyMg==' });
    const answer = await reportObjects(hub.ctx, 'east', 'db-creds', [s]);
    const hash = syncObjectHash(s, false);
    expect(answer).toEqual({ digest: syncDigest([{ namespace: 'apps', name: 'db', hash }]), need: [], rejected: [] });
    const stored = await hub.ctx.ports.resources.list('SyncObject', { namespace: 'db-creds/east', limit: 10 });
    expect(stored.items).toHaveLength(1);
    expect(JSON.stringify(stored.items)).not.toContain('aHVudGVyMg==');
    expect((stored.items[0].spec as { sealed?: unknown }).sealed).toBeDefined();

    await hub.settle();
    expect(await revision(hub.ctx, 'east')).toBe(rev.east + 1); // its digest changed
    expect(await revision(hub.ctx, 'west')).toBe(rev.west + 1); // it receives the object
    const west = await loadDesiredSync(hub.ctx, 'west');
    expect(west.destinationRules).toEqual([
      { rule: 'db-creds', uid: expect.any(String), conflictPolicy: 'Abort', deletePolicy: 'Propagate' },
    ]);
    expect(west.objects).toEqual([
      expect.objectContaining({
        rule: 'db-creds',
        sourceCluster: 'east',
        sourceResourceVersion: '11',
        object: {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'db', namespace: 'apps', labels: { synced: 'yes' } },
          type: 'Opaque',
          data: { password: 'aHVudGVyMg==' },
        },
      }),
    ]);
    expect((await received(hub.ctx, 'east')).size).toBe(0); // a source never receives its own objects
    expect((await loadDesiredSync(hub.ctx, 'east')).sources[0].digest).toBe(answer.digest);
  });

  it('answers need for keys it lacks, writes O(1) per changed object, and nothing for an unchanged report', async () => {
    const hub = await hubWithRule();
    const a = secret('a', { k: 'MQ==' });
    const b = secret('b', { k: 'Mg==' });
    const first = await reportObjects(hub.ctx, 'east', 'db-creds', [a, b], ['a']);
    expect(first.need).toEqual([{ namespace: 'apps', name: 'b' }]);
    const second = await reportObjects(hub.ctx, 'east', 'db-creds', [a, b], ['b']);
    expect(second.need).toEqual([]);
    await hub.settle();

    const writes = countWrites(hub.ctx);
    let relationWrites = 0;
    const rel = hub.ctx.ports.relations;
    const putMany = rel.putMany.bind(rel);
    rel.putMany = async (items) => {
      relationWrites += items.length;
      return putMany(items);
    };
    const westRev = await revision(hub.ctx, 'west');
    expect((await reportObjects(hub.ctx, 'east', 'db-creds', [a, b], 'none')).need).toEqual([]);
    await hub.settle();
    expect([writes.writes(), relationWrites, await revision(hub.ctx, 'west')]).toEqual([0, 0, westRev]);

    // One object changes: one object item, one inventory entry, the source state; destinations bumped once.
    const b2 = secret('b', { k: 'Mw==' });
    await reportObjects(hub.ctx, 'east', 'db-creds', [a, b2], ['b']);
    await hub.settle();
    expect([writes.writes(), relationWrites, await revision(hub.ctx, 'west')]).toEqual([2, 1, westRev + 1]);
  });

  it('a report that died right after storing its object still reaches the destinations when the agent sends it again', async () => {
    const hub = await hubWithRule();
    const rev = { east: await revision(hub.ctx, 'east'), west: await revision(hub.ctx, 'west') };
    const crash = crashAfterWrite(hub.ctx, 'resource');
    crash.arm();
    await expect(reportObjects(hub.ctx, 'east', 'db-creds', [secret('db', { k: 'MQ==' })])).rejects.toThrow(/simulated crash/);
    crash.disarm();
    await hub.settle();
    expect(await revision(hub.ctx, 'west')).toBe(rev.west);
    // The agent's digest still differs from the hub's (the source state was never written): it reports again.
    await reportObjects(hub.ctx, 'east', 'db-creds', [secret('db', { k: 'MQ==' })]);
    await hub.settle();
    expect(await revision(hub.ctx, 'west')).toBe(rev.west + 1);
    expect(await revision(hub.ctx, 'east')).toBe(rev.east + 1);
    expect([...(await received(hub.ctx, 'west')).keys()]).toHaveLength(1);
  });

  it('refuses objects too large, of another kind, or copies; drops what leaves the inventory', async () => {
    const hub = await hubWithRule();
    const big = secret('big', { k: 'x'.repeat(MAX_SYNC_OBJECT_BYTES) });
    const copy = secret('copy', { k: 'eA==' });
    (copy.metadata as Record<string, unknown>).annotations = { 'sync.tether.dev/origin-cluster': 'other-uid' };
    const answer = await reportObjects(hub.ctx, 'east', 'db-creds', [big, copy, secret('ok', { k: 'eA==' })]);
    expect(answer.rejected).toEqual([
      {
        namespace: 'apps',
        name: 'big',
        reason: expect.stringMatching(new RegExp(`object is \\d+ bytes, over the limit of ${MAX_SYNC_OBJECT_BYTES} bytes`)),
      },
      { namespace: 'apps', name: 'copy', reason: expect.stringMatching(/copy written by sync/) },
    ]);
    expect(answer.need).toEqual([]);
    expect([...(await received(hub.ctx, 'west')).keys()]).toEqual(['east:apps/ok']);
    const status = (await ruleOf(hub.ctx, 'db-creds')).status as any;
    expect(status.sources[0]).toMatchObject({
      cluster: 'east',
      state: 'Ok',
      objects: 3,
      reason: expect.stringMatching(/2 object\(s\) refused/),
    });

    await reportObjects(hub.ctx, 'east', 'db-creds', [], 'none');
    expect((await received(hub.ctx, 'west')).size).toBe(0);
    expect((await hub.ctx.ports.resources.list('SyncObject', { namespace: 'db-creds/east', limit: 10 })).items).toEqual([]);
  });

  it('refuses a report from a cluster that is not a source (403), ignores one for another incarnation', async () => {
    const hub = await hubWithRule();
    const r = await ruleOf(hub.ctx, 'db-creds');
    const report = { rule: 'db-creds', uid: r.metadata.uid, generation: 1, state: 'Ok' as const, inventory: [], objects: [] };
    await expect(ingestSyncReport(hub.ctx, 'west', report)).rejects.toBeInstanceOf(ForbiddenError);
    expect(await ingestSyncReport(hub.ctx, 'east', { ...report, uid: 'old' })).toMatchObject({
      ignored: expect.stringMatching(/recreated/),
    });
  });

  it('keeps the first of two sources for one object, reports the conflict, and never flaps', async () => {
    const hub = await hubWithRule({ sources: { clusterSelector: { matchLabels: { region: 'eu' } } } });
    await reportObjects(hub.ctx, 'west', 'db-creds', [secret('db', { k: 'd2VzdA==' })]);
    hub.clock.advance(1000);
    await reportObjects(hub.ctx, 'east', 'db-creds', [secret('db', { k: 'ZWFzdA==' })]);
    await hub.settle();
    expect([...(await received(hub.ctx, 'north')).keys()]).toEqual(['west:apps/db']);
    // east changes its copy later: west stays the one kept.
    hub.clock.advance(1000);
    await reportObjects(hub.ctx, 'east', 'db-creds', [secret('db', { k: 'ZWFzdDI=' })]);
    expect([...(await received(hub.ctx, 'north')).keys()]).toEqual(['west:apps/db']);
    const status = (await ruleOf(hub.ctx, 'db-creds')).status as any;
    expect(status.conflicts).toEqual([{ object: 'apps/db', kept: 'west', ignored: ['east'] }]);
    expect(status.sources.find((s: any) => s.cluster === 'east').state).toBe('Conflict');
  });

  it('keeps opted-out clusters off (OptedOut in status) and puts a relabelled one back', async () => {
    const hub = await hubWithRule();
    await apply(hub, {
      apiVersion: 'tether.dev/v1alpha1',
      kind: 'Cluster',
      metadata: { name: 'north', labels: { region: 'eu', 'sync.tether.dev/disabled': 'db-creds' } },
      spec: { hubAcceptsClient: true },
    });
    await hub.settle();
    expect(await destinationsOf(hub.ctx, 'db-creds')).toEqual(['east', 'south', 'west']);
    await reportObjects(hub.ctx, 'east', 'db-creds', [secret('db', { k: 'eA==' })]);
    expect((await loadDesiredSync(hub.ctx, 'north')).objects).toEqual([]);
    const status = (await ruleOf(hub.ctx, 'db-creds')).status as any;
    expect(status.destinations.find((d: any) => d.cluster === 'north')).toEqual({ cluster: 'north', state: 'OptedOut' });
    expect(status.summary).toMatchObject({ sources: 1, objects: 1, destinations: 3, optedOut: 1, pending: 3 });
    await apply(hub, {
      apiVersion: 'tether.dev/v1alpha1',
      kind: 'Cluster',
      metadata: { name: 'north', labels: { region: 'eu' } },
      spec: { hubAcceptsClient: true },
    });
    await hub.settle();
    expect([...(await received(hub.ctx, 'north')).keys()]).toEqual(['east:apps/db']);
  });

  it('shows destination status from the status report and a silent source as Unknown (its copies stay)', async () => {
    const hub = await hubWithRule();
    await reportObjects(hub.ctx, 'east', 'db-creds', [secret('db', { k: 'eA==' })]);
    const uid = (await ruleOf(hub.ctx, 'db-creds')).metadata.uid;
    const dest = { rule: 'db-creds', uid, objects: 1, synced: 1, conflicts: 0, blocked: 0, optedOut: 0, reasons: [] };
    await ingestSyncDestinations(hub.ctx, 'west', {
      observedRevision: '1',
      agentVersion: '0.1.0',
      healthy: true,
      syncDestinations: [{ ...dest, state: 'Synced' }],
    });
    await ingestSyncDestinations(hub.ctx, 'north', {
      observedRevision: '1',
      agentVersion: '0.1.0',
      healthy: true,
      syncDestinations: [
        {
          ...dest,
          state: 'Conflict',
          synced: 0,
          conflicts: 1,
          reasons: ['apps/db: exists and was not created by sync (conflictPolicy Abort)'],
        },
      ],
    });
    const writes = countWrites(hub.ctx);
    await ingestSyncDestinations(hub.ctx, 'west', {
      observedRevision: '1',
      agentVersion: '0.1.0',
      healthy: true,
      syncDestinations: [{ ...dest, state: 'Synced' }],
    });
    expect(writes.writes()).toBe(0); // unchanged: no write
    await silence(hub.ctx, 'east');
    const status = (await ruleOf(hub.ctx, 'db-creds')).status as any;
    expect(status.destinations.map((d: any) => `${d.cluster}=${d.state}`)).toEqual([
      'north=Conflict',
      'east=Pending',
      'south=Pending',
      'west=Synced',
    ]);
    expect(status.sources).toEqual([expect.objectContaining({ cluster: 'east', state: 'Unknown', objects: 1 })]);
    expect(status.summary).toMatchObject({ synced: 1, conflict: 1, destinations: 4 });
    expect([...(await received(hub.ctx, 'west')).keys()]).toEqual(['east:apps/db']);
  });

  it('a deleted rule leaves no relation, object or status item and bumps its clusters', async () => {
    const hub = await hubWithRule();
    await reportObjects(hub.ctx, 'east', 'db-creds', [secret('db', { k: 'eA==' })]);
    await hub.settle();
    const westRev = await revision(hub.ctx, 'west');
    await new ResourceService(hub.ctx).delete(syncRuleKind, 'db-creds');
    await hub.settle();
    expect(await revision(hub.ctx, 'west')).toBe(westRev + 1);
    expect(await loadDesiredSync(hub.ctx, 'west')).toEqual({ sources: [], destinationRules: [], objects: [] });
    expect(await sourcesOf(hub.ctx, 'db-creds')).toEqual([]);
    for (const kind of ['SyncObject', 'SyncSourceState', 'SyncDestinationState'])
      for (const namespace of ['db-creds', 'db-creds/east'])
        expect((await hub.ctx.ports.resources.list(kind, { namespace, limit: 10 })).items).toEqual([]);
  });

  it('a removed source cluster takes its objects from the destinations', async () => {
    const hub = await hubWithRule();
    await reportObjects(hub.ctx, 'east', 'db-creds', [secret('db', { k: 'eA==' })]);
    await hub.settle();
    const westRev = await revision(hub.ctx, 'west');
    await removeClusterSync(hub.ctx, 'east');
    await hub.settle();
    expect(await revision(hub.ctx, 'west')).toBe(westRev + 1);
    expect((await received(hub.ctx, 'west')).size).toBe(0);
  });
});
