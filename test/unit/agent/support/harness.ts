import { Agent, type AgentOptions } from '../../../../agent/agent.js';
import type { AgentClock } from '../../../../agent/clock.js';
import { jsonLog, type AgentLog } from '../../../../agent/log.js';
import { MemoryCluster } from '../../../../agent/kube/memory-cluster.js';
import { FakeHub } from './fake-hub.js';

/**
 * A clock for agent tests: time moves only when the agent sleeps, and every sleep yields to the
 * event loop once, so loops run at full speed and the intervals they asked for are recorded.
 */
export class TestClock implements AgentClock {
  t = Date.parse('2026-11-02T10:00:00Z');
  readonly sleeps: number[] = [];
  /** Called at the start of every sleep, with the sleep's number (1, 2, ...): a hook to change the world at a known time. */
  onSleep?: (n: number) => void;

  now(): number {
    return this.t;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return;
    this.sleeps.push(ms);
    this.onSleep?.(this.sleeps.length);
    this.t += ms;
    await new Promise((resolve) => setImmediate(resolve));
  }

  advance(ms: number): void {
    this.t += ms;
  }
}

/** Log lines captured as text (to grep for secrets) and parsed. */
export class CapturedLog {
  readonly lines: string[] = [];
  readonly log: AgentLog = jsonLog({ write: (l) => this.lines.push(l), level: 'debug' });

  get text(): string {
    return this.lines.join('');
  }

  messages(): string[] {
    return this.lines.map((l) => (JSON.parse(l) as { msg: string }).msg);
  }
}

/** Everything one agent test needs. */
export interface Rig {
  hub: FakeHub;
  cluster: MemoryCluster;
  clock: TestClock;
  logs: CapturedLog;
  bootstrapToken: string;
  agent: Agent;
  /** A new agent on the same cluster, as after a process restart. */
  restart(overrides?: Partial<AgentOptions>): Agent;
  close(): Promise<void>;
}

/** Starts a fake hub and builds an agent over a fresh in-memory cluster. */
export async function rig(overrides: Partial<AgentOptions> = {}, hubSetup?: (hub: FakeHub) => void): Promise<Rig> {
  const hub = await new FakeHub().start();
  hub.accepted = true;
  hubSetup?.(hub);
  const clock = new TestClock();
  const cluster = new MemoryCluster({ name: hub.cluster, now: () => clock.now() });
  const logs = new CapturedLog();
  const bootstrapToken = hub.issueBootstrapToken();
  const agents: Agent[] = [];
  const make = (o: Partial<AgentOptions> = {}) => {
    const a = new Agent({
      hubUrl: hub.url,
      cluster: hub.cluster,
      bootstrapToken,
      api: cluster,
      namespace: 'tether-agent',
      version: '0.1.0',
      clock,
      random: () => 0.5,
      log: logs.log,
      crdWaitMs: 2_000,
      ...overrides,
      ...o,
    });
    agents.push(a);
    return a;
  };
  return {
    hub,
    cluster,
    clock,
    logs,
    bootstrapToken,
    agent: make(),
    restart: make,
    close: async () => {
      for (const a of agents) await a.stop();
      cluster.close();
      await hub.close();
    },
  };
}

/** A Deployment manifest. */
export function deployment(
  name: string,
  namespace: string,
  extra: { replicas?: number; image?: string; labels?: Record<string, string> } = {},
) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, ...(extra.labels ? { labels: extra.labels } : {}) },
    spec: {
      replicas: extra.replicas ?? 2,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: extra.image ?? 'nginx:1.27' }] } },
    },
  };
}

export function namespace(name: string) {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

export function configMap(name: string, namespace: string, data: Record<string, string>) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data };
}

/** A work as the hub delivers it. */
export function work(
  name: string,
  manifests: Record<string, unknown>[],
  more: { generation?: number; manifestConfigs?: Record<string, unknown>[]; deleteOption?: Record<string, unknown> } = {},
) {
  return {
    name,
    uid: `uid-${name}`,
    generation: more.generation ?? 1,
    manifests,
    manifestConfigs: more.manifestConfigs ?? [],
    ...(more.deleteOption ? { deleteOption: more.deleteOption } : {}),
  };
}

/** Waits until `check` is true, polling on the event loop (the test clock does not move time here). */
export async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
