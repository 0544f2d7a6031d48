import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseImportManifest } from '../../../shared/agent-manifest.js';
import type { HubConfig } from '../../../lambdas/core/context.js';
import { startLocalHub, type LocalHub } from '../../../lambdas/local/local-hub.js';
import { silentLog } from '../../../lambdas/ports/log.js';
import { systemClock, type Clock } from '../../../lambdas/ports/clock.js';

/**
 * A real local hub (embedded dynalite and SQS emulator on 127.0.0.1, port 0) for lifecycle tests,
 * with a clock the test can move forward, and a plain-fetch fake agent.
 */

/** Wall time plus an offset the test advances. */
export class TestClock implements Clock {
  offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }
  /** Real waits: only the time is moved. */
  sleep(ms: number): Promise<void> {
    return systemClock.sleep(ms);
  }
  random(): number {
    return systemClock.random();
  }
}

export interface TestHub {
  hub: LocalHub;
  clock: TestClock;
  admin(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Answer>;
  agent(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> },
  ): Promise<Answer>;
  close(): Promise<void>;
}

/** A response with its body parsed when it is JSON. */
export interface Answer {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

async function answer(res: Response): Promise<Answer> {
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: res.status, headers: res.headers, body, text };
}

/** Starts a local hub in a fresh temp data dir; the scheduler only runs when the test ticks. */
export async function startTestHub(config: Partial<HubConfig> = {}): Promise<TestHub> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tether-lifecycle-'));
  const hub = await startLocalHub({ port: 0, dataDir, schedulerIntervalMs: 3_600_000, log: silentLog, config });
  const clock = new TestClock();
  hub.ctx.ports.clock = clock;
  const call = async (method: string, path: string, body: unknown, raw: string | undefined, headers: Record<string, string>) => {
    const init: RequestInit = { method, headers: { ...headers } };
    if (raw !== undefined) init.body = raw;
    else if (body !== undefined) {
      init.body = JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
    }
    return answer(await fetch(`${hub.url}${path}`, init));
  };
  return {
    hub,
    clock,
    admin: (method, path, body, headers = {}) =>
      call(method, path, body, undefined, { authorization: `Bearer ${hub.adminToken}`, ...headers }),
    agent: (method, path, opts = {}) =>
      call(method, path, opts.body, opts.raw, {
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        ...(opts.headers ?? {}),
      }),
    close: async () => {
      await hub.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Claims a fake agent sends. */
export function claimsOf(id: string, kube = 'v1.31.2'): { name: string; value: string }[] {
  return [
    { name: 'id.k8s.io', value: id },
    { name: 'kubeversion.tether.dev', value: kube },
    { name: 'platform.tether.dev', value: 'k3s' },
  ];
}

/** Imports a cluster and returns the bootstrap token from its manifest. */
export async function importCluster(
  t: TestHub,
  name: string,
  body: Record<string, unknown> = {},
): Promise<{ token: string; answer: Answer }> {
  const res = await t.admin('POST', `/v1/clusters/${name}/import`, body);
  if (res.status !== 200) throw new Error(`import ${name}: ${res.status} ${res.text}`);
  return { token: parseImportManifest(res.body.manifest).bootstrapToken, answer: res };
}

/** Imports (auto-accepted) and joins a cluster; returns its credential. */
export async function joinedCluster(t: TestHub, name: string, id = `uid-${name}`): Promise<string> {
  const { token } = await importCluster(t, name, { autoAccept: true });
  const res = await t.agent('POST', '/agent/v1/join', { token, body: { cluster: name, agentVersion: '0.1.0', claims: claimsOf(id) } });
  if (res.status !== 200) throw new Error(`join ${name}: ${res.status} ${res.text}`);
  return res.body.credential as string;
}

/** A status report body. */
export function report(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { observedRevision: '1', agentVersion: '0.1.0', healthy: true, ...extra };
}
