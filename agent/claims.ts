import { labelKeyProblem } from '../shared/labels.js';
import { USER_CLAIM_LABEL, WellKnownClaims } from '../shared/protocol/v1.js';
import type { ClusterApi } from './kube/cluster-api.js';
import type { KubeObject } from './kube/types.js';
import type { AgentLog } from './log.js';

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
  claims.push({ name: WellKnownClaims.platform, value: detectPlatform(version?.gitVersion ?? '', nodes ?? [], openShift !== undefined) });
  claims.push({ name: WellKnownClaims.agentVersion, value: options.agentVersion });
  const user = await attempt('user claims', () => userClaims(options));
  return [...claims, ...(user ?? [])];
}

/**
 * Best-effort platform detection from fingerprints distributions leave: OpenShift serves
 * `config.openshift.io`; EKS and GKE mark the server version (`-eks-`, `-gke.`) and EKS nodes have
 * `aws://` provider IDs; AKS labels nodes `kubernetes.azure.com/*`; k3s versions end `+k3s<n>`;
 * kind nodes are named `<cluster>-control-plane` with `kind://` provider IDs.
 */
export function detectPlatform(gitVersion: string, nodes: readonly KubeObject[], openShiftApi: boolean): Platform {
  const providerIds = nodes.map((n) => String((n.spec as { providerID?: unknown } | undefined)?.providerID ?? ''));
  if (openShiftApi) return 'OpenShift';
  if (gitVersion.includes('-eks') || providerIds.some((p) => p.startsWith('aws://'))) return 'EKS';
  if (gitVersion.includes('-gke')) return 'GKE';
  if (nodes.some((n) => Object.keys(n.metadata.labels ?? {}).some((k) => k.startsWith('kubernetes.azure.com/')))) return 'AKS';
  if (gitVersion.includes('+k3s')) return 'k3s';
  if (nodes.some((n) => n.metadata.name.endsWith('-control-plane')) && providerIds.some((p) => p.startsWith('kind://'))) return 'kind';
  return 'Kubernetes';
}

const RESERVED = Object.values(WellKnownClaims) as string[];

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
        RESERVED.includes(name) || name.endsWith('.tether.dev') || name.endsWith('.k8s.io')
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
