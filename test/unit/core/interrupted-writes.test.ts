import { describe, expect, it } from '@jest/globals';
import { parseImportManifest } from '../../../shared/agent-manifest.js';
import { REPLAY_GRACE_MS } from '../../../lambdas/core/pending-changes.js';
import { crashAfterWrite, type Crash } from '../../support/crash.js';
import { harness, type Harness } from '../../support/step-story.js';

/**
 * Fault injection between an admin write and its follow-up work (relations, head bumps, queued
 * steps): the "process" dies right after the write is stored, the request fails, and nothing of
 * the follow-up happens. The scheduler's replay of open changes (lambdas/core/pending-changes.ts)
 * must make every such change converge: a relabelled cluster is placed, a deleted cluster goes, a
 * new work reaches its agent, a new placement decides.
 */

const API = 'tether.dev/v1alpha1';

async function fleet(): Promise<{ h: Harness; crash: Crash; credentials: Record<string, string> }> {
  const h = await harness('once');
  const credentials: Record<string, string> = {};
  for (const [name, labels] of [
    ['s1', { fleet: 'a' }],
    ['s2', { fleet: 'b' }],
  ] as const) {
    const imported = await h.admin('POST', `/v1/clusters/${name}/import`, { autoAccept: true, labels });
    expect(imported.status).toBe(200);
    const { bootstrapToken } = parseImportManifest(imported.body.manifest as string, 'manifest');
    const joined = await h.agent('POST', '/agent/v1/join', bootstrapToken, {
      cluster: name,
      agentVersion: '0.1.0',
      claims: [{ name: 'id.k8s.io', value: `uid-${name}` }],
    });
    expect(joined.status).toBe(200);
    credentials[name] = joined.body.credential as string;
  }
  await h.deliver();
  for (const c of Object.values(credentials)) expect((await h.agent('GET', '/agent/v1/desired', c)).status).toBe(200);
  await h.deliver();
  return { h, crash: crashAfterWrite(h.hub.ctx, 'resource'), credentials };
}

const placement = (name: string, fleetLabel: string) => ({
  apiVersion: API,
  kind: 'Placement',
  metadata: { name },
  spec: { predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { fleet: fleetLabel } } } }] },
});

async function decided(h: Harness, name: string): Promise<string[]> {
  const res = await h.admin('GET', `/v1/placements/${name}/decisions`);
  expect(res.status).toBe(200);
  return (res.body.items as { cluster: string }[]).map((d) => d.cluster).sort();
}

async function openChanges(h: Harness): Promise<number> {
  return (await h.hub.ctx.ports.pendingChanges.due(Number.MAX_SAFE_INTEGER, 1000)).length;
}

/** The crashed request, then the restart: time passes beyond the grace period and the scheduler ticks. */
async function crashThenRecover(h: Harness, crash: Crash, request: () => Promise<{ status: number }>) {
  crash.arm();
  const res = await request();
  expect(crash.crashed()).toBe(true);
  expect(res.status).toBe(500);
  crash.disarm();
  await h.deliver();
}

async function recover(h: Harness): Promise<void> {
  await h.advance(REPLAY_GRACE_MS + 1_000);
  await h.tick();
}

describe('an admin write interrupted between the write and its follow-up work', () => {
  it('a relabelled cluster is placed once the replay runs', async () => {
    const { h, crash } = await fleet();
    expect((await h.admin('POST', '/v1/placements', placement('a-stores', 'a'))).status).toBe(201);
    await h.deliver();
    expect(await decided(h, 'a-stores')).toEqual(['s1']);

    await crashThenRecover(h, crash, () => h.admin('PATCH', '/v1/clusters/s2', { metadata: { labels: { fleet: 'a' } } }));
    // The label is stored, but nothing acted on it.
    expect((await h.admin('GET', '/v1/clusters/s2')).body.metadata.labels.fleet).toBe('a');
    expect(await decided(h, 'a-stores')).toEqual(['s1']);
    expect(await openChanges(h)).toBe(1);

    await recover(h);
    expect(await decided(h, 'a-stores')).toEqual(['s1', 's2']);
    expect(await openChanges(h)).toBe(0);
  });

  it('a cluster whose DELETE was interrupted after it was marked is finally removed', async () => {
    const { h, crash } = await fleet();
    await crashThenRecover(h, crash, () => h.admin('DELETE', '/v1/clusters/s2'));
    const marked = await h.admin('GET', '/v1/clusters/s2');
    expect(marked.status).toBe(200);
    expect(marked.body.metadata.deletionTimestamp).toBeDefined();

    await recover(h);
    expect((await h.admin('GET', '/v1/clusters/s2')).status).toBe(404);
    expect(await openChanges(h)).toBe(0);
  });

  it('a new work reaches its agent (the revision moves) once the replay runs', async () => {
    const { h, crash, credentials } = await fleet();
    const before = (await h.agent('GET', '/agent/v1/desired', credentials.s1)).body.revision as string;
    await crashThenRecover(h, crash, () =>
      h.admin('POST', '/v1/clusters/s1/works', {
        apiVersion: API,
        kind: 'Work',
        metadata: { name: 'cm', namespace: 's1' },
        spec: {
          workload: {
            manifests: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'default' }, data: { a: '1' } }],
          },
        },
      }),
    );
    expect((await h.agent('GET', '/agent/v1/desired', credentials.s1)).body.revision).toBe(before);

    await recover(h);
    const after = await h.agent('GET', '/agent/v1/desired', credentials.s1);
    expect(after.body.revision).not.toBe(before);
    expect((after.body.works as { name: string }[]).map((w) => w.name)).toEqual(['cm']);
  });

  it('a new placement decides once the replay runs', async () => {
    const { h, crash } = await fleet();
    await crashThenRecover(h, crash, () => h.admin('POST', '/v1/placements', placement('b-stores', 'b')));
    expect(await decided(h, 'b-stores')).toEqual([]);
    await recover(h);
    expect(await decided(h, 'b-stores')).toEqual(['s2']);
  });

  it('a write that never happened replays nothing, and a refused write leaves nothing open', async () => {
    const { h } = await fleet();
    const resources = h.hub.ctx.ports.resources as unknown as { replace: (...a: unknown[]) => Promise<unknown> };
    const replace = resources.replace;
    resources.replace = async () => {
      throw new Error('simulated crash before the write');
    };
    expect((await h.admin('PATCH', '/v1/clusters/s2', { metadata: { labels: { fleet: 'a' } } })).status).toBe(500);
    resources.replace = replace;
    expect(await openChanges(h)).toBe(1);
    await recover(h);
    expect(await openChanges(h)).toBe(0);
    expect((await h.admin('GET', '/v1/clusters/s2')).body.metadata.labels.fleet).toBe('b');

    // A 422 is the caller's problem: no change is left open for it.
    expect((await h.admin('POST', '/v1/placements', { ...placement('bad', 'a'), spec: { numberOfClusters: -1 } })).status).toBe(422);
    expect(await openChanges(h)).toBe(0);
  });
});
