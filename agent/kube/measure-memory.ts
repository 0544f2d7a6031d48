/**
 * Measures what in-memory clusters cost on the heap, for sizing the fleet simulator.
 *
 *   node --expose-gc --import tsx agent/kube/measure-memory.ts [count]
 *
 * Prints the retained heap per empty cluster (default options: 2 namespaces, 1 node), per
 * cluster with 3 nodes, and per cluster after one small work was applied.
 */
import { TETHER_FIELD_MANAGER } from './cluster-api.js';
import { MemoryCluster, type MemoryClusterOptions } from './memory-cluster.js';
import type { KubeObject } from './types.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('run with node --expose-gc --import tsx agent/kube/measure-memory.ts');
  process.exit(1);
}
const collect: () => void = gc;

const count = Number(process.argv[2] ?? 10_000);

const WORK: KubeObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
  {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'settings', namespace: 'shop', labels: { app: 'web' } },
    data: { LOG_LEVEL: 'info', REGION: 'us-east' },
  },
  {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop', labels: { app: 'web' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] },
      },
    },
  },
  {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'shop' },
    spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 80 }] },
  },
];

async function measure(label: string, make: (i: number) => Promise<MemoryCluster>): Promise<void> {
  collect();
  const before = process.memoryUsage().heapUsed;
  const started = process.hrtime.bigint();
  const clusters: MemoryCluster[] = [];
  for (let i = 0; i < count; i++) clusters.push(await make(i));
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  collect();
  const after = process.memoryUsage().heapUsed;
  const perCluster = (after - before) / clusters.length;
  console.log(
    `${label.padEnd(34)} ${String(clusters.length).padStart(6)} clusters: ${((after - before) / 1024 / 1024).toFixed(1).padStart(7)} MiB heap, ` +
      `${(perCluster / 1024).toFixed(2).padStart(6)} KiB each, ${(ms / clusters.length).toFixed(3)} ms each to build`,
  );
}

const shared: MemoryClusterOptions = {};
await measure('empty (shared options)', async () => new MemoryCluster(shared));
await measure('empty, named (stable kube-system UID)', async (i) => new MemoryCluster({ name: `store-${i}` }));
const threeNodes: MemoryClusterOptions = { nodes: { count: 3 } };
await measure('empty, 3 nodes', async () => new MemoryCluster(threeNodes));
await measure('after one 4-object work', async () => {
  const cluster = new MemoryCluster(shared);
  for (const obj of WORK) await cluster.apply(obj, { fieldManager: TETHER_FIELD_MANAGER, force: false });
  return cluster;
});
