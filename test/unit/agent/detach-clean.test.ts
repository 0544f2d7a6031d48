import { afterEach, describe, expect, test } from '@jest/globals';
import { MemoryCluster } from '../../../agent/kube/memory-cluster.js';
import type { KubeObject } from '../../../agent/kube/types.js';
import { removeSelf } from '../../../agent/self.js';
import { AGENT_CLAIMS_ROLE, AGENT_WORK_ROLE, importManifestObjects } from '../../../shared/agent-manifest.js';
import { CapturedLog, configMap, rig, work, type Rig } from './support/harness.js';
import { asServiceAccount } from './support/rbac.js';

/**
 * A clean detach leaves nothing of Tether's on the cluster: not the agent's namespace, Secrets,
 * Deployment or Role, and not its ClusterRoles and bindings either. The agent deletes with its own
 * permissions, so these tests run it through an RBAC authoriser over the in-memory cluster: an
 * order that deletes a permission it still needs fails here as on a real cluster.
 */

const KINDS = [
  ['v1', 'Namespace'],
  ['v1', 'ServiceAccount'],
  ['v1', 'Secret'],
  ['v1', 'ConfigMap'],
  ['apps/v1', 'Deployment'],
  ['rbac.authorization.k8s.io/v1', 'Role'],
  ['rbac.authorization.k8s.io/v1', 'RoleBinding'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRole'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'],
] as const;

/** Every object on the cluster that is Tether's: by the import manifest's labels, the agent's label, or its name. */
async function tetherLeftovers(cluster: MemoryCluster): Promise<string[]> {
  const left: string[] = [];
  for (const [apiVersion, kind] of KINDS) {
    for (const o of await cluster.list({ apiVersion, kind })) {
      const labels = o.metadata.labels ?? {};
      if (
        labels['app.kubernetes.io/part-of'] === 'tether' ||
        labels['app.kubernetes.io/managed-by'] === 'tether-agent' ||
        o.metadata.name.startsWith('tether-agent')
      ) {
        left.push(`${kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`);
      }
    }
  }
  return left;
}

/** Applies the import manifest as `kubectl apply -f` would; `withNamespace: false` installs into an existing namespace. */
async function install(cluster: MemoryCluster, namespace: string, withNamespace = true): Promise<void> {
  const objects = importManifestObjects({
    cluster: 'store-0001',
    hubUrl: 'https://hub.example.com',
    bootstrapToken: 'thb_store-0001.secret',
    image: 'ghcr.io/tether-dev/tether-agent',
    version: '0.1.0',
    namespace,
  });
  for (const o of objects) {
    if (!withNamespace && o.kind === 'Namespace') continue;
    await cluster.apply(o as KubeObject, { fieldManager: 'kubectl-client-side-apply', force: false });
  }
}

describe('removeSelf under RBAC', () => {
  test('removes everything the import manifest installed, the work ClusterRole and binding included', async () => {
    const cluster = new MemoryCluster({ name: 'store-0001' });
    await install(cluster, 'tether-agent');
    expect(await tetherLeftovers(cluster)).toContain(`ClusterRole ${AGENT_WORK_ROLE}`);
    const logs = new CapturedLog();
    const failed = await removeSelf(
      asServiceAccount(cluster, { namespace: 'tether-agent', name: 'tether-agent' }),
      'tether-agent',
      logs.log,
    );
    expect(failed).toEqual([]);
    expect(await tetherLeftovers(cluster)).toEqual([]);
  });

  test('in a namespace it shares with other software: leaves the namespace, removes everything of its own', async () => {
    const cluster = new MemoryCluster({ name: 'store-0001' });
    await cluster.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'platform' } } as KubeObject, {
      fieldManager: 'kubectl',
      force: false,
    });
    await cluster.apply(configMap('other-software', 'platform', { a: '1' }) as KubeObject, { fieldManager: 'kubectl', force: false });
    await install(cluster, 'platform', false);
    const failed = await removeSelf(
      asServiceAccount(cluster, { namespace: 'platform', name: 'tether-agent' }),
      'platform',
      new CapturedLog().log,
    );
    expect(failed).toEqual([]);
    expect(await tetherLeftovers(cluster)).toEqual([]);
    expect(await cluster.get({ apiVersion: 'v1', kind: 'Namespace', name: 'platform' })).toBeDefined();
    expect(await cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'platform', name: 'other-software' })).toBeDefined();
  });

  test('with a work role narrowed below patching ClusterRoles: deletes what it can and names the ClusterRole it had to leave', async () => {
    const cluster = new MemoryCluster({ name: 'store-0001' });
    await install(cluster, 'tether-agent');
    // A narrowed work role, as its annotation invites: the works' resources, namespaces and the agent's own RBAC objects, but no patch of ClusterRoles.
    const narrowed = [
      { apiGroups: ['', 'apps'], resources: ['*'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] },
      { apiGroups: ['rbac.authorization.k8s.io'], resources: ['*'], verbs: ['get', 'list', 'delete'] },
    ];
    await cluster.apply(
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: AGENT_WORK_ROLE },
        rules: narrowed,
      } as KubeObject,
      { fieldManager: 'kubectl-client-side-apply', force: true },
    );
    const logs = new CapturedLog();
    const failed = await removeSelf(
      asServiceAccount(cluster, { namespace: 'tether-agent', name: 'tether-agent' }),
      'tether-agent',
      logs.log,
    );
    // Whatever stays is named (with the kubectl command in the log), never silently left.
    expect(failed).toContain(`ClusterRole ${AGENT_WORK_ROLE}`);
    expect((await tetherLeftovers(cluster)).sort()).toEqual([...failed].sort());
    expect(logs.text).toContain(`kubectl delete clusterrole,clusterrolebinding ${AGENT_WORK_ROLE}`);
    expect(await cluster.get({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', name: AGENT_CLAIMS_ROLE })).toBeUndefined();
  });
});

describe('a clean detach of a running agent', () => {
  let r: Rig | undefined;
  afterEach(async () => {
    await r?.close();
    r = undefined;
  });

  test('leaves nothing labelled or owned by Tether on the cluster', async () => {
    r = await rig();
    await install(r.cluster, 'tether-agent');
    const agent = r.restart({ api: asServiceAccount(r.cluster, { namespace: 'tether-agent', name: 'tether-agent' }) });
    r.hub.setWorks([work('web', [configMap('cfg', 'default', { a: '1' })])]);
    await agent.runOnce();
    expect(await r.cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'cfg' })).toBeDefined();
    r.hub.setDesired({ detach: true });
    expect(await agent.start()).toBe('detached');
    expect(r.hub.reports.at(-1)).toMatchObject({ detached: true });
    expect(await r.cluster.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'cfg' })).toBeUndefined();
    expect(await tetherLeftovers(r.cluster)).toEqual([]);
  });
});
