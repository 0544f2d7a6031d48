import { detectDistribution, detectProvider, registryMetadata, type RegistryMetadata } from '../../../agent/registry-metadata.js';
import type { KubeObject } from '../../../agent/kube/types.js';

/** A node as the API server returns it, trimmed to what detection reads. */
function node(name: string, opts: { labels?: Record<string, string>; providerID?: string; kubelet: string }): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', ...opts.labels },
    },
    spec: opts.providerID ? { providerID: opts.providerID } : {},
    status: { nodeInfo: { kubeletVersion: opts.kubelet, containerRuntimeVersion: 'containerd://1.7.27', osImage: 'Linux' } },
  };
}

const topo = (region: string, zone: string) => ({ 'topology.kubernetes.io/region': region, 'topology.kubernetes.io/zone': zone });

interface Case {
  name: string;
  gitVersion: string;
  nodes: KubeObject[];
  openShift?: boolean;
  expected: RegistryMetadata;
}

// Node shapes as each distribution writes them (labels, provider IDs and kubelet versions taken
// from the distributions' documented defaults).
const CASES: Case[] = [
  {
    name: 'EKS (managed node group, two zones, mid-upgrade kubelets)',
    gitVersion: 'v1.29.3-eks-adc7111',
    nodes: [
      node('ip-10-0-1-23.ec2.internal', {
        providerID: 'aws:///us-east-1a/i-0a1b2c3d4e5f60001',
        kubelet: 'v1.29.3-eks-ae9a62a',
        labels: {
          'eks.amazonaws.com/nodegroup': 'ng-1',
          'eks.amazonaws.com/capacityType': 'ON_DEMAND',
          ...topo('us-east-1', 'us-east-1a'),
        },
      }),
      node('ip-10-0-2-45.ec2.internal', {
        providerID: 'aws:///us-east-1b/i-0a1b2c3d4e5f60002',
        kubelet: 'v1.28.8-eks-ae9a62a',
        labels: { 'eks.amazonaws.com/nodegroup': 'ng-1', ...topo('us-east-1', 'us-east-1b') },
      }),
    ],
    expected: {
      provider: 'aws',
      distribution: 'EKS',
      region: 'us-east-1',
      zones: ['us-east-1a', 'us-east-1b'],
      kubeletVersions: ['v1.28.8-eks-ae9a62a', 'v1.29.3-eks-ae9a62a'],
    },
  },
  {
    name: 'GKE',
    gitVersion: 'v1.30.5-gke.1014001',
    nodes: [
      node('gke-prod-default-pool-1a2b3c4d-x7k2', {
        providerID: 'gce://my-project/europe-west1-b/gke-prod-default-pool-1a2b3c4d-x7k2',
        kubelet: 'v1.30.5-gke.1014001',
        labels: {
          'cloud.google.com/gke-nodepool': 'default-pool',
          'cloud.google.com/gke-os-distribution': 'cos',
          ...topo('europe-west1', 'europe-west1-b'),
        },
      }),
    ],
    expected: {
      provider: 'gce',
      distribution: 'GKE',
      region: 'europe-west1',
      zones: ['europe-west1-b'],
      kubeletVersions: ['v1.30.5-gke.1014001'],
    },
  },
  {
    name: 'AKS (the version carries no mark; the node labels do)',
    gitVersion: 'v1.29.7',
    nodes: [
      node('aks-nodepool1-12345678-vmss000000', {
        providerID:
          'azure:///subscriptions/0000/resourceGroups/mc_rg_aks_westeurope/providers/Microsoft.Compute/virtualMachineScaleSets/aks-nodepool1-12345678-vmss/virtualMachines/0',
        kubelet: 'v1.29.7',
        labels: {
          'kubernetes.azure.com/agentpool': 'nodepool1',
          'kubernetes.azure.com/cluster': 'MC_rg_aks_westeurope',
          ...topo('westeurope', 'westeurope-1'),
        },
      }),
      node('aks-nodepool1-12345678-vmss000001', {
        providerID:
          'azure:///subscriptions/0000/resourceGroups/mc_rg_aks_westeurope/providers/Microsoft.Compute/virtualMachineScaleSets/aks-nodepool1-12345678-vmss/virtualMachines/1',
        kubelet: 'v1.29.7',
        labels: { 'kubernetes.azure.com/agentpool': 'nodepool1', ...topo('westeurope', 'westeurope-2') },
      }),
    ],
    expected: {
      provider: 'azure',
      distribution: 'AKS',
      region: 'westeurope',
      zones: ['westeurope-1', 'westeurope-2'],
      kubeletVersions: ['v1.29.7'],
    },
  },
  {
    name: 'OpenShift on AWS (config.openshift.io served)',
    gitVersion: 'v1.29.6+aba1e8d',
    openShift: true,
    nodes: [
      node('ip-10-0-140-12.eu-west-1.compute.internal', {
        providerID: 'aws:///eu-west-1a/i-0f00000000000001',
        kubelet: 'v1.29.6+aba1e8d',
        labels: { 'node.openshift.io/os_id': 'rhcos', 'node-role.kubernetes.io/worker': '', ...topo('eu-west-1', 'eu-west-1a') },
      }),
    ],
    expected: {
      provider: 'aws',
      distribution: 'OpenShift',
      region: 'eu-west-1',
      zones: ['eu-west-1a'],
      kubeletVersions: ['v1.29.6+aba1e8d'],
    },
  },
  {
    name: 'RKE2 on vSphere',
    gitVersion: 'v1.28.10+rke2r1',
    nodes: [
      node('rke2-server-0', {
        providerID: 'vsphere://4230a5f0-1c1d-8b66-3a7e-000000000001',
        kubelet: 'v1.28.10+rke2r1',
        labels: { 'node-role.kubernetes.io/control-plane': 'true', ...topo('dc1', 'rack-a') },
      }),
    ],
    expected: { provider: 'vsphere', distribution: 'RKE2', region: 'dc1', zones: ['rack-a'], kubeletVersions: ['v1.28.10+rke2r1'] },
  },
  {
    name: 'k3s (k3s:// provider IDs from its embedded cloud controller)',
    gitVersion: 'v1.29.3+k3s1',
    nodes: [node('edge-0', { providerID: 'k3s://edge-0', kubelet: 'v1.29.3+k3s1', labels: { 'node.kubernetes.io/instance-type': 'k3s' } })],
    expected: { provider: 'k3s', distribution: 'k3s', zones: [], kubeletVersions: ['v1.29.3+k3s1'] },
  },
  {
    name: 'k0s on bare metal (no provider ID)',
    gitVersion: 'v1.30.2+k0s',
    nodes: [node('worker-1', { kubelet: 'v1.30.2+k0s' })],
    expected: { distribution: 'k0s', zones: [], kubeletVersions: ['v1.30.2+k0s'] },
  },
  {
    name: 'MicroK8s',
    gitVersion: 'v1.30.1',
    nodes: [
      node('ubuntu-vm', {
        kubelet: 'v1.30.1',
        labels: { 'microk8s.io/cluster': 'true', 'node.kubernetes.io/microk8s-controlplane': 'microk8s-controlplane' },
      }),
    ],
    expected: { distribution: 'MicroK8s', zones: [], kubeletVersions: ['v1.30.1'] },
  },
  {
    name: 'minikube',
    gitVersion: 'v1.31.0',
    nodes: [node('minikube', { kubelet: 'v1.31.0', labels: { 'minikube.k8s.io/name': 'minikube', 'minikube.k8s.io/primary': 'true' } })],
    expected: { distribution: 'minikube', zones: [], kubeletVersions: ['v1.31.0'] },
  },
  {
    name: 'kind',
    gitVersion: 'v1.31.0',
    nodes: [
      node('kind-control-plane', { providerID: 'kind://docker/kind/kind-control-plane', kubelet: 'v1.31.0' }),
      node('kind-worker', { providerID: 'kind://docker/kind/kind-worker', kubelet: 'v1.31.0' }),
    ],
    expected: { provider: 'kind', distribution: 'kind', zones: [], kubeletVersions: ['v1.31.0'] },
  },
  {
    name: 'kOps on AWS: a provider, but not EKS',
    gitVersion: 'v1.29.2',
    nodes: [
      node('i-0abc', { providerID: 'aws:///eu-central-1a/i-0abc', kubelet: 'v1.29.2', labels: topo('eu-central-1', 'eu-central-1a') }),
    ],
    expected: { provider: 'aws', distribution: 'generic', region: 'eu-central-1', zones: ['eu-central-1a'], kubeletVersions: ['v1.29.2'] },
  },
  {
    name: 'kubeadm on OpenStack with legacy zone labels',
    gitVersion: 'v1.27.4',
    nodes: [
      node('os-1', {
        providerID: 'openstack:///8f1c1a1e-0000-0000-0000-000000000001',
        kubelet: 'v1.27.4',
        labels: { 'failure-domain.beta.kubernetes.io/region': 'RegionOne', 'failure-domain.beta.kubernetes.io/zone': 'nova' },
      }),
    ],
    expected: { provider: 'openstack', distribution: 'generic', region: 'RegionOne', zones: ['nova'], kubeletVersions: ['v1.27.4'] },
  },
];

describe('registry metadata', () => {
  test.each(CASES)('$name', ({ gitVersion, nodes, openShift, expected }) => {
    expect(registryMetadata(gitVersion, nodes, { openShift: openShift ?? false })).toEqual(expected);
  });

  test('no nodes: generic, nothing else', () => {
    expect(registryMetadata('v1.33.1', [], { openShift: false })).toEqual({ distribution: 'generic', zones: [], kubeletVersions: [] });
  });

  test('the provider most nodes carry wins; ties break by name, so the claim never flaps', () => {
    const aws = node('a', { providerID: 'aws:///x/i-1', kubelet: 'v1.29.0' });
    const gce = node('b', { providerID: 'gce://p/z/b', kubelet: 'v1.29.0' });
    expect(detectProvider([aws, gce, gce])).toBe('gce');
    expect(detectProvider([gce, aws])).toBe('aws');
    expect(detectProvider([node('c', { providerID: 'equinixmetal://abc', kubelet: 'v1' })])).toBe('equinixmetal');
    expect(detectProvider([node('d', { providerID: 'someprovider://abc', kubelet: 'v1' })])).toBe('someprovider');
    expect(detectProvider([node('e', { providerID: 'not a url', kubelet: 'v1' })])).toBeUndefined();
  });

  test('kubelet versions sort as versions, not as text', () => {
    const nodes = ['v1.30.0', 'v1.9.11', 'v1.29.3', 'v1.30.0'].map((v, i) => node(`n${i}`, { kubelet: v }));
    expect(registryMetadata('v1.30.0', nodes, { openShift: false }).kubeletVersions).toEqual(['v1.9.11', 'v1.29.3', 'v1.30.0']);
  });

  test('an EKS version mark is enough even before nodes join', () => {
    expect(detectDistribution('v1.29.3-eks-adc7111', [], { openShift: false })).toBe('EKS');
  });
});
