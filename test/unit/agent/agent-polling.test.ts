import { DESIRED_STATE_SECRET } from '../../../agent/state-store.js';
import { configMap, deployment, namespace, rig, until, work, type Rig } from './support/harness.js';

const web = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'shop', name: 'web' };

describe('Agent: polling, backoff and running without the hub', () => {
  let r: Rig;
  afterEach(async () => {
    await r?.close();
  });

  test('sends If-None-Match with the revision it holds and handles 304 without re-applying', async () => {
    r = await rig();
    r.hub.setWorks([work('web', [namespace('shop'), deployment('web', 'shop')])]);
    expect(await r.agent.runOnce()).toBe(true);
    const rv = (await r.cluster.get(web))!.metadata.resourceVersion;
    expect(await r.agent.runOnce()).toBe(true);
    const polls = r.hub.requests.filter((q) => q.path === '/agent/v1/desired');
    expect(polls[0].ifNoneMatch).toBeUndefined();
    expect(polls[1].ifNoneMatch).toBe(`"${r.hub.desired.revision}"`);
    expect(r.agent.metrics.polls).toMatchObject({ changed: 1, not_modified: 1 });
    // Nothing changed, so nothing was written.
    expect((await r.cluster.get(web))!.metadata.resourceVersion).toBe(rv);
  });

  test('polls within the hub interval: a random phase first, then jitter takes up to 4% off, never adds', async () => {
    const randoms = [0.5, 0, 0.999999, 0.25];
    let i = 0;
    r = await rig({ random: () => randoms[i++ % randoms.length] });
    r.hub.setDesired({ pollIntervalSeconds: 10 });
    const run = r.agent.start();
    await until(() => r.clock.sleeps.length >= 4);
    await r.agent.stop();
    await run;
    expect(r.clock.sleeps.slice(0, 4)).toEqual([5000, 9600, 10000, 9700]);
  });

  test('backs off exponentially with full jitter on 5xx, and honours Retry-After on 429', async () => {
    r = await rig({ random: () => 0.5 });
    expect(await r.agent.runOnce()).toBe(true);
    const t0 = r.clock.now();
    r.hub.inject(503, { times: 3, path: '/agent/v1/desired' });
    r.hub.inject(429, { headers: { 'retry-after': '120' }, path: '/agent/v1/desired' });
    r.hub.inject(503, { headers: { 'retry-after': new Date(t0 + 300_000).toUTCString() }, path: '/agent/v1/desired' });
    const run = r.agent.start();
    await until(() => r.clock.sleeps.length >= 6);
    await r.agent.stop();
    await run;
    // Full jitter with random=0.5: half of 1 s, 2 s, 4 s; then Retry-After 120 s wins over 4 s;
    // then an HTTP-date Retry-After (300 s after the start, asked 123.5 s in); then success: the 30 s poll, jittered (random=0.5) to 29.4 s.
    expect(r.clock.sleeps.slice(0, 4)).toEqual([500, 1000, 2000, 120_000]);
    expect(r.clock.sleeps[4]).toBe(300_000 - 123_500);
    expect(r.clock.sleeps[5]).toBe(29_400);
    expect(r.agent.metrics.pollErrors).toBe(5);
  });

  test('keeps workloads while the hub is down, and a restart works from the stored desired state', async () => {
    r = await rig();
    r.hub.setWorks([work('web', [namespace('shop'), deployment('web', 'shop'), configMap('settings', 'shop', { mode: 'fast' })])]);
    expect(await r.agent.runOnce()).toBe(true);
    const stored = await r.cluster.get({ apiVersion: 'v1', kind: 'Secret', namespace: 'tether-agent', name: DESIRED_STATE_SECRET });
    expect(stored).toBeDefined();

    await r.hub.close();
    // Someone deletes a ConfigMap while the hub is away; a restarted agent restores it from the stored state.
    r.cluster.remove({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'settings' });
    const restarted = r.restart();
    const outcome = await restarted.runOnce();
    expect(outcome).toBeInstanceOf(Error);
    expect((outcome as Error).name).toBe('HubUnavailableError');
    expect(restarted.desiredState?.revision).toBe(r.hub.desired.revision);
    expect(await r.cluster.get(web)).toBeDefined();
    expect(await r.cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'shop', name: 'settings' })).toBeDefined();
    expect(r.logs.messages()).toContain('hub call failed; keeping workloads as they are and backing off');
  });

  test('stores a large desired state compressed', async () => {
    r = await rig();
    const big = Array.from({ length: 60 }, (_, i) => configMap(`cm-${i}`, 'shop', { payload: 'x'.repeat(2000) + i }));
    r.hub.setWorks([work('big', [namespace('shop'), ...big])]);
    expect(await r.agent.runOnce()).toBe(true);
    const secret = await r.cluster.get({ apiVersion: 'v1', kind: 'Secret', namespace: 'tether-agent', name: DESIRED_STATE_SECRET });
    const encoding = Buffer.from((secret!.data as Record<string, string>).encoding, 'base64').toString('utf8');
    expect(encoding).toBe('gzip+base64');
    const restarted = r.restart();
    await r.hub.close();
    await restarted.runOnce();
    expect(restarted.desiredState?.works[0].manifests).toHaveLength(61);
  });
});
