import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { KubeInvalidError } from '../../../../agent/kube/errors.js';
import { MemoryCluster, OUT_OF_BAND_MANAGER } from '../../../../agent/kube/memory-cluster.js';
import type { KubeObject } from '../../../../agent/kube/types.js';
import { destinationReports } from '../../../../agent/sync/destination-report.js';
import { SyncDestination } from '../../../../agent/sync/destination.js';
import { emptySyncState, type SyncState } from '../../../../agent/sync/sync-store.js';
import {
  ORIGIN_CLUSTER_ANNOTATION,
  ORIGIN_RESOURCE_VERSION_ANNOTATION,
  ORIGIN_RULE_ANNOTATION,
  SYNC_DISABLED_ANNOTATION,
  type DesiredSync,
  type DesiredSyncDestinationRule,
  type DesiredSyncObject,
} from '../../../../shared/protocol/sync.js';
import { CallLog, configMap, desiredObject, log, secret } from './support.js';

/** The destination side against the in-memory cluster: apply, annotations, conflicts, opt-out, deletion. */

const AGENT = { fieldManager: 'test', force: true };
const ref = (name: string, kind = 'Secret') => ({ apiVersion: 'v1', kind, namespace: 'shop', name });
const rule = (name: string, more: Partial<DesiredSyncDestinationRule> = {}): DesiredSyncDestinationRule => ({
  rule: name,
  uid: `uid-${name}`,
  conflictPolicy: 'Abort',
  deletePolicy: 'Propagate',
  ...more,
});
const desired = (rules: DesiredSyncDestinationRule[], objects: DesiredSyncObject[]): DesiredSync => ({
  sources: [],
  destinationRules: rules,
  objects,
});

describe('SyncDestination', () => {
  let cluster: MemoryCluster;
  let calls: CallLog;
  let dest: SyncDestination;
  let state: SyncState;
  const get = (name: string, kind = 'Secret') => cluster.get(ref(name, kind));
  const managers = (o: KubeObject | undefined) => (o?.metadata.managedFields ?? []).map((e) => `${e.manager}/${e.operation}`);

  beforeEach(async () => {
    cluster = new MemoryCluster({ name: 'dst' });
    calls = new CallLog(cluster);
    dest = new SyncDestination({ api: calls.api, log });
    state = emptySyncState();
    await cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }, AGENT);
  });
  afterEach(() => cluster.close());

  it('applies as field manager tether-sync with the origin annotations, and skips an unchanged object', async () => {
    const o = desiredObject('db-secret', secret('db', 'shop', { password: 'p' }, { annotations: { team: 'x' } }));
    await dest.run(desired([rule('db-secret')], [o]), state, false);

    const live = await get('db');
    expect(live?.metadata.annotations).toEqual({
      team: 'x',
      [ORIGIN_CLUSTER_ANNOTATION]: 'origin-uid-0001',
      [ORIGIN_RULE_ANNOTATION]: 'db-secret',
      [ORIGIN_RESOURCE_VERSION_ANNOTATION]: '42',
    });
    expect(managers(live)).toEqual(['tether-sync/Apply']);
    expect(calls.calls).toEqual(['get Secret shop/db', 'apply Secret shop/db tether-sync force=false']);
    expect(state.copies).toEqual([{ rule: 'db-secret', apiVersion: 'v1', kind: 'Secret', namespace: 'shop', name: 'db' }]);

    calls.clear();
    await dest.run(desired([rule('db-secret')], [o]), state, false);
    expect(calls.calls).toEqual([]);
    // A full pass checks again (and repairs a copy deleted by hand).
    cluster.remove(ref('db'));
    await dest.run(desired([rule('db-secret')], [o]), state, true);
    expect(await get('db')).toBeDefined();
  });

  it('Abort: an object sync did not create is a Conflict and left alone; Overwrite takes it over (forced)', async () => {
    await cluster.apply(configMap('settings', 'shop', { mine: 'yes' }), { fieldManager: 'helm', force: false });
    const o = desiredObject('cfg', configMap('settings', 'shop', { mine: 'no' }));

    await dest.run(desired([rule('cfg')], [o]), state, false);
    expect(dest.outcome(o)).toMatchObject({ state: 'Conflict', reason: expect.stringContaining('exists and was not created by sync') });
    expect((await get('settings', 'ConfigMap'))?.data).toEqual({ mine: 'yes' });

    await dest.run(desired([rule('cfg', { conflictPolicy: 'Overwrite' })], [o]), state, false);
    expect(dest.outcome(o)?.state).toBe('Synced');
    expect(calls.calls.at(-1)).toBe('apply ConfigMap shop/settings tether-sync force=true');
    expect((await get('settings', 'ConfigMap'))?.data).toEqual({ mine: 'no' });
  });

  it('Abort: a 409 apply conflict on our own copy (a field edited by hand) is a Conflict with the server message', async () => {
    const o = desiredObject('cfg', configMap('settings', 'shop', { a: '1' }));
    await dest.run(desired([rule('cfg')], [o]), state, false);
    cluster.mutate(ref('settings', 'ConfigMap'), (obj) => {
      (obj.data as Record<string, string>).a = 'edited';
    });
    const changed = desiredObject('cfg', configMap('settings', 'shop', { a: '2' }), { sourceResourceVersion: '43' });

    await dest.run(desired([rule('cfg')], [changed]), state, false);

    expect(dest.outcome(changed)).toMatchObject({ state: 'Conflict', reason: expect.stringContaining(`"${OUT_OF_BAND_MANAGER}"`) });
    expect((await get('settings', 'ConfigMap'))?.data).toEqual({ a: 'edited' });
  });

  it('never writes an object annotated sync.tether.dev/disabled: "true" (OptedOut)', async () => {
    await cluster.apply(secret('db', 'shop', { password: 'local' }, { annotations: { [SYNC_DISABLED_ANNOTATION]: 'true' } }), AGENT);
    const o = desiredObject('db-secret', secret('db', 'shop', { password: 'p' }));
    await dest.run(desired([rule('db-secret', { conflictPolicy: 'Overwrite' })], [o]), state, false);
    expect(dest.outcome(o)?.state).toBe('OptedOut');
    expect(calls.calls).toEqual(['get Secret shop/db']);
  });

  it('an invalid object is Blocked with the apiserver message; an unserved kind too', async () => {
    cluster.failNext({ verb: 'apply', name: 'db' }, new KubeInvalidError('Secret "db" is invalid: data[bad key]: Invalid value'));
    const bad = desiredObject('db-secret', secret('db', 'shop', { p: '1' }));
    const widget = desiredObject('w', { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'shop' } });
    const sync = desired([rule('db-secret'), rule('w')], [bad, widget]);
    await dest.run(sync, state, false);

    expect(dest.outcome(bad)).toEqual(
      expect.objectContaining({ state: 'Blocked', reason: 'Secret "db" is invalid: data[bad key]: Invalid value' }),
    );
    expect(dest.outcome(widget)?.state).toBe('Blocked');
    expect(destinationReports(sync, (o) => dest.outcome(o))).toEqual([
      {
        rule: 'db-secret',
        uid: 'uid-db-secret',
        state: 'Blocked',
        objects: 1,
        synced: 0,
        conflicts: 0,
        blocked: 1,
        optedOut: 0,
        reasons: ['shop/db: Secret "db" is invalid: data[bad key]: Invalid value'],
      },
      expect.objectContaining({
        rule: 'w',
        state: 'Blocked',
        blocked: 1,
        reasons: [expect.stringContaining('shop/w: the cluster has no resource type for kind Widget')],
      }),
    ]);
  });

  it('Propagate deletes the copy when its source object goes; Orphan leaves it', async () => {
    const a = desiredObject('p', configMap('a', 'shop', { v: '1' }));
    const b = desiredObject('o', configMap('b', 'shop', { v: '1' }));
    const rules = [rule('p'), rule('o', { deletePolicy: 'Orphan' })];
    await dest.run(desired(rules, [a, b]), state, false);

    const pass = await dest.run(desired(rules, []), state, false);

    expect(pass.deleted).toBe(1);
    expect(await get('a', 'ConfigMap')).toBeUndefined();
    expect(await get('b', 'ConfigMap')).toBeDefined();
    expect(state.copies).toEqual([]);
  });

  it("after its rule is deleted, a copy still follows the rule's last delete policy, even in a new process", async () => {
    const a = desiredObject('p', configMap('a', 'shop', { v: '1' }));
    const b = desiredObject('o', configMap('b', 'shop', { v: '1' }));
    await dest.run(desired([rule('p'), rule('o', { deletePolicy: 'Orphan' })], [a, b]), state, false);
    const persisted = structuredClone(state);

    // Both rules are gone from the desired state; a restarted agent has only the stored state.
    await new SyncDestination({ api: calls.api, log }).run(desired([], []), persisted, false);

    expect(await get('a', 'ConfigMap')).toBeUndefined();
    expect(await get('b', 'ConfigMap')).toBeDefined();
    expect(persisted.rules).toEqual({});
  });

  it('never deletes an object sync did not create: taken over with Overwrite, or replaced by someone else since', async () => {
    await cluster.apply(configMap('theirs', 'shop', { v: 'theirs' }), { fieldManager: 'helm', force: false });
    const adopted = desiredObject('p', configMap('theirs', 'shop', { v: 'ours' }));
    const replaced = desiredObject('p', configMap('replaced', 'shop', { v: 'ours' }));
    const rules = [rule('p', { conflictPolicy: 'Overwrite' })];
    await dest.run(desired(rules, [adopted, replaced]), state, false);
    expect(state.copies.find((c) => c.name === 'theirs')?.adopted).toBe(true);
    // Someone deletes the copy and creates their own object of that name.
    cluster.remove(ref('replaced', 'ConfigMap'));
    await cluster.apply(configMap('replaced', 'shop', { v: 'new owner' }), { fieldManager: 'kubectl', force: false });

    await dest.run(desired(rules, []), state, false);

    expect((await get('theirs', 'ConfigMap'))?.data).toEqual({ v: 'ours' });
    expect((await get('replaced', 'ConfigMap'))?.data).toEqual({ v: 'new owner' });
    expect(calls.calls.filter((c) => c.startsWith('delete'))).toEqual([]);
    expect(state.copies).toEqual([]);
  });

  it("never deletes a copy it took over from another sync rule with Overwrite (it is that rule's, not this one's)", async () => {
    const o = desiredObject('other', configMap('shared', 'shop', { v: 'theirs' }));
    await dest.run(desired([rule('other')], [o]), state, false);
    const mine = desiredObject('mine', configMap('shared', 'shop', { v: 'ours' }));
    await dest.run(desired([rule('other'), rule('mine', { conflictPolicy: 'Overwrite' })], [mine]), state, false);
    expect(state.copies.find((c) => c.rule === 'mine')?.adopted).toBe(true);
    calls.clear();

    await dest.run(desired([rule('mine', { conflictPolicy: 'Overwrite' })], []), state, false);

    expect(calls.calls.filter((c) => c.startsWith('delete'))).toEqual([]);
    expect((await get('shared', 'ConfigMap'))?.data).toEqual({ v: 'ours' });
  });

  it('reports roll up Conflict > Blocked > Pending > OptedOut > Synced, with at most five reasons', async () => {
    const objs: DesiredSyncObject[] = [];
    for (let i = 0; i < 7; i++) {
      await cluster.apply(configMap(`c${i}`, 'shop', { v: 'theirs' }), { fieldManager: 'helm', force: false });
      objs.push(desiredObject('r', configMap(`c${i}`, 'shop', { v: 'ours' })));
    }
    await cluster.apply(configMap('out', 'shop', {}, { annotations: { [SYNC_DISABLED_ANNOTATION]: 'true' } }), AGENT);
    objs.push(desiredObject('r', configMap('out', 'shop', { v: 'ours' })), desiredObject('r', configMap('fine', 'shop', { v: 'ours' })));
    const sync = desired([rule('r'), rule('empty')], objs);
    await dest.run(sync, state, false);

    const [empty, r] = destinationReports(sync, (o) => dest.outcome(o));
    expect(empty).toMatchObject({ rule: 'empty', state: 'Synced', objects: 0 });
    expect(r).toMatchObject({ rule: 'r', state: 'Conflict', objects: 9, synced: 1, conflicts: 7, optedOut: 1, blocked: 0 });
    expect(r.reasons).toHaveLength(5);
    expect(
      destinationReports({ ...sync, objects: [desiredObject('r', configMap('new', 'shop', {}))] }, (o) => dest.outcome(o))[1],
    ).toMatchObject({
      state: 'Pending',
      reasons: ['shop/new: not applied yet'],
    });
  });
});
