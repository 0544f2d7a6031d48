import { parseImportManifest } from '../../shared/agent-manifest.js';
import { sha256Hex } from '../../shared/hash.js';
import { syncObjectHash } from '../../shared/protocol/sync.js';
import { ingestWorkReports } from '../../lambdas/capabilities/works/ingest.js';
import { composeCapabilities } from '../../lambdas/handlers/compose.js';
import { runSchedulerTick } from '../../lambdas/core/periodic-tasks.js';
import { runStep } from '../../lambdas/core/steps.js';
import { createAdminApi } from '../../lambdas/http/admin-api.js';
import { createAgentApi } from '../../lambdas/http/agent-api.js';
import { toProblem } from '../../lambdas/http/problem.js';
import type { HttpRequest } from '../../lambdas/http/request.js';
import type { StepMessage } from '../../lambdas/ports/queue.js';
import { crashAfterWrite } from './crash.js';
import { memoryHubContext, type MemoryHub } from './memory-hub.js';

/**
 * One story of a fleet's life on the memory ports, driven through the real admin and agent APIs
 * (clusters import, join and poll; a cluster set, placements, a rollout, work status, a policy,
 * relabelling, an upgrade that misses its deadline, a detach, silent agents, deletions), which
 * delivers every step type of the hub: the step-delivery tests run it with different deliveries
 * (once, twice, late duplicates, through the real SQS poller) and compare the stored state.
 */

/** How the queue is delivered: see test/unit/core/step-duplicates.test.ts. */
export type Mode = 'once' | 'twice' | 'late' | 'crash';
const API = 'tether.dev/v1alpha1';
const ADMIN_TOKEN = 'dup-admin';

/** A hub the story drives, and how its queue is delivered. */
export interface Harness {
  hub: MemoryHub;
  seen: Set<string>;
  /** In mode `crash`: the step types whose first delivery died after a write. */
  crashed: ReadonlySet<string>;
  /** In mode `twice`: the step types whose second delivery changed the stored state, with what changed. */
  changedByDuplicate: Map<string, string[]>;
  admin(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
  agent(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: any }>;
  deliver(): Promise<void>;
  advance(ms: number): Promise<void>;
  tick(): Promise<void>;
}

function request(method: string, path: string, token: string, body?: unknown): HttpRequest {
  return {
    method,
    path,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    query: {},
    body: body === undefined ? '' : JSON.stringify(body),
    params: {},
    requestId: 'dup',
    sourceIp: '192.0.2.1',
  };
}

/**
 * A memory hub with the admin and agent APIs in process. `mode` picks how the memory queue is
 * delivered; `deliverWith` replaces that delivery altogether (e.g. the real SQS poller), given the
 * hub and the set to record delivered step types in.
 */
export async function harness(mode: Mode, deliverWith?: (hub: MemoryHub, seen: Set<string>) => () => Promise<void>): Promise<Harness> {
  const hub = memoryHubContext({ config: { hubUrl: 'https://hub.example.com' } });
  await hub.ctx.ports.adminTokens.put({ hash: sha256Hex(ADMIN_TOKEN), role: 'admin', createdAt: 0 });
  const { routes } = composeCapabilities();
  const adminApi = createAdminApi(hub.ctx, routes.admin);
  const agentApi = createAgentApi(hub.ctx, routes.agent);
  const call = async (app: typeof adminApi, req: HttpRequest) => {
    try {
      const res = await app(req);
      return { status: res.status, body: res.body as any };
    } catch (err) {
      const { problem } = toProblem(err);
      return { status: problem.status, body: problem as any };
    }
  };
  const seen = new Set<string>();
  // Mode `crash`: each delivery dies right after the step's first write, then SQS delivers it again.
  const crash = mode === 'crash' ? crashAfterWrite(hub.ctx, 'any') : undefined;
  const crashedTypes = new Set<string>();
  const changedByDuplicate = new Map<string, string[]>();
  const run = async (m: StepMessage, tick: boolean, attempt = 1) => {
    seen.add(m.type);
    if (tick) hub.clock.advance(1);
    await runStep(m, hub.ctx, { attempt });
    if (tick) hub.clock.advance(1);
  };
  const deliver = async () => {
    let delivered = 0;
    let crashes = crashedTypes.size;
    await deliverDue();
    // Mode `crash`: recovery may take the hub's own timers (a dead run's controller lease expires
    // after 2 minutes), so the story goes on only once they have run.
    while (crashedTypes.size > crashes) {
      crashes = crashedTypes.size;
      // Not a scheduler tick: the agents are not polling in this story, and a tick would expire their leases.
      hub.clock.advance(130_000);
      await deliverDue();
    }
    async function deliverDue(): Promise<void> {
      for (let due = hub.ports.queue.takeDue(); due.length > 0; due = hub.ports.queue.takeDue()) {
        if ((delivered += due.length) > 5_000) throw new Error('the queue does not settle');
        const batch = due.map((d) => ({ type: d.type, payload: structuredClone(d.payload) }) as StepMessage);
        for (const m of batch) {
          // Mode `crash`: the first delivery of each step type that writes dies after its first write.
          if (crash && !crashedTypes.has(m.type)) {
            crash.arm();
            await run(m, true).catch(() => undefined);
            const died = crash.crashed();
            crash.disarm();
            // The message was never deleted: it comes back once its visibility timeout has passed.
            if (died) {
              crashedTypes.add(m.type);
              await run({ ...m, payload: structuredClone(m.payload) }, true, 2);
            }
            continue;
          }
          await run(m, true);
          // The duplicate runs at the same instant: a step that is idempotent writes nothing new.
          if (mode === 'twice') {
            const before = snapshot(hub);
            await run({ ...m, payload: structuredClone(m.payload) }, false);
            const changed = changedParts(before, snapshot(hub));
            if (changed.length) changedByDuplicate.set(m.type, [...new Set([...(changedByDuplicate.get(m.type) ?? []), ...changed])]);
          }
        }
        if (mode === 'late') for (const m of [...batch].reverse()) await run({ ...m, payload: structuredClone(m.payload) }, false);
      }
    }
  };
  const delivery = deliverWith ? deliverWith(hub, seen) : deliver;
  return {
    hub,
    seen,
    crashed: crashedTypes,
    changedByDuplicate,
    admin: (method, path, body) => call(adminApi, request(method, path, ADMIN_TOKEN, body)),
    agent: (method, path, token, body) => call(agentApi, request(method, path, token, body)),
    deliver: delivery,
    advance: async (ms) => {
      hub.clock.advance(ms);
      await delivery();
    },
    tick: async () => {
      await runSchedulerTick(hub.ctx);
      await delivery();
    },
  };
}

function expectOk(what: string, res: { status: number; body: unknown }, ok: number[] = [200, 201, 202, 204]): void {
  if (!ok.includes(res.status)) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
}

const configMap = (name: string, data: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'retail' },
  data,
});

/** The fleet's story; every call's answer is checked, so a story that stops working fails loudly. */
export async function story(h: Harness): Promise<void> {
  const credentials: Record<string, string> = {};
  const clusters: [string, Record<string, string>][] = [
    ['s1', { fleet: 'a', region: 'eu' }],
    ['s2', { fleet: 'a', region: 'us' }],
    ['s3', { fleet: 'a', region: 'eu' }],
  ];
  for (const [name, labels] of clusters) {
    const imported = await h.admin('POST', `/v1/clusters/${name}/import`, { autoAccept: true, labels });
    expectOk(`import ${name}`, imported);
    const { bootstrapToken } = parseImportManifest(imported.body.manifest as string, 'manifest');
    const joined = await h.agent('POST', '/agent/v1/join', bootstrapToken, {
      cluster: name,
      agentVersion: '0.1.0',
      claims: [
        { name: 'id.k8s.io', value: `uid-${name}` },
        { name: 'kubeversion.tether.dev', value: 'v1.31.2' },
        { name: 'platform.tether.dev', value: 'k3s' },
      ],
    });
    expectOk(`join ${name}`, joined, [200]);
    credentials[name] = joined.body.credential as string;
  }
  await h.deliver();
  for (const name of Object.keys(credentials)) expectOk(`poll ${name}`, await h.agent('GET', '/agent/v1/desired', credentials[name]));
  await h.deliver();

  expectOk(
    'clusterset',
    await h.admin('POST', '/v1/clustersets', {
      apiVersion: API,
      kind: 'ClusterSet',
      metadata: { name: 'eu' },
      spec: { clusterSelector: { selectorType: 'LabelSelector', labelSelector: { matchLabels: { region: 'eu' } } } },
    }),
  );
  await h.deliver();
  for (const [name, sets] of [
    ['retail', []],
    ['retail-eu', ['eu']],
  ] as const) {
    expectOk(
      `placement ${name}`,
      await h.admin('POST', '/v1/placements', {
        apiVersion: API,
        kind: 'Placement',
        metadata: { name },
        spec: { clusterSets: sets, predicates: [{ requiredClusterSelector: { labelSelector: { matchLabels: { fleet: 'a' } } } }] },
      }),
    );
  }
  await h.deliver();

  expectOk(
    'fleetdeployment',
    await h.admin('POST', '/v1/fleetdeployments', {
      apiVersion: API,
      kind: 'FleetDeployment',
      metadata: { name: 'shop' },
      spec: { template: { workload: { manifests: [configMap('shop', { v: '1' })] } }, placementRef: { name: 'retail' } },
    }),
  );
  await h.deliver();
  // The agents report their works applied and available (the status route's ingest).
  for (const name of Object.keys(credentials)) {
    const works = await h.hub.ctx.ports.resources.list('Work', { namespace: name, limit: 100 });
    const t = new Date(h.hub.clock.now()).toISOString();
    await ingestWorkReports(h.hub.ctx, name, {
      observedRevision: '1',
      agentVersion: '0.1.0',
      healthy: true,
      works: works.items.map((w) => ({
        name: w.metadata.name,
        observedGeneration: w.metadata.generation,
        conditions: ['Applied', 'Available'].map((type) => ({
          type,
          status: 'True' as const,
          reason: 'AsExpected',
          message: 'ok',
          lastTransitionTime: t,
          observedGeneration: w.metadata.generation,
        })),
        manifests: [],
      })),
    });
  }
  await h.deliver();
  await h.advance(10 * 60_000);

  expectOk(
    'policy',
    await h.admin('POST', '/v1/policies', {
      apiVersion: API,
      kind: 'Policy',
      metadata: { name: 'audit' },
      spec: {
        placementRef: { name: 'retail-eu' },
        policyTemplates: [{ objectTemplates: [{ complianceType: 'musthave', objectDefinition: configMap('audit', { owner: 'team' }) }] }],
      },
    }),
  );
  await h.deliver();

  // Resource sync: the EU clusters are the sources of a rule of ConfigMaps; s1 reports one.
  expectOk(
    'syncrule',
    await h.admin('POST', '/v1/syncrules', {
      apiVersion: API,
      kind: 'SyncRule',
      metadata: { name: 'settings' },
      spec: {
        resource: { version: 'v1', kind: 'ConfigMap' },
        rules: [{ match: [{ namespaces: ['retail'] }] }],
        sources: { clusterSelector: { matchLabels: { region: 'eu' } } },
      },
    }),
  );
  await h.deliver();
  const settings = configMap('settings', { colour: 'blue' });
  const settingsHash = syncObjectHash(settings, false);
  const rule = await h.admin('GET', '/v1/syncrules/settings');
  expectOk(
    's1 reports settings',
    await h.agent('POST', '/agent/v1/sync', credentials.s1, {
      rule: 'settings',
      uid: rule.body.metadata.uid,
      generation: rule.body.metadata.generation,
      state: 'Ok',
      inventory: [{ namespace: 'retail', name: 'settings', hash: settingsHash }],
      objects: [{ resourceVersion: '7', hash: settingsHash, object: settings }],
    }),
  );
  await h.deliver();

  // The EU clusters keep ClusterProfiles of the fleet (the cluster inventory).
  expectOk(
    'inventory export',
    await h.admin('POST', '/v1/clusterinventoryexports', {
      apiVersion: API,
      kind: 'ClusterInventoryExport',
      metadata: { name: 'argocd' },
      spec: { placementRef: { name: 'retail-eu' }, namespace: 'argocd' },
    }),
  );
  await h.deliver();

  // s3 leaves the fleet and the EU set: placements, the rollout, the policy, the sync rule and the inventory follow.
  expectOk('relabel s3', await h.admin('PATCH', '/v1/clusters/s3', { metadata: { labels: { fleet: 'b', region: 'us' } } }));
  await h.deliver();

  // s1's upgrade never reports: its deadline passes.
  expectOk('upgrade s1', await h.admin('POST', '/v1/clusters/s1/upgrade', { version: '0.2.0' }));
  await h.deliver();
  await h.advance(h.hub.ctx.config.upgradeDeadlineSeconds * 1000 + 1000);

  // s2 detaches with its agent: the agent's report completes it.
  expectOk('detach s2', await h.admin('POST', '/v1/clusters/s2/detach', {}));
  await h.deliver();
  expectOk('s2 polls', await h.agent('GET', '/agent/v1/desired', credentials.s2));
  expectOk(
    's2 reports detached',
    await h.agent('POST', '/agent/v1/status', credentials.s2, {
      observedRevision: '1',
      agentVersion: '0.1.0',
      healthy: true,
      detached: true,
    }),
  );
  await h.deliver();

  // Everybody goes silent: the sweep expires the leases.
  await h.advance(60 * 60_000);
  await h.tick();

  expectOk('delete fleetdeployment', await h.admin('DELETE', '/v1/fleetdeployments/shop'));
  await h.deliver();
  expectOk('delete policy', await h.admin('DELETE', '/v1/policies/audit'));
  expectOk('delete syncrule', await h.admin('DELETE', '/v1/syncrules/settings'));
  expectOk('delete inventory export', await h.admin('DELETE', '/v1/clusterinventoryexports/argocd'));
  expectOk('delete placement', await h.admin('DELETE', '/v1/placements/retail-eu'));
  await h.deliver();
  expectOk('delete s3', await h.admin('DELETE', '/v1/clusters/s3'));
  await h.deliver();
  await h.tick();
}

/** The leaf fields (store / partition / key / field path) that differ between two snapshots. */
export function changedParts(a: unknown, b: unknown): string[] {
  const flat = (x: unknown) => {
    const out = new Map<string, string>();
    const walk = (v: unknown, path: string) => {
      if (Array.isArray(v) && v.length && v.every((e) => Array.isArray(e) && e.length === 2 && typeof e[0] === 'string')) {
        for (const [k, y] of v as [string, unknown][]) walk(y, `${path}/${k}`);
      } else if (v && typeof v === 'object' && !Array.isArray(v)) {
        for (const [k, y] of Object.entries(v)) walk(y, `${path}/${k}`);
      } else out.set(path, JSON.stringify(v));
    };
    walk(x, '');
    return out;
  };
  const fa = flat(a);
  const fb = flat(b);
  return [...new Set([...fa.keys(), ...fb.keys()])].filter((k) => fa.get(k) !== fb.get(k));
}

/**
 * What a second delivery may change, by design, per step type; anything else is a bug.
 * - fleetdeployment.rollout-batch bumps the cluster's desired revision after an unchanged Work
 *   write: an earlier delivery may have written the Work and died before its bump, and an extra
 *   bump costs the agent one full poll (lambdas/capabilities/rollouts/work-writer.ts).
 * - inventory.refresh-export tells every receiver again when it runs for a member change (`all`):
 *   the change has no identity to deduplicate by, and an extra bump costs a receiver one full poll
 *   (lambdas/capabilities/inventory/refresh.ts).
 * - placement.recompute advances the placement's private bookkeeping (a change sequence that orders
 *   recomputations against incremental changes), hence a new resourceVersion; decisions, counts and
 *   conditions stay as they were.
 * - sync.bump-destinations bumps the desired revision of a rule's destinations after a source's
 *   objects changed: a step cannot tell whether an earlier delivery bumped them already, and an
 *   extra bump costs each agent one full poll (lambdas/capabilities/sync/source-objects.ts).
 */
export const DELIBERATE: Record<string, RegExp> = {
  'fleetdeployment.rollout-batch': /^\/heads\/heads\/[^/]+\/(desiredRevision|version)$/,
  'sync.bump-destinations': /^\/heads\/heads\/[^/]+\/(desiredRevision|version)$/,
  'inventory.refresh-export': /^\/heads\/heads\/[^/]+\/(desiredRevision|version)$/,
  'placement.recompute':
    /^\/resources\/partitions\/R#Placement#-\/[^/]+\/(version|json\/metadata\/resourceVersion|json\/status\/bookkeeping\/.*)$/,
};

/** A snapshot without what {@link DELIBERATE} lets a duplicate change, for the end-state comparison. */
export function withoutDeliberate(snap: unknown): unknown {
  const strip = (v: unknown, path: string): unknown => {
    if (Array.isArray(v) && v.length && v.every((e) => Array.isArray(e) && e.length === 2 && typeof e[0] === 'string'))
      return (v as [string, unknown][]).map(([k, y]) => [k, strip(y, `${path}/${k}`)]);
    if (v && typeof v === 'object' && !Array.isArray(v))
      return Object.fromEntries(
        Object.entries(v).flatMap(([k, y]) =>
          Object.values(DELIBERATE).some((re) => re.test(`${path}/${k}`)) ? [] : [[k, strip(y, `${path}/${k}`)]],
        ),
      );
    return v;
  };
  return strip(snap, '');
}

/** Everything the memory ports store, in a stable order (the queue is empty at the end). */
export function snapshot(hub: MemoryHub): unknown {
  const dump = (v: unknown): unknown => {
    // Stored items are JSON text: parse them, so a difference names its field.
    if (typeof v === 'string' && v.startsWith('{')) return dump(JSON.parse(v));
    if (v instanceof Map) return [...v.entries()].map(([k, x]) => [k, dump(x)]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    if (Array.isArray(v)) return v.map(dump);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, dump(x)]));
    return v;
  };
  const p = hub.ports as unknown as Record<string, unknown>;
  // The stores' private maps: the state itself, not what one query of it shows.
  const priv = (o: unknown) => Object.fromEntries(Object.entries(o as object).filter(([, x]) => x instanceof Map));
  return dump({
    resources: priv(p.resources),
    heads: priv(p.heads),
    relations: priv(p.relations),
    complianceHistory: priv(p.complianceHistory),
    heartbeats: priv(p.heartbeatBatches),
  });
}

/** Gives a story's hub time for its own timers (leases, resends, deadlines): ten minutes, ticking every minute. */
export async function converge(h: Harness): Promise<void> {
  for (let i = 0; i < 10; i++) {
    await h.advance(60_000);
    await h.tick();
  }
}

/**
 * What a story achieved, without when: every stored object's spec, labels, lifecycle phase and
 * condition states (not their times), and every index entry (not its data).
 */
export function outcome(hub: MemoryHub): unknown {
  const { resources, relations } = snapshot(hub) as {
    resources: Record<string, [string, unknown][]>;
    relations: Record<string, [string, unknown][]>;
  };
  const objects: Record<string, unknown> = {};
  for (const entries of Object.values(resources)) {
    for (const [key, item] of entries) {
      const r = ((item as { resource?: unknown }).resource ?? item) as {
        kind?: string;
        metadata?: { labels?: unknown; deletionTimestamp?: string };
        spec?: unknown;
        status?: { phase?: string; conditions?: { type: string; status: string }[] };
      };
      objects[key] = {
        labels: r.metadata?.labels ?? {},
        deleting: Boolean(r.metadata?.deletionTimestamp),
        spec: r.kind === 'FleetDeploymentLease' ? undefined : r.spec,
        phase: r.status?.phase,
        conditions: (r.status?.conditions ?? []).map((c) => `${c.type}=${c.status}`).sort(),
      };
    }
  }
  // A memory partition whose last item went stays as an empty map: not state (DynamoDB has no empty partitions).
  const index = Object.values(relations)
    .flatMap((entries) => entries.filter(([, items]) => !Array.isArray(items) || items.length > 0).map(([key]) => key))
    .sort();
  return { objects, index };
}
