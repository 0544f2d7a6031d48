import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { clockAt } from '../../../lambdas/ports/clock.js';
import { startTestHub, type TestHub } from '../../support/local-hub.js';
import { configMap, createClusters, createPlacement, drain, fleetDeployment, markOnline, reportWork, worksOf } from './support/fleet.js';

/**
 * FleetDeployment through the admin API of a real local hub (dynalite, SQS emulator, worker):
 * validation problems, fan-out to the placement's clusters with templating and overrides, per-cluster
 * template errors, progressive waves driven by work status, pause/resume/abort/rollback, and the
 * audited window override.
 */

let hub: TestHub;
const stores = Array.from({ length: 6 }, (_, i) => ({
  name: `store-${i}`,
  labels: { fleet: 'retail', ring: i < 2 ? 'canary' : 'stable', region: i % 2 ? 'eu' : 'us', ...(i === 5 ? {} : { city: `city-${i}` }) },
}));
const names = stores.map((s) => s.name);

beforeAll(async () => {
  hub = await startTestHub({ config: { fanOutBatchSize: 2 } });
  await createClusters(hub, stores);
  await createPlacement(hub, 'retail', 'retail', [{ groupName: 'canary', labels: { ring: 'canary' } }]);
  for (const s of names) await markOnline(hub.ctx, s);
  await drain(hub);
}, 60_000);
afterAll(async () => {
  await hub?.stop();
});

async function status(name: string) {
  const res = await hub.api(`/v1/fleetdeployments/${name}/status`);
  expect(res.status).toBe(200);
  return res.body;
}

/** Reports every listed cluster's work of `name` healthy, then lets the controller react. */
async function reportAll(name: string, clusters: string[], health = { applied: true, available: true }) {
  for (const c of clusters) await reportWork(hub.ctx, c, name, health);
  await drain(hub);
}

describe('validation', () => {
  it('answers 422 with a field error for each bad field', async () => {
    const res = await hub.api('/v1/fleetdeployments', {
      body: fleetDeployment('bad', {
        template: { workload: { manifests: [configMap('x', { a: '{{ .cluster.nope }}' })] } },
        placementRef: { name: 'retail' },
        rolloutStrategy: {
          type: 'Canary',
          maxConcurrency: -1,
          maxFailures: '150%',
          minSuccessTime: 'soon',
          progressDeadline: '10 minutes',
        },
        maintenanceWindows: [{ schedule: '0 25 * * *', duration: '2h', timeZone: 'Mars/Olympus' }],
      }),
    });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const errors = Object.fromEntries((res.body.errors as { path: string; message: string }[]).map((e) => [e.path, e.message]));
    expect(errors).toEqual({
      'spec.rolloutStrategy.type': 'rolloutStrategy.type must be one of All, Progressive, ProgressivePerGroup',
      'spec.rolloutStrategy.maxConcurrency': 'must be at least 1, got -1',
      'spec.rolloutStrategy.minSuccessTime': 'must be a duration such as "30s", "5m" or "1h30m", got "soon"',
      'spec.rolloutStrategy.progressDeadline': 'must be a duration such as "30s", "5m" or "1h30m", or "None", got "10 minutes"',
      'spec.rolloutStrategy.maxFailures': 'percentage must be between 0% and 100%, got 150%',
      'spec.maintenanceWindows.0.schedule': 'invalid cron expression "0 25 * * *": Constraint error, got value 25 expected range 0-23',
      'spec.maintenanceWindows.0.timeZone':
        'unknown time zone "Mars/Olympus"; use an IANA name such as "America/New_York", "Europe/Berlin" or "UTC"',
    });
  });

  it('checks template syntax at write time, and refuses a template too big to store with 413', async () => {
    const syntax = await hub.api('/v1/fleetdeployments', {
      body: fleetDeployment('syntax', {
        template: { workload: { manifests: [configMap('x', { a: '{{ .cluster.nope }}' })] } },
        placementRef: { name: 'retail' },
      }),
    });
    expect(syntax.status).toBe(422);
    expect(syntax.body.errors[0].path).toBe('spec.template.workload.manifests.0.data.a');
    // Random data does not compress: ~600 KB of it is over the item limit even gzipped.
    const noise = Array.from({ length: 600 }, (_, i) => [
      `k${i}`,
      Buffer.from(Array.from({ length: 768 }, () => Math.floor(Math.random() * 256))).toString('base64'),
    ]);
    const huge = await hub.api('/v1/fleetdeployments', {
      body: fleetDeployment('huge', {
        template: { workload: { manifests: [configMap('x', Object.fromEntries(noise))] } },
        placementRef: { name: 'retail' },
      }),
    });
    expect(huge.status).toBe(413);
    expect(huge.body).toMatchObject({ limitBytes: expect.any(Number), actualBytes: expect.any(Number) });
    expect(huge.body.actualBytes).toBeGreaterThan(huge.body.limitBytes);
  });
});

describe('placement', () => {
  it('a deployment whose placement is missing is never Complete, and says why', async () => {
    const res = await hub.api('/v1/fleetdeployments', {
      body: fleetDeployment('orphan', {
        template: { workload: { manifests: [configMap('x', { a: 'b' })] } },
        placementRef: { name: 'nowhere' },
      }),
    });
    expect(res.status).toBe(201);
    await drain(hub);
    const s = await status('orphan');
    expect(s).toMatchObject({ state: 'Pending', summary: { total: 0 } });
    expect(s.conditions.find((c: { type: string }) => c.type === 'Progressing')).toMatchObject({
      status: 'False',
      reason: 'PlacementUnavailable',
      message: 'Placement "nowhere" does not exist',
    });
    expect(s.conditions.find((c: { type: string }) => c.type === 'Complete')).toMatchObject({ status: 'False' });
    expect((await hub.api('/v1/fleetdeployments/orphan', { method: 'DELETE' })).status).toBe(200);
    await drain(hub);
  });
});

describe('fan-out and templating', () => {
  it('writes one rendered Work per cluster; a missing label is an error for that cluster only', async () => {
    const created = await hub.api('/v1/fleetdeployments', {
      body: fleetDeployment('pos', {
        template: {
          workload: {
            manifests: [configMap('pos', { store: '{{ .cluster.name }}', city: '{{ .cluster.labels.city }}', image: 'nginx:1.27' })],
          },
        },
        placementRef: { name: 'retail' },
        overrides: [
          {
            clusterSelector: { matchLabels: { region: 'eu' } },
            manifestSelector: { kind: 'ConfigMap' },
            patch: { data: { mirror: 'eu.example.com' } },
          },
        ],
        rolloutStrategy: { type: 'All' },
      }),
    });
    expect(created.status).toBe(201);
    await drain(hub);
    const works = await worksOf(hub.ctx, names, 'pos');
    expect(Object.keys(works).sort()).toEqual(names.slice(0, 5));
    expect((works['store-1'].spec as { workload: { manifests: { data: Record<string, string> }[] } }).workload.manifests[0].data).toEqual({
      store: 'store-1',
      city: 'city-1',
      image: 'nginx:1.27',
      mirror: 'eu.example.com',
    });
    expect(
      (works['store-0'].spec as { workload: { manifests: { data: Record<string, string> }[] } }).workload.manifests[0].data.mirror,
    ).toBeUndefined();
    expect(works['store-0'].revision).toBe('1');
    const s = await status('pos');
    expect(s.clusters).toEqual([
      { cluster: 'store-5', reason: 'TemplateError', message: expect.stringContaining('label "city" is not set on cluster store-5') },
    ]);
    expect(s.summary).toMatchObject({ total: 6, updated: 0, templateErrors: 1 });
    await reportAll('pos', names.slice(0, 5));
    const after = await status('pos');
    expect(after.summary).toMatchObject({ total: 6, updated: 5, applied: 5, available: 5, failed: 0, templateErrors: 1 });
    // Done, but one cluster did not get the release: complete with failures, never a plain Complete.
    expect(after.state).toBe('CompleteWithFailures');
    expect(after.conditions.find((c: { type: string }) => c.type === 'Complete')).toMatchObject({
      status: 'True',
      message: 'all 6 clusters processed; 1 with template errors',
    });
  }, 60_000);

  it('retries a template error after a while, so fixing the label is enough', async () => {
    const patched = await hub.api('/v1/clusters/store-5', {
      method: 'PATCH',
      body: { metadata: { labels: { ...stores[5].labels, city: 'city-5' } } },
    });
    expect(patched.status).toBe(200);
    // Five minutes later (TEMPLATE_RETRY_MS) the controller hands the revision to store-5 again.
    const real = hub.ctx.ports.clock;
    hub.ctx.ports.clock = clockAt(() => real.now() + 6 * 60_000);
    try {
      for (const s of names) await markOnline(hub.ctx, s);
      await drain(hub);
      const works = await worksOf(hub.ctx, names, 'pos');
      expect(
        (works['store-5'].spec as { workload: { manifests: { data: Record<string, string> }[] } }).workload.manifests[0].data.city,
      ).toBe('city-5');
      await reportAll('pos', ['store-5']);
      expect(await status('pos')).toMatchObject({ state: 'Complete', clusters: [], summary: { total: 6, updated: 6, templateErrors: 0 } });
    } finally {
      hub.ctx.ports.clock = real;
      for (const s of names) await markOnline(hub.ctx, s);
    }
  }, 60_000);

  it('serves the status with a content ETag and 304 while nothing changed', async () => {
    const first = await hub.api('/v1/fleetdeployments/pos/status');
    const tag = first.headers.get('etag');
    expect(tag).toMatch(/^"[0-9a-f]{32}"$/);
    const again = await hub.api('/v1/fleetdeployments/pos/status', { headers: { 'if-none-match': tag as string } });
    expect(again.status).toBe(304);
    expect(again.text).toBe('');
  });
});

describe('progressive rollout controls', () => {
  const template = (version: string) => ({ workload: { manifests: [configMap('app', { version })] } });

  async function setVersion(version: string) {
    const res = await hub.api('/v1/fleetdeployments/app', { method: 'PATCH', body: { spec: { template: template(version) } } });
    expect(res.status).toBe(200);
    await drain(hub);
  }

  it('rolls out canary first, one wave at a time, pauses at maxFailures, resumes, then completes', async () => {
    const created = await hub.api('/v1/fleetdeployments', {
      body: fleetDeployment('app', {
        template: template('v1'),
        placementRef: { name: 'retail' },
        rolloutStrategy: { type: 'Progressive', maxConcurrency: 2, mandatoryDecisionGroups: [{ groupName: 'canary' }] },
      }),
    });
    expect(created.status).toBe(201);
    await drain(hub);
    expect(Object.keys(await worksOf(hub.ctx, names, 'app')).sort()).toEqual(['store-0', 'store-1']);
    let s = await status('app');
    expect(s.groups[0]).toMatchObject({ name: 'canary', total: 2, state: 'Progressing', mandatory: true });
    await reportAll('app', ['store-0', 'store-1']);
    expect(Object.keys(await worksOf(hub.ctx, names, 'app')).sort()).toEqual(['store-0', 'store-1', 'store-2', 'store-3']);
    // One cluster of the second wave fails to apply: maxFailures 0 pauses the rollout.
    await reportWork(hub.ctx, 'store-2', 'app', { applied: false, available: false, message: 'Deployment pos: image pull failed' });
    await reportAll('app', ['store-3']);
    s = await status('app');
    expect(s.state).toBe('Failed');
    expect(s.pausedReason).toBe('MaxFailuresExceeded');
    expect(s.clusters).toContainEqual({ cluster: 'store-2', reason: 'ApplyFailed', message: 'Deployment pos: image pull failed' });
    expect(Object.keys(await worksOf(hub.ctx, names, 'app'))).toHaveLength(4);

    const resumed = await hub.api('/v1/fleetdeployments/app/resume', { method: 'POST' });
    expect(resumed.status).toBe(200);
    await drain(hub);
    s = await status('app');
    expect(s.state).toBe('Progressing');
    expect(s.control.acknowledgedFailures).toEqual({ revision: 1, count: 1 });
    expect(Object.keys(await worksOf(hub.ctx, names, 'app')).sort()).toEqual(names);
    await reportAll('app', ['store-4', 'store-5']);
    s = await status('app');
    expect(s).toMatchObject({ state: 'CompleteWithFailures', summary: { total: 6, updated: 6, available: 5, failed: 1 } });
    expect(hub.audit.filter((e) => e.action === 'fleetdeployment.resume')).toHaveLength(1);
  }, 60_000);

  it('pause stops new waves; abort keeps what is applied; rollback returns updated clusters to the previous revision', async () => {
    await reportAll('app', ['store-2']);
    await setVersion('v2');
    let works = await worksOf(hub.ctx, names, 'app');
    const v2 = names.filter((c) => works[c].revision === '2');
    expect(v2).toEqual(['store-0', 'store-1']);

    expect((await hub.api('/v1/fleetdeployments/app/pause', { method: 'POST' })).status).toBe(200);
    await reportAll('app', v2);
    works = await worksOf(hub.ctx, names, 'app');
    expect(names.filter((c) => works[c].revision === '2')).toEqual(['store-0', 'store-1']);
    let s = await status('app');
    expect(s).toMatchObject({ state: 'Paused', pausedReason: 'PausedByUser' });

    expect((await hub.api('/v1/fleetdeployments/app/resume', { method: 'POST' })).status).toBe(200);
    await drain(hub);
    works = await worksOf(hub.ctx, names, 'app');
    expect(names.filter((c) => works[c].revision === '2')).toEqual(['store-0', 'store-1', 'store-2', 'store-3']);

    expect((await hub.api('/v1/fleetdeployments/app/abort', { method: 'POST' })).status).toBe(200);
    await reportAll('app', ['store-2', 'store-3']);
    s = await status('app');
    expect(s.state).toBe('Aborted');
    works = await worksOf(hub.ctx, names, 'app');
    expect(names.map((c) => works[c].revision)).toEqual(['2', '2', '2', '2', '1', '1']);

    const rolled = await hub.api('/v1/fleetdeployments/app/rollback', { method: 'POST' });
    expect(rolled.status).toBe(200);
    expect(rolled.body.spec.template.workload.manifests[0].data).toEqual({ version: 'v1' });
    await drain(hub);
    s = await status('app');
    expect(s.revision).toBe(3);
    // Clusters that never left v1 count at once; the four on v2 roll back two at a time.
    expect(s.summary.updated).toBe(2);
    works = await worksOf(hub.ctx, names, 'app');
    expect(
      names.map((c) => (works[c].spec as { workload: { manifests: { data: { version: string } }[] } }).workload.manifests[0].data.version),
    ).toEqual(['v1', 'v1', 'v2', 'v2', 'v1', 'v1']);
    await reportAll('app', ['store-0', 'store-1']);
    await reportAll('app', ['store-2', 'store-3']);
    s = await status('app');
    expect(s).toMatchObject({ state: 'Complete', revision: 3, summary: { updated: 6, available: 6, failed: 0 } });
    const revisions = await hub.ctx.ports.resources.list('FleetDeploymentRevision', { namespace: 'app', limit: 20, consistent: true });
    expect(revisions.items.map((r) => [(r.spec as { revision: number }).revision, (r.spec as { rollbackOf?: number }).rollbackOf])).toEqual(
      [
        [1, undefined],
        [2, undefined],
        [3, 1],
      ],
    );
    expect(hub.audit.filter((e) => String(e.action).startsWith('fleetdeployment.')).map((e) => e.action)).toEqual([
      'fleetdeployment.resume',
      'fleetdeployment.pause',
      'fleetdeployment.resume',
      'fleetdeployment.abort',
      'fleetdeployment.rollback',
    ]);
  }, 90_000);

  it('rollback without an earlier revision is a 409; unknown deployments are 404', async () => {
    const r = await hub.api('/v1/fleetdeployments/pos/rollback', { method: 'POST' });
    expect(r.status).toBe(409);
    expect(r.body.detail).toMatch(/no earlier revision/);
    expect((await hub.api('/v1/fleetdeployments/nope/pause', { method: 'POST' })).status).toBe(404);
  });
});

describe('deletion', () => {
  it('removes the Works, revisions and index items of a deleted FleetDeployment', async () => {
    expect(Object.keys(await worksOf(hub.ctx, names, 'pos'))).toHaveLength(6);
    const del = await hub.api('/v1/fleetdeployments/pos', { method: 'DELETE' });
    expect(del.status).toBe(200);
    await drain(hub);
    expect(await worksOf(hub.ctx, names, 'pos')).toEqual({});
    expect(
      (await hub.ctx.ports.resources.list('FleetDeploymentRevision', { namespace: 'pos', limit: 20, consistent: true })).items,
    ).toEqual([]);
    expect((await hub.ctx.ports.relations.list('fleetdeployment-clusters', 'pos', { limit: 20 })).items).toEqual([]);
    expect(
      (await hub.ctx.ports.relations.list('placement-fleetdeployments', 'retail', { limit: 20 })).items.map((i) => i.to),
    ).not.toContain('pos');
  }, 60_000);
});

describe('maintenance windows', () => {
  it('holds clusters outside their window as pendingWindow until an audited emergency override', async () => {
    // A window that is never open now: one minute long, starting a few hours from now (UTC).
    const hour = (new Date().getUTCHours() + 6) % 24;
    const created = await hub.api('/v1/fleetdeployments', {
      body: fleetDeployment('night', {
        template: { workload: { manifests: [configMap('night', { a: 'b' })] } },
        placementRef: { name: 'retail' },
        maintenanceWindows: [{ schedule: `0 ${hour} * * *`, duration: '1m', timeZone: 'UTC' }],
      }),
    });
    expect(created.status).toBe(201);
    await drain(hub);
    let s = await status('night');
    expect(s).toMatchObject({ state: 'WaitingForWindow', summary: { total: 6, pendingWindow: 6, updated: 0 } });
    expect(await worksOf(hub.ctx, names, 'night')).toEqual({});

    const bad = await hub.api('/v1/fleetdeployments/night/override-window', { body: {} });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0]).toEqual({
      path: 'reason',
      message: 'reason is required: say why windows are overridden (it goes to the audit log)',
    });
    const past = await hub.api('/v1/fleetdeployments/night/override-window', {
      body: { reason: 'security fix', until: '2020-01-01T00:00:00Z' },
    });
    expect(past.status).toBe(422);

    const ok = await hub.api('/v1/fleetdeployments/night/override-window', { body: { reason: 'CVE-2026-1234 hotfix' } });
    expect(ok.status).toBe(200);
    expect(ok.body.status.control.windowOverride).toMatchObject({ reason: 'CVE-2026-1234 hotfix', revision: 1 });
    expect(hub.audit.filter((e) => e.action === 'fleetdeployment.override-window')).toEqual([
      expect.objectContaining({ outcome: 'allowed', fleetDeployment: 'night', reason: 'CVE-2026-1234 hotfix', revision: 1 }),
    ]);
    await drain(hub);
    expect(Object.keys(await worksOf(hub.ctx, names, 'night'))).toHaveLength(6);
    s = await status('night');
    expect(s.summary.pendingWindow).toBe(0);
  }, 60_000);
});
