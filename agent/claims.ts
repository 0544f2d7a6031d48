import { labelKeyProblem } from '../shared/labels.js';
import { USER_CLAIM_LABEL, WellKnownClaims } from '../shared/protocol/v1.js';
import type { ClusterApi } from './kube/cluster-api.js';
import type { KubeObject } from './kube/types.js';
import type { AgentLog } from './log.js';
import { featureClaims } from './features.js';
import { detectDistribution, registryMetadata, type RegistryMetadata } from './registry-metadata.js';

/**
 * Claims: facts the agent reports about its cluster (OCM's ClusterClaims), which placements can
 * select on. Well-known ones are measured; user claims come from ConfigMaps in the agent's
 * namespace labelled `tether.dev/claim` (each data key is a claim), so whoever may write that
 * namespace decides them, not every namespace's owner.
 */

/** A claim as reported. */
export interface Claim {
  name: string;
  value: string;
}

/** At most this many user claims are reported (the rest are ignored with a log line). */
export const MAX_USER_CLAIMS = 20;
/** User claim values longer than this are ignored. */
export const MAX_CLAIM_VALUE_CHARS = 1024;

/** Platforms the agent recognises; `Kubernetes` when none matches. */
export type Platform = 'EKS' | 'GKE' | 'AKS' | 'OpenShift' | 'k3s' | 'kind' | 'Kubernetes';

/** Options of {@link collectClaims}. */
export interface ClaimOptions {
  api: ClusterApi;
  /** The agent's namespace (where user-claim ConfigMaps live). */
  namespace: string;
  agentVersion: string;
  log: AgentLog;
}

/**
 * Measures the well-known claims and reads the user claims. Each measurement is best effort: one
 * that fails (missing RBAC, say) is left out and logged, and the others are still reported.
 */
export async function collectClaims(options: ClaimOptions): Promise<Claim[]> {
  const { api, log } = options;
  const claims: Claim[] = [];
  const attempt = async <T>(what: string, fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (err) {
      log.warn(`cannot read ${what} for claims`, { error: err });
      return undefined;
    }
  };
  const kubeSystem = await attempt('the kube-system namespace', () =>
    api.get({ apiVersion: 'v1', kind: 'Namespace', name: 'kube-system' }),
  );
  if (kubeSystem?.metadata.uid) claims.push({ name: WellKnownClaims.id, value: kubeSystem.metadata.uid });
  const version = await attempt('the server version', () => api.serverVersion());
  if (version) claims.push({ name: WellKnownClaims.kubeVersion, value: version.gitVersion });
  const nodes = await attempt('nodes', () => api.list({ apiVersion: 'v1', kind: 'Node' }));
  if (nodes) {
    claims.push({ name: WellKnownClaims.nodeCount, value: String(nodes.length) });
    let milliCpu = 0;
    let memory = 0;
    for (const n of nodes) {
      const alloc = ((n.status as { allocatable?: Record<string, string> } | undefined)?.allocatable ?? {}) as Record<string, string>;
      milliCpu += Math.round((parseQuantity(alloc.cpu) ?? 0) * 1000);
      memory += parseQuantity(alloc.memory) ?? 0;
    }
    claims.push({ name: WellKnownClaims.cpu, value: formatCpu(milliCpu) });
    claims.push({ name: WellKnownClaims.memory, value: formatMemory(memory) });
  }
  const openShift = await attempt('OpenShift discovery', () => api.discover('config.openshift.io/v1', 'ClusterVersion'));
  const fingerprints = { openShift: openShift !== undefined };
  claims.push({ name: WellKnownClaims.platform, value: detectPlatform(version?.gitVersion ?? '', nodes ?? [], fingerprints.openShift) });
  if (nodes) claims.push(...metadataClaims(registryMetadata(version?.gitVersion ?? '', nodes, fingerprints)));
  const features = await attempt('ClusterFeatures', () => featureClaims(api, log));
  claims.push(...(features ?? []));
  claims.push({ name: WellKnownClaims.agentVersion, value: options.agentVersion });
  const user = await attempt('user claims', () => userClaims(options));
  return [...claims, ...(user ?? [])];
}

/**
 * The coarse platform claim (kept for placements written against it): the distribution where it is
 * one of the platforms, else `Kubernetes`. {@link detectDistribution} has the fingerprints.
 */
export function detectPlatform(gitVersion: string, nodes: readonly KubeObject[], openShiftApi: boolean): Platform {
  const d = detectDistribution(gitVersion, nodes, { openShift: openShiftApi });
  return (PLATFORMS as readonly string[]).includes(d) ? (d as Platform) : 'Kubernetes';
}

const PLATFORMS: readonly Platform[] = ['EKS', 'GKE', 'AKS', 'OpenShift', 'k3s', 'kind'];

/** The registry metadata claims (provider, distribution, region, zones, kubelet versions); absent facts are left out. */
export function metadataClaims(metadata: RegistryMetadata): Claim[] {
  const out: Claim[] = [];
  if (metadata.provider) out.push({ name: WellKnownClaims.provider, value: metadata.provider });
  out.push({ name: WellKnownClaims.distribution, value: metadata.distribution });
  if (metadata.region) out.push({ name: WellKnownClaims.region, value: metadata.region });
  if (metadata.zones.length) out.push({ name: WellKnownClaims.zones, value: capList(metadata.zones) });
  if (metadata.kubeletVersions.length) out.push({ name: WellKnownClaims.kubeletVersions, value: capList(metadata.kubeletVersions) });
  return out;
}

/** A comma-separated list within the claim value limit (whole entries only). */
function capList(values: readonly string[]): string {
  let text = '';
  for (const v of values) {
    const next = text ? `${text},${v}` : v;
    if (next.length > MAX_CLAIM_VALUE_CHARS) break;
    text = next;
  }
  return text;
}

const RESERVED = Object.values(WellKnownClaims) as string[];

/** Names under the `tether.dev` and `k8s.io` domains (`region.tether.dev`, `feature.tether.dev/x`) are the agent's own. */
function reservedName(name: string): boolean {
  const domain = name.includes('/') ? name.slice(0, name.indexOf('/')) : name;
  return [domain, name].some((n) => n.endsWith('.tether.dev') || n === 'tether.dev' || n.endsWith('.k8s.io') || n === 'k8s.io');
}

async function userClaims(options: ClaimOptions): Promise<Claim[]> {
  const maps = await options.api.list({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    namespace: options.namespace,
    labelSelector: USER_CLAIM_LABEL,
  });
  const out: Claim[] = [];
  for (const cm of maps) {
    for (const [name, value] of Object.entries((cm.data ?? {}) as Record<string, unknown>)) {
      const problem =
        RESERVED.includes(name) || reservedName(name)
          ? 'the name is reserved for well-known claims'
          : (labelKeyProblem(name) ??
            (typeof value !== 'string'
              ? 'the value is not a string'
              : value.length > MAX_CLAIM_VALUE_CHARS
                ? `the value is longer than ${MAX_CLAIM_VALUE_CHARS} characters`
                : undefined));
      if (problem) {
        options.log.warn('ignoring an invalid user claim', { configMap: cm.metadata.name, claim: name, problem });
        continue;
      }
      if (out.length >= MAX_USER_CLAIMS) {
        options.log.warn(`ignoring user claims beyond the first ${MAX_USER_CLAIMS}`, { configMap: cm.metadata.name, claim: name });
        continue;
      }
      if (out.some((c) => c.name === name)) {
        options.log.warn('ignoring a user claim defined twice', { configMap: cm.metadata.name, claim: name });
        continue;
      }
      out.push({ name, value: value as string });
    }
  }
  return out;
}

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** Parses a Kubernetes quantity (`3920m`, `16Gi`, `128974848`, `1e3`) into a number; undefined when unreadable. */
export function parseQuantity(text: string | undefined): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E))?$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  if (m[2]) return n * 10 ** Number(m[2].slice(1));
  const suffix = m[3] ?? '';
  return n * (BINARY[suffix] ?? DECIMAL[suffix]);
}

/** Millicores as a quantity: whole cores when exact (`8`), else millicores (`7840m`). */
export function formatCpu(milli: number): string {
  return milli % 1000 === 0 ? String(milli / 1000) : `${milli}m`;
}

/** Bytes as a quantity in whole MiB, rounded down (`15948Mi`). */
export function formatMemory(bytes: number): string {
  return `${Math.floor(bytes / 2 ** 20)}Mi`;
}
