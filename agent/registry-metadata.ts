import type { KubeObject } from './kube/types.js';

/**
 * Cluster registry metadata (what the cluster-registry-controller's `Cluster` status carries):
 * provider, distribution, region, zones and kubelet versions, read from one node list and the
 * server version. Pure functions, so detection is tested with realistic node objects of every
 * distribution without an API server.
 */

/** Distributions the agent recognises; `generic` when none matches. */
export const Distributions = ['EKS', 'GKE', 'AKS', 'OpenShift', 'RKE2', 'k3s', 'k0s', 'MicroK8s', 'minikube', 'kind', 'generic'] as const;
export type Distribution = (typeof Distributions)[number];

/** What {@link registryMetadata} found; absent fields could not be determined. */
export interface RegistryMetadata {
  /** Infrastructure provider from the nodes' `spec.providerID` scheme (`aws`, `gce`, `azure`, ...). */
  provider?: string;
  distribution: Distribution;
  /** `topology.kubernetes.io/region` of the nodes (the most common one). */
  region?: string;
  /** Distinct `topology.kubernetes.io/zone` values, sorted. */
  zones: string[];
  /** Distinct `status.nodeInfo.kubeletVersion` values, sorted oldest first. */
  kubeletVersions: string[];
}

/** Fingerprints beyond the nodes and the version, looked up only when cheap (discovery is cached). */
export interface ApiFingerprints {
  /** The cluster serves `config.openshift.io` (OpenShift's ClusterVersion). */
  openShift: boolean;
}

// providerID schemes as the cloud providers' node controllers write them, and the name reported.
const PROVIDER_SCHEMES: Readonly<Record<string, string>> = {
  aws: 'aws',
  gce: 'gce',
  azure: 'azure',
  openstack: 'openstack',
  vsphere: 'vsphere',
  kind: 'kind',
  digitalocean: 'digitalocean',
  linode: 'linode',
  hcloud: 'hcloud',
  equinixmetal: 'equinixmetal',
  packet: 'equinixmetal',
  ibm: 'ibm',
  alicloud: 'alibaba',
  oci: 'oracle',
  ovirt: 'ovirt',
  kubevirt: 'kubevirt',
  k3s: 'k3s',
};

const REGION_LABELS = ['topology.kubernetes.io/region', 'failure-domain.beta.kubernetes.io/region'];
const ZONE_LABELS = ['topology.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/zone'];

const labelsOf = (n: KubeObject): Record<string, string> => n.metadata.labels ?? {};
const providerIdOf = (n: KubeObject): string => String((n.spec as { providerID?: unknown } | undefined)?.providerID ?? '');
const kubeletOf = (n: KubeObject): string | undefined => {
  const v = (n.status as { nodeInfo?: { kubeletVersion?: unknown } } | undefined)?.nodeInfo?.kubeletVersion;
  return typeof v === 'string' && v ? v : undefined;
};
const firstLabel = (n: KubeObject, keys: readonly string[]): string | undefined => {
  const labels = labelsOf(n);
  for (const k of keys) if (labels[k]) return labels[k];
  return undefined;
};

/** The most frequent value; ties go to the first in sort order, so the answer never flaps. */
function mostCommon(values: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
}

const distinctSorted = (values: readonly (string | undefined)[], compare?: (a: string, b: string) => number): string[] =>
  [...new Set(values.filter((v): v is string => !!v))].sort(compare);

/** Version order (`v1.9.0` before `v1.29.3` before `v1.30.0`). */
const byVersion = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

/**
 * The provider from the nodes' provider IDs (`aws:///us-east-1a/i-0abc` → `aws`): the scheme most
 * nodes carry, mapped to a stable name; an unknown scheme is reported as is; undefined when no node
 * has a provider ID (bare metal, most on-premises installs).
 */
export function detectProvider(nodes: readonly KubeObject[]): string | undefined {
  const schemes = nodes
    .map((n) => /^([a-z][a-z0-9.+-]*):\/\//i.exec(providerIdOf(n))?.[1]?.toLowerCase())
    .filter((s): s is string => !!s)
    .map((s) => PROVIDER_SCHEMES[s] ?? s);
  return mostCommon(schemes);
}

/**
 * The distribution, from the marks each one leaves: OpenShift serves `config.openshift.io` and
 * labels nodes `node.openshift.io/*`; EKS and GKE mark versions (`-eks-`, `-gke.`) and label
 * nodes (`eks.amazonaws.com/*`, `cloud.google.com/gke-*`); AKS labels nodes
 * `kubernetes.azure.com/*`; RKE2, k3s and k0s mark versions (`+rke2r1`, `+k3s1`, `+k0s`);
 * MicroK8s and minikube label nodes (`microk8s.io/cluster`, `minikube.k8s.io/*`); kind nodes have
 * `kind://` provider IDs. A provider ID alone does not make a managed distribution (a kOps cluster
 * on AWS is not EKS).
 */
export function detectDistribution(gitVersion: string, nodes: readonly KubeObject[], api: ApiFingerprints): Distribution {
  const versions = [gitVersion, ...nodes.map((n) => kubeletOf(n) ?? '')];
  const version = (mark: string) => versions.some((v) => v.includes(mark));
  const labelPrefix = (prefix: string) => nodes.some((n) => Object.keys(labelsOf(n)).some((k) => k.startsWith(prefix)));
  if (api.openShift || labelPrefix('node.openshift.io/')) return 'OpenShift';
  if (version('-eks-') || labelPrefix('eks.amazonaws.com/')) return 'EKS';
  if (version('-gke.') || labelPrefix('cloud.google.com/gke-')) return 'GKE';
  if (labelPrefix('kubernetes.azure.com/')) return 'AKS';
  if (version('+rke2')) return 'RKE2';
  if (version('+k3s')) return 'k3s';
  if (version('+k0s')) return 'k0s';
  if (labelPrefix('microk8s.io/') || labelPrefix('node.kubernetes.io/microk8s-')) return 'MicroK8s';
  if (labelPrefix('minikube.k8s.io/')) return 'minikube';
  if (nodes.some((n) => providerIdOf(n).startsWith('kind://'))) return 'kind';
  return 'generic';
}

/** Everything registry metadata holds, from one node list and the server version. */
export function registryMetadata(gitVersion: string, nodes: readonly KubeObject[], api: ApiFingerprints): RegistryMetadata {
  const provider = detectProvider(nodes);
  const region = mostCommon(nodes.map((n) => firstLabel(n, REGION_LABELS)).filter((r): r is string => !!r));
  return {
    ...(provider ? { provider } : {}),
    distribution: detectDistribution(gitVersion, nodes, api),
    ...(region ? { region } : {}),
    zones: distinctSorted(nodes.map((n) => firstLabel(n, ZONE_LABELS))),
    kubeletVersions: distinctSorted(nodes.map(kubeletOf), byVersion),
  };
}
