import { createHash, randomUUID } from 'node:crypto';
import { kindKey, type KindInfo } from './kinds.js';
import type { KubeObject } from './types.js';

/**
 * What a new in-memory cluster contains before anyone touches it (namespaces, nodes), and the
 * marks a Kubernetes distribution leaves on a real cluster (version suffix, node provider IDs and
 * labels), so that the agent's platform detection works the same against simulated clusters.
 */

/** Kubernetes distributions whose fingerprints the in-memory cluster reproduces. */
export type KubeDistribution = 'generic' | 'eks' | 'gke' | 'aks' | 'openshift' | 'k3s' | 'kind';

/** The simulated nodes. */
export interface NodeSpec {
  /** Default 1. */
  count?: number;
  /** Allocatable (and capacity) CPU per node, a Kubernetes quantity. Default `4`. */
  cpu?: string;
  /** Allocatable (and capacity) memory per node, a Kubernetes quantity. Default `16Gi`. */
  memory?: string;
  /** Allocatable pods per node. Default `110`. */
  pods?: string;
}

interface Fingerprint {
  versionSuffix: string;
  nodeName: (i: number) => string;
  providerId?: (name: string, i: number) => string;
  labels: Readonly<Record<string, string>>;
  /** The node's `topology.kubernetes.io/zone`, where the cloud sets one. */
  zone?: (i: number) => string;
}

const FINGERPRINTS: Readonly<Record<KubeDistribution, Fingerprint>> = {
  generic: { versionSuffix: '', nodeName: (i) => `node-${i}`, labels: {} },
  eks: {
    versionSuffix: '-eks-7308294',
    nodeName: (i) => `ip-10-0-${Math.floor(i / 250)}-${(i % 250) + 4}.ec2.internal`,
    providerId: (_n, i) => `aws:///us-east-1${'abc'[i % 3]}/i-0${(0x5a17e000 + i).toString(16)}`,
    labels: { 'eks.amazonaws.com/nodegroup': 'default', 'topology.kubernetes.io/region': 'us-east-1' },
    zone: (i) => `us-east-1${'abc'[i % 3]}`,
  },
  gke: {
    versionSuffix: '-gke.1584000',
    nodeName: (i) => `gke-sim-default-pool-4f3a2b1c-${i}`,
    providerId: (name, i) => `gce://tether-sim/us-central1-${'abc'[i % 3]}/${name}`,
    labels: { 'cloud.google.com/gke-nodepool': 'default-pool', 'topology.kubernetes.io/region': 'us-central1' },
    zone: (i) => `us-central1-${'abc'[i % 3]}`,
  },
  aks: {
    versionSuffix: '',
    nodeName: (i) => `aks-nodepool1-12345678-vmss00000${i}`,
    providerId: (_n, i) =>
      `azure:///subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/mc_sim/providers/Microsoft.Compute/virtualMachineScaleSets/aks-nodepool1-12345678-vmss/virtualMachines/${i}`,
    labels: {
      'kubernetes.azure.com/cluster': 'MC_sim',
      'kubernetes.azure.com/agentpool': 'nodepool1',
      'topology.kubernetes.io/region': 'eastus',
    },
    zone: (i) => `eastus-${(i % 3) + 1}`,
  },
  openshift: {
    versionSuffix: '+67d3387',
    nodeName: (i) => `worker-${i}.sim.openshift.local`,
    labels: { 'node.openshift.io/os_id': 'rhcos', 'node-role.kubernetes.io/worker': '' },
  },
  k3s: {
    versionSuffix: '+k3s1',
    nodeName: (i) => `k3s-node-${i}`,
    providerId: (name) => `k3s://${name}`,
    labels: { 'node.kubernetes.io/instance-type': 'k3s' },
  },
  kind: {
    versionSuffix: '',
    nodeName: (i) => (i === 0 ? 'kind-control-plane' : `kind-worker${i === 1 ? '' : i}`),
    providerId: (name) => `kind://docker/kind/${name}`,
    labels: {},
  },
};

/** The `gitVersion` a distribution reports for a Kubernetes version (`v1.33.1` → `v1.33.1-eks-7308294`). */
export function gitVersionOf(version: string, distribution: KubeDistribution): string {
  const v = version.startsWith('v') ? version : `v${version}`;
  return `${v}${FINGERPRINTS[distribution].versionSuffix}`;
}

/** ISO timestamp with second precision, as the API server writes them. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** A UID derived from a seed, so a named simulated cluster keeps its identity across restarts. */
export function stableUid(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** A fresh random UID. */
export function newUid(): string {
  return randomUUID();
}

// Shared by every seeded namespace of every cluster; see the note on node statuses below.
const NAMESPACE_SPEC = deepFreeze({ finalizers: ['kubernetes'] });
const NAMESPACE_STATUS = deepFreeze({ phase: 'Active' });

/** A Namespace as the API server creates it. */
export function namespaceObject(name: string, uid: string, resourceVersion: string, created: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, uid, resourceVersion, creationTimestamp: created, labels: { 'kubernetes.io/metadata.name': name } },
    spec: NAMESPACE_SPEC,
    status: NAMESPACE_STATUS,
  };
}

// Node statuses are identical across simulated clusters with the same shape: share one frozen copy.
// Safe because stored objects are never modified in place (every write replaces the object).
const sharedStatuses = new Map<string, Readonly<Record<string, unknown>>>();

function nodeStatus(nodes: Required<NodeSpec>, gitVersion: string, created: string): Readonly<Record<string, unknown>> {
  const key = `${nodes.cpu}|${nodes.memory}|${nodes.pods}|${gitVersion}|${created}`;
  let status = sharedStatuses.get(key);
  if (!status) {
    const resources = Object.freeze({ cpu: nodes.cpu, memory: nodes.memory, pods: nodes.pods });
    status = deepFreeze({
      capacity: resources,
      allocatable: resources,
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          reason: 'KubeletReady',
          message: 'kubelet is posting ready status',
          lastHeartbeatTime: created,
          lastTransitionTime: created,
        },
      ],
      nodeInfo: {
        kubeletVersion: gitVersion,
        operatingSystem: 'linux',
        architecture: 'amd64',
        containerRuntimeVersion: 'containerd://1.7.27',
        osImage: 'Linux',
      },
    });
    if (sharedStatuses.size < 64) sharedStatuses.set(key, status);
  }
  return status;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** The simulated nodes, with the distribution's fingerprints. */
export function nodeObjects(
  nodes: Required<NodeSpec>,
  distribution: KubeDistribution,
  gitVersion: string,
  created: string,
  nextVersion: () => string,
  uid: (i: number) => string,
): KubeObject[] {
  const fp = FINGERPRINTS[distribution];
  const status = nodeStatus(nodes, gitVersion, created);
  const out: KubeObject[] = [];
  for (let i = 0; i < nodes.count; i++) {
    const name = fp.nodeName(i);
    const node: KubeObject = {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: {
        name,
        uid: uid(i),
        resourceVersion: nextVersion(),
        creationTimestamp: created,
        labels: {
          'kubernetes.io/hostname': name,
          'kubernetes.io/os': 'linux',
          'kubernetes.io/arch': 'amd64',
          ...fp.labels,
          ...(fp.zone ? { 'topology.kubernetes.io/zone': fp.zone(i) } : {}),
        },
      },
      spec: fp.providerId ? { providerID: fp.providerId(name, i) } : {},
      status,
    };
    out.push(node);
  }
  return out;
}

/**
 * API kinds a distribution serves on top of Kubernetes: OpenShift's `config.openshift.io`
 * ClusterVersion, which platform detection looks for through discovery.
 */
const OPENSHIFT_CLUSTER_VERSION: KindInfo = Object.freeze({
  apiVersion: 'config.openshift.io/v1',
  group: 'config.openshift.io',
  kind: 'ClusterVersion',
  plural: 'clusterversions',
  namespaced: false,
  generation: true,
  keyedLists: false,
});

/** A kind the distribution serves besides the built-ins, or undefined. */
export function distributionKind(distribution: KubeDistribution, apiVersion: string, kind: string): KindInfo | undefined {
  if (distribution !== 'openshift') return undefined;
  return kindKey(apiVersion, kind) === kindKey(OPENSHIFT_CLUSTER_VERSION.apiVersion, OPENSHIFT_CLUSTER_VERSION.kind)
    ? OPENSHIFT_CLUSTER_VERSION
    : undefined;
}

/** The distribution's own seed objects, with their kinds (OpenShift's ClusterVersion `version`). */
export function distributionObjects(
  distribution: KubeDistribution,
  clusterId: string,
  resourceVersion: () => string,
  created: string,
): [KindInfo, KubeObject][] {
  if (distribution !== 'openshift') return [];
  const version: KubeObject = {
    apiVersion: 'config.openshift.io/v1',
    kind: 'ClusterVersion',
    metadata: { name: 'version', uid: newUid(), resourceVersion: resourceVersion(), generation: 1, creationTimestamp: created },
    spec: { clusterID: clusterId, channel: 'stable-4.16' },
  };
  return [[OPENSHIFT_CLUSTER_VERSION, version]];
}
