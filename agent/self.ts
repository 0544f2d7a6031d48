import {
  AGENT_BOOTSTRAP_SECRET,
  AGENT_CLAIMS_ROLE,
  AGENT_NAME,
  AGENT_SELF_ROLE,
  AGENT_WORK_ROLE,
  agentDeploymentObject,
} from '../shared/agent-manifest.js';
import { TETHER_FIELD_MANAGER, type ClusterApi } from './kube/cluster-api.js';
import { describeRef, type KubeObject, type ObjectRef } from './kube/types.js';
import type { AgentLog } from './log.js';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, stateRefs } from './state-store.js';

/**
 * The agent acting on itself: re-applying its own Deployment with a new version (self-upgrade), and
 * removing its own objects after a detach.
 */

/** What the agent's Deployment is rendered from (see shared/agent-manifest.ts). */
export interface SelfDeployment {
  cluster: string;
  hubUrl: string;
  bootstrapToken?: string;
  namespace: string;
  /** Image repository without a tag; the version is the tag. */
  image: string;
  version: string;
  httpsProxy?: string;
  noProxy?: string;
  pollIntervalSeconds?: number;
}

/**
 * Applies the agent's own Deployment with `version`, through server-side apply with force: the
 * import manifest was applied by kubectl, whose field manager owns the image until the agent takes it.
 * The Deployment's rolling update keeps this pod until the new one is ready.
 */
export async function applySelfDeployment(api: ClusterApi, d: SelfDeployment): Promise<KubeObject> {
  const obj = agentDeploymentObject({
    cluster: d.cluster,
    hubUrl: d.hubUrl,
    // The Deployment reads the token from the bootstrap Secret; the value here is only validated.
    bootstrapToken: d.bootstrapToken || 'from-secret',
    image: imageRepository(d.image),
    version: d.version,
    namespace: d.namespace,
    httpsProxy: d.httpsProxy,
    noProxy: d.noProxy,
    pollIntervalSeconds: d.pollIntervalSeconds,
  }) as KubeObject;
  return api.apply(obj, { fieldManager: TETHER_FIELD_MANAGER, force: true });
}

/**
 * Self-upgrade: applies the agent's Deployment with the new version, logging the outcome.
 * @returns whether the Deployment was applied.
 */
export async function upgradeSelf(api: ClusterApi, d: Omit<SelfDeployment, 'image'> & { image?: string }, from: string, log: AgentLog): Promise<boolean> {
  if (!d.image) {
    log.warn('the hub asks for another agent version but names no image', { version: d.version });
    return false;
  }
  try {
    await applySelfDeployment(api, { ...d, image: d.image });
  } catch (err) {
    log.error('self-upgrade failed; staying on this version', { from, to: d.version, error: err });
    return false;
  }
  log.info('self-upgrade applied', { from, to: d.version });
  return true;
}

/** An image reference without its tag or digest (`ghcr.io/x/agent:0.1.0` is `ghcr.io/x/agent`). */
export function imageRepository(image: string): string {
  const at = image.indexOf('@');
  const noDigest = at >= 0 ? image.slice(0, at) : image;
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  return colon > lastSlash ? noDigest.slice(0, colon) : noDigest;
}

/**
 * Removes what the agent and its import manifest created, last of all what it needs to keep
 * working: its state Secrets, the claims RBAC, its Deployment, its namespace (only when it was made
 * for the agent; its ServiceAccount goes with it, and deleting that earlier would invalidate the
 * agent's own token) and finally the binding of its work role. The work ClusterRole itself stays
 * (unbound, so inert): deleting it would take away the permission to delete anything after it.
 *
 * @returns the objects that could not be deleted, for the log.
 */
export async function removeSelf(api: ClusterApi, namespace: string, log: AgentLog): Promise<string[]> {
  const rbac = 'rbac.authorization.k8s.io/v1';
  const failed: string[] = [];
  const remove = async (ref: ObjectRef) => {
    try {
      if (await api.delete(ref)) log.info('removed', { object: describeRef(ref) });
    } catch (err) {
      failed.push(describeRef(ref));
      log.warn('could not remove', { object: describeRef(ref), error: err });
    }
  };
  for (const ref of stateRefs(namespace)) await remove(ref);
  await remove({ apiVersion: 'v1', kind: 'Secret', namespace, name: AGENT_BOOTSTRAP_SECRET });
  await remove({ apiVersion: rbac, kind: 'ClusterRoleBinding', name: AGENT_CLAIMS_ROLE });
  await remove({ apiVersion: rbac, kind: 'ClusterRole', name: AGENT_CLAIMS_ROLE });
  await remove({ apiVersion: rbac, kind: 'RoleBinding', namespace, name: AGENT_SELF_ROLE });
  await remove({ apiVersion: rbac, kind: 'Role', namespace, name: AGENT_SELF_ROLE });
  await remove({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: AGENT_NAME });
  try {
    const ns = await api.get({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
    const labels = ns?.metadata.labels ?? {};
    // Never delete a namespace the agent merely runs in (say, one shared with other software).
    if (ns && (labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE || labels['app.kubernetes.io/name'] === AGENT_NAME)) {
      await remove({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
    } else if (ns) {
      log.info('leaving the namespace: it was not created for the agent', { namespace });
    }
  } catch (err) {
    log.warn('could not read the agent namespace', { namespace, error: err });
  }
  await remove({ apiVersion: rbac, kind: 'ClusterRoleBinding', name: AGENT_WORK_ROLE });
  return failed;
}
