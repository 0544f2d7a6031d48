/**
 * `kill -9` of the local hub (`tether dev --demo 4`) in the middle of a rollout, at the worst
 * moment: right after an admin write is stored and before any of its follow-up work (relations,
 * head bumps, queued steps) runs. The hub restarts on the same data directory and must converge:
 * the relabelled cluster is placed and the rollout completes on it, and the cluster whose DELETE
 * was cut short is removed. The fault is injected by the local hub itself
 * (lambdas/local/fault-injection.ts, `TETHER_FAULT_INJECTION=1` and a request header), so the
 * kill lands exactly between the write and the send, every run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it, jest } from '@jest/globals';

// A restart waits out what the dead process held: in-flight queue messages (60 s visibility) and a
// rollout controller's lease (2 minutes).
jest.setTimeout(600_000);

const root = resolve(import.meta.dirname, '../..');
const dataDir = mkdtempSync(join(tmpdir(), 'tether-crash-'));
const API = 'tether.dev/v1alpha1';
let child: ChildProcess | undefined;
let port = 0;
let lastStatus: unknown;

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    await new Promise((done) => child!.once('exit', done));
  }
  rmSync(dataDir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => done(p));
    });
  });
}

/** Starts `tether dev --demo 4` on the data directory and waits for its banner. */
async function startHub(): Promise<void> {
  const proc = spawn(process.execPath, [join(root, 'bin', 'tether.js'), 'dev', '--port', String(port), '--data', dataDir, '--demo', '4'], {
    cwd: root,
    env: { ...process.env, TETHER_FAULT_INJECTION: '1', TETHER_REPLAY_GRACE_SECONDS: '2' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  let out = '';
  await new Promise<void>((done, fail) => {
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('Tether hub ready')) done();
    });
    proc.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    proc.once('exit', (code, signal) => fail(new Error(`tether dev exited (${code ?? signal}) before it was ready:\n${out}`)));
  });
}

async function api(path: string, init: { method?: string; body?: unknown; fault?: boolean; merge?: boolean } = {}) {
  const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      authorization: `Bearer ${token}`,
      ...(init.body !== undefined ? { 'content-type': init.merge ? 'application/merge-patch+json' : 'application/json' } : {}),
      ...(init.fault ? { 'tether-fault': 'kill-after-write' } : {}),
    },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
}

/** Sends a request armed with the fault and waits for the hub to die of it. */
async function killDuring(path: string, init: { method: string; body?: unknown; merge?: boolean }): Promise<void> {
  const proc = child!;
  const died = new Promise<NodeJS.Signals | null>((done) => proc.once('exit', (_code, signal) => done(signal)));
  await expect(api(path, { ...init, fault: true })).rejects.toThrow();
  expect(await died).toBe('SIGKILL');
}

const decided = async (placement: string) =>
  ((await api(`/v1/placements/${placement}/decisions`)).body?.items as { cluster: string }[] | undefined)?.map((d) => d.cluster).sort();

describe('kill -9 of the local hub between a write and its follow-up work', () => {
  it('converges after a restart: the relabelled cluster is placed and rolled out, the deleted cluster goes', async () => {
    port = await freePort();
    await startHub();
    await until('4 demo clusters joined', async () => {
      const items = (await api('/v1/clusters')).body?.items as { status?: { phase?: string } }[] | undefined;
      return items?.length === 4 && items.every((c) => c.status?.phase === 'Joined') ? true : undefined;
    });
    // store-0004 starts outside the rollout's placement.
    expect(
      (await api('/v1/clusters/store-0004', { method: 'PATCH', merge: true, body: { metadata: { labels: { fleet: 'lab' } } } })).status,
    ).toBe(200);
    expect(
      (
        await api('/v1/placements', {
          method: 'POST',
          body: {
            apiVersion: API,
            kind: 'Placement',
            metadata: { name: 'retail' },
            spec: { predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { fleet: 'retail' } } } }] },
          },
        })
      ).status,
    ).toBe(201);
    expect(
      (
        await api('/v1/fleetdeployments', {
          method: 'POST',
          body: {
            apiVersion: API,
            kind: 'FleetDeployment',
            metadata: { name: 'shop' },
            spec: {
              placementRef: { name: 'retail' },
              template: {
                workload: {
                  manifests: [{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'shop', namespace: 'default' }, data: { v: '1' } }],
                },
              },
              rolloutStrategy: { type: 'Progressive', maxConcurrency: 1 },
            },
          },
        })
      ).status,
    ).toBe(201);
    await until('the placement to choose the three retail stores', async () =>
      (await decided('retail'))?.length === 3 ? true : undefined,
    );

    // The rollout is under way; store-0004 joins the fleet and the hub dies right after storing the label.
    await killDuring('/v1/clusters/store-0004', { method: 'PATCH', merge: true, body: { metadata: { labels: { fleet: 'retail' } } } });
    await startHub();
    expect((await api('/v1/clusters/store-0004')).body.metadata.labels.fleet).toBe('retail');
    await until('store-0004 to be placed after the restart', async () =>
      (await decided('retail'))?.includes('store-0004') ? true : undefined,
    );
    await until(
      'the rollout to reach all four stores',
      async () => {
        const status = (await api('/v1/fleetdeployments/shop')).body?.status;
        const s = status?.summary as { total: number; updated: number; available: number } | undefined;
        lastStatus = status;
        return s && s.total === 4 && s.updated === 4 && s.available === 4 ? s : undefined;
      },
      300_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; the rollout's status: ${JSON.stringify(lastStatus)}`);
    });

    // A DELETE answered 202 and cut short after the cluster was marked: it finishes after a restart.
    await killDuring('/v1/clusters/store-0003', { method: 'DELETE' });
    await startHub();
    const marked = await api('/v1/clusters/store-0003');
    if (marked.status === 200) expect(marked.body.metadata.deletionTimestamp).toBeDefined();
    await until('store-0003 to be removed', async () => ((await api('/v1/clusters/store-0003')).status === 404 ? true : undefined));
  });
});
