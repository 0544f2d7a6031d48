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
export async function upgradeSelf(
  api: ClusterApi,
  d: Omit<SelfDeployment, 'image'> & { image?: string },
  from: string,
  log: AgentLog,
): Promise<boolean> {
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

/** Field manager of the detach's last write (the owner references), apart from the agent's own. */
export const DETACH_FIELD_MANAGER = 'tether-agent-detach';

const RBAC = 'rbac.authorization.k8s.io/v1';

/**
 * Removes what the agent and its import manifest created, so that nothing of Tether's remains after
 * a clean detach. The agent deletes with its own permissions, so the order matters:
 *
 * 1. its state Secrets, the bootstrap Secret, the claims binding, its Role and RoleBinding and its
 *    Deployment (the work ClusterRole still lets it delete anything);
 * 2. the work ClusterRole, its binding and the agent's ServiceAccount cannot be deleted by the
 *    agent itself: deleting any of them takes away the permission (or the token) it needs for the
 *    rest. So they are handed to the cluster's garbage collector, as ownerReferences to the claims
 *    ClusterRole and, when it was made for the agent, the namespace (cluster-scoped owners, as the
 *    GC requires of a cluster-scoped dependent). The GC deletes them once every owner is gone;
 * 3. the claims ClusterRole, then last the namespace (only when it was made for the agent; its
 *    ServiceAccount goes with it, and deleting that earlier would invalidate the agent's own token).
 *
 * If the owner references cannot be written (the work role was narrowed below patching
 * ClusterRoles), it falls back to deleting the work binding last, and reports what it had to leave
 * (the ClusterRole at least), with the command that removes it.
 *
 * @returns the objects that could not be deleted (or were left), for the log.
 */
export async function removeSelf(api: ClusterApi, namespace: string, log: AgentLog): Promise<string[]> {
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
  await remove({ apiVersion: RBAC, kind: 'ClusterRoleBinding', name: AGENT_CLAIMS_ROLE });
  await remove({ apiVersion: RBAC, kind: 'RoleBinding', namespace, name: AGENT_SELF_ROLE });
  await remove({ apiVersion: RBAC, kind: 'Role', namespace, name: AGENT_SELF_ROLE });
  await remove({ apiVersion: 'apps/v1', kind: 'Deployment', namespace, name: AGENT_NAME });

  const ns = await ownNamespace(api, namespace, log);
  const claimsRole = { apiVersion: RBAC, kind: 'ClusterRole', name: AGENT_CLAIMS_ROLE };
  const owners = [await readOwner(api, claimsRole, log), ns].filter((o): o is KubeObject => o !== undefined);
  const handedOver = owners.length > 0 && (await handToCollector(api, namespace, owners, log));
  await remove(claimsRole);
  if (ns) await remove({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
  if (!handedOver) {
    await remove({ apiVersion: RBAC, kind: 'ClusterRoleBinding', name: AGENT_WORK_ROLE });
    // Unbound, so inert; but it is Tether's, and the person detaching should know to delete it.
    failed.push(describeRef({ apiVersion: RBAC, kind: 'ClusterRole', name: AGENT_WORK_ROLE }));
    log.warn(`left behind: delete them with kubectl delete clusterrole,clusterrolebinding ${AGENT_WORK_ROLE}`, {
      object: `ClusterRole ${AGENT_WORK_ROLE}`,
    });
  }
  return failed;
}

/** The agent's namespace when it was made for the agent (so detach may delete it), else undefined. */
async function ownNamespace(api: ClusterApi, namespace: string, log: AgentLog): Promise<KubeObject | undefined> {
  try {
    const ns = await api.get({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
    const labels = ns?.metadata.labels ?? {};
    // Never delete a namespace the agent merely runs in (say, one shared with other software).
    if (ns && (labels[MANAGED_BY_LABEL] === MANAGED_BY_VALUE || labels['app.kubernetes.io/name'] === AGENT_NAME)) return ns;
    if (ns) log.info('leaving the namespace: it was not created for the agent', { namespace });
  } catch (err) {
    log.warn('could not read the agent namespace', { namespace, error: err });
  }
  return undefined;
}

async function readOwner(api: ClusterApi, ref: ObjectRef, log: AgentLog): Promise<KubeObject | undefined> {
  try {
    return await api.get(ref);
  } catch (err) {
    log.warn('could not read', { object: describeRef(ref), error: err });
    return undefined;
  }
}

/**
 * Gives the work ClusterRole, its binding and the agent's ServiceAccount ownerReferences to
 * `owners`, so that the garbage collector deletes them once the owners are gone. A server-side
 * apply of metadata only, by its own field manager: the rules and subjects (owned by whoever
 * applied the import manifest) stay.
 */
async function handToCollector(api: ClusterApi, namespace: string, owners: KubeObject[], log: AgentLog): Promise<boolean> {
  const ownerReferences = owners.map((o) => ({
    apiVersion: o.apiVersion,
    kind: o.kind,
    name: o.metadata.name,
    uid: o.metadata.uid as string,
  }));
  if (ownerReferences.some((r) => !r.uid)) return false;
  try {
    const refs: ObjectRef[] = [
      { apiVersion: 'v1', kind: 'ServiceAccount', namespace, name: AGENT_NAME },
      { apiVersion: RBAC, kind: 'ClusterRoleBinding', name: AGENT_WORK_ROLE },
      { apiVersion: RBAC, kind: 'ClusterRole', name: AGENT_WORK_ROLE },
    ];
    for (const ref of refs) {
      if (!(await api.get(ref))) continue;
      const metadata = { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}), ownerReferences };
      await api.apply({ apiVersion: ref.apiVersion, kind: ref.kind, metadata } as KubeObject, {
        fieldManager: DETACH_FIELD_MANAGER,
        force: true,
      });
    }
    return true;
  } catch (err) {
    log.warn('could not hand the work ClusterRole to the garbage collector', { error: err });
    return false;
  }
}
