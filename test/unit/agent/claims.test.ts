import { collectClaims, detectPlatform, formatCpu, formatMemory, MAX_USER_CLAIMS, parseQuantity } from '../../../agent/claims.js';
import { MemoryCluster, type KubeDistribution } from '../../../agent/kube/memory-cluster.js';
import type { KubeObject } from '../../../agent/kube/types.js';
import { CapturedLog } from './support/harness.js';

const claimMap = (claims: { name: string; value: string }[]) => Object.fromEntries(claims.map((c) => [c.name, c.value]));

describe('claims', () => {
  test('measures cluster ID, version, nodes, allocatable CPU and memory, and the agent version', async () => {
    const cluster = new MemoryCluster({
      name: 'c1',
      kubeSystemUid: '6f1d1c9e-0000-4000-8000-000000000001',
      nodes: { count: 3, cpu: '3920m', memory: '16Gi' },
    });
    const claims = claimMap(
      await collectClaims({ api: cluster, namespace: 'tether-agent', agentVersion: '0.1.0', log: new CapturedLog().log }),
    );
    expect(claims).toEqual({
      'id.k8s.io': '6f1d1c9e-0000-4000-8000-000000000001',
      'kubeversion.tether.dev': 'v1.33.1',
      'nodes.tether.dev': '3',
      'cpu.allocatable.tether.dev': '11760m',
      'memory.allocatable.tether.dev': '49152Mi',
      'platform.tether.dev': 'Kubernetes',
      'distribution.tether.dev': 'generic',
      'kubeletversions.tether.dev': 'v1.33.1',
      'agentversion.tether.dev': '0.1.0',
    });
  });

  test.each<[KubeDistribution, Record<string, string | undefined>]>([
    [
      'eks',
      {
        'provider.tether.dev': 'aws',
        'distribution.tether.dev': 'EKS',
        'region.tether.dev': 'us-east-1',
        'zones.tether.dev': 'us-east-1a,us-east-1b,us-east-1c',
        'kubeletversions.tether.dev': 'v1.33.1-eks-7308294',
      },
    ],
    [
      'gke',
      {
        'provider.tether.dev': 'gce',
        'distribution.tether.dev': 'GKE',
        'region.tether.dev': 'us-central1',
        'zones.tether.dev': 'us-central1-a,us-central1-b,us-central1-c',
        'kubeletversions.tether.dev': 'v1.33.1-gke.1584000',
      },
    ],
    [
      'aks',
      {
        'provider.tether.dev': 'azure',
        'distribution.tether.dev': 'AKS',
        'region.tether.dev': 'eastus',
        'zones.tether.dev': 'eastus-1,eastus-2,eastus-3',
        'kubeletversions.tether.dev': 'v1.33.1',
      },
    ],
    ['openshift', { 'provider.tether.dev': undefined, 'distribution.tether.dev': 'OpenShift', 'region.tether.dev': undefined }],
    ['k3s', { 'provider.tether.dev': 'k3s', 'distribution.tether.dev': 'k3s', 'zones.tether.dev': undefined }],
    ['kind', { 'provider.tether.dev': 'kind', 'distribution.tether.dev': 'kind', 'kubeletversions.tether.dev': 'v1.33.1' }],
  ])('reports the registry metadata of a simulated %s cluster', async (distribution, expected) => {
    const cluster = new MemoryCluster({ name: 'c1', distribution, nodes: { count: 3 } });
    const claims = claimMap(
      await collectClaims({ api: cluster, namespace: 'tether-agent', agentVersion: '0.1.0', log: new CapturedLog().log }),
    );
    for (const [name, value] of Object.entries(expected)) expect([name, claims[name]]).toEqual([name, value]);
  });

  test.each<[KubeDistribution, string]>([
    ['eks', 'EKS'],
    ['gke', 'GKE'],
    ['aks', 'AKS'],
    ['k3s', 'k3s'],
    ['kind', 'kind'],
    ['generic', 'Kubernetes'],
  ])('detects the platform of a %s cluster', async (distribution, platform) => {
    const cluster = new MemoryCluster({ name: 'c1', distribution, nodes: { count: 2 } });
    const claims = claimMap(
      await collectClaims({ api: cluster, namespace: 'tether-agent', agentVersion: '0.1.0', log: new CapturedLog().log }),
    );
    expect(claims['platform.tether.dev']).toBe(platform);
  });

  test('OpenShift is recognised by its config API', () => {
    expect(detectPlatform('v1.30.4+67d3387', [], true)).toBe('OpenShift');
    expect(detectPlatform('v1.30.4+67d3387', [], false)).toBe('Kubernetes');
  });

  test('user claims come from labelled ConfigMaps in the agent namespace; invalid ones are ignored with a log line', async () => {
    const cluster = new MemoryCluster({ name: 'c1' });
    const logs = new CapturedLog();
    const apply = (obj: object) => cluster.apply(obj as KubeObject, { fieldManager: 'kubectl', force: false });
    await apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tether-agent' } });
    await apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'elsewhere' } });
    const data: Record<string, string> = {
      region: 'us-east',
      'example.com/tier': 'store',
      'bad key!': 'x',
      'platform.tether.dev': 'spoofed',
      'feature.tether.dev/secrets-source': '{}',
      long: 'x'.repeat(2000),
    };
    for (let i = 0; i < MAX_USER_CLAIMS + 2; i++) data[`extra-${String(i).padStart(2, '0')}`] = String(i);
    await apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'claims', namespace: 'tether-agent', labels: { 'tether.dev/claim': '' } },
      data,
    });
    await apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'claims', namespace: 'elsewhere', labels: { 'tether.dev/claim': '' } },
      data: { injected: 'yes' },
    });
    await apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'unlabelled', namespace: 'tether-agent' },
      data: { unlabelled: 'yes' },
    });
    const claims = await collectClaims({ api: cluster, namespace: 'tether-agent', agentVersion: '0.1.0', log: logs.log });
    const user = claims.filter((c) => !c.name.endsWith('.tether.dev') && c.name !== 'id.k8s.io');
    expect(user).toHaveLength(MAX_USER_CLAIMS);
    const byName = claimMap(user);
    expect(byName.region).toBe('us-east');
    expect(byName['example.com/tier']).toBe('store');
    expect(byName.injected).toBeUndefined();
    expect(byName.unlabelled).toBeUndefined();
    expect(claimMap(claims)['platform.tether.dev']).toBe('Kubernetes');
    const warned = logs.lines
      .map((l) => JSON.parse(l))
      .filter((l) => l.msg === 'ignoring an invalid user claim')
      .map((l) => l.claim);
    expect(warned.sort()).toEqual(['bad key!', 'feature.tether.dev/secrets-source', 'long', 'platform.tether.dev']);
    expect(logs.messages()).toContain(`ignoring user claims beyond the first ${MAX_USER_CLAIMS}`);
  });

  test('quantities', () => {
    expect(parseQuantity('3920m')).toBeCloseTo(3.92);
    expect(parseQuantity('16Gi')).toBe(16 * 2 ** 30);
    expect(parseQuantity('16331136Ki')).toBe(16331136 * 1024);
    expect(parseQuantity('128974848')).toBe(128974848);
    expect(parseQuantity('1e3')).toBe(1000);
    expect(parseQuantity('129M')).toBe(129e6);
    expect(parseQuantity('lots')).toBeUndefined();
    expect(formatCpu(8000)).toBe('8');
    expect(formatCpu(7840)).toBe('7840m');
    expect(formatMemory(16 * 2 ** 30 + 5)).toBe('16384Mi');
  });
});
