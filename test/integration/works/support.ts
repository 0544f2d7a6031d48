import { expect } from '@jest/globals';
import { parseImportManifest } from '../../../shared/agent-manifest.js';
import { systemClock, type Clock } from '../../../lambdas/ports/clock.js';
import type { Log } from '../../../lambdas/ports/log.js';
import { startTestHub, type TestHub } from '../../support/local-hub.js';

/**
 * A local hub (embedded dynalite and SQS emulator on 127.0.0.1, port 0) with a clock the test
 * moves, plus helpers for clusters, agents and works.
 */

/** Wall time plus an offset the test advances. */
export class MovableClock implements Clock {
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

export interface WorksHub extends TestHub {
  clock: MovableClock;
  /** Warnings and errors the hub logged (a failed step logs one): tests expect none. */
  problems: string[];
}

/** Starts a hub whose scheduler runs only when the test ticks, recording what it logs as a problem. */
export async function startWorksHub(): Promise<WorksHub> {
  const problems: string[] = [];
  const record = (level: string) => (message: string, fields?: Record<string, unknown>) =>
    void problems.push(`${level}: ${message} ${JSON.stringify(fields ?? {})}`);
  const log: Log = { debug() {}, info() {}, warn: record('warn'), error: record('error') };
  const hub = await startTestHub({ config: { pollIntervalSeconds: 20 }, log });
  const clock = new MovableClock();
  hub.ctx.ports.clock = clock;
  return Object.assign(hub, { clock, problems });
}

export const API = 'tether.dev/v1alpha1';

/** Creates a cluster through the admin API. */
export async function createCluster(
  hub: TestHub,
  name: string,
  labels: Record<string, string> = {},
  spec: Record<string, unknown> = {},
): Promise<void> {
  const res = await hub.api('/v1/clusters', { body: { apiVersion: API, kind: 'Cluster', metadata: { name, labels }, spec } });
  expect(res.status).toBe(201);
}

/** Imports (auto-accepted) and joins a cluster with a plain-fetch agent; returns its credential. */
export async function joinCluster(hub: TestHub, name: string, labels: Record<string, string> = {}): Promise<string> {
  const imported = await hub.api(`/v1/clusters/${name}/import`, { body: { autoAccept: true, labels } });
  expect(imported.status).toBe(200);
  const { bootstrapToken } = parseImportManifest(imported.body.manifest);
  const joined = await hub.api('/agent/v1/join', {
    token: bootstrapToken,
    body: { cluster: name, agentVersion: '0.1.0', claims: [{ name: 'id.k8s.io', value: `uid-${name}` }] },
  });
  expect(joined.status).toBe(200);
  return joined.body.credential as string;
}

/** A Work document. */
export function workDoc(name: string, manifests: unknown[], extra: Record<string, unknown> = {}, labels?: Record<string, string>) {
  return { apiVersion: API, kind: 'Work', metadata: { name, ...(labels ? { labels } : {}) }, spec: { workload: { manifests }, ...extra } };
}

export const deployment = (name = 'web', replicas = 2) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: 'shop' },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: 'nginx:1.27' }] } },
  },
});

/** The cluster's desired revision as the poll path sees it. */
export async function headRevision(hub: TestHub, cluster: string): Promise<number> {
  const head = await hub.ctx.ports.heads.get(cluster, { consistent: true });
  if (!head) throw new Error(`no head for ${cluster}`);
  return head.desiredRevision;
}
