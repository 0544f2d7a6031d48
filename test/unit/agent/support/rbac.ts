import type { ClusterApi } from '../../../../agent/kube/cluster-api.js';
import { KubeForbiddenError } from '../../../../agent/kube/errors.js';
import type { MemoryCluster } from '../../../../agent/kube/memory-cluster.js';
import type { KubeObject, ObjectRef } from '../../../../agent/kube/types.js';

/**
 * The in-memory cluster seen through a ServiceAccount's eyes: every call is authorised as a real API
 * server's RBAC authoriser would, from the ClusterRoles, Roles and bindings stored at that moment. A
 * ServiceAccount that no longer exists has no valid token. So a test of the agent's own clean-up
 * fails, as on a real cluster, when it deletes the permission it still needs.
 *
 * Enough of RBAC for that: rules by apiGroups, resources, verbs and resourceNames (with `*`);
 * bindings by ServiceAccount subject; no aggregation, no non-resource URLs.
 */
export function asServiceAccount(cluster: MemoryCluster, sa: { namespace: string; name: string }): ClusterApi {
  const rbac = 'rbac.authorization.k8s.io/v1';
  const bound = (b: KubeObject) =>
    ((b.subjects as { kind: string; name: string; namespace?: string }[] | undefined) ?? []).some(
      (s) => s.kind === 'ServiceAccount' && s.name === sa.name && s.namespace === sa.namespace,
    );
  const allows = (role: KubeObject | undefined, group: string, resource: string, verb: string, name?: string) =>
    ((role?.rules as { apiGroups?: string[]; resources?: string[]; verbs?: string[]; resourceNames?: string[] }[] | undefined) ?? []).some(
      (r) =>
        (r.apiGroups ?? []).some((g) => g === '*' || g === group) &&
        (r.resources ?? []).some((x) => x === '*' || x === resource) &&
        (r.verbs ?? []).some((v) => v === '*' || v === verb) &&
        (!r.resourceNames?.length || (name !== undefined && r.resourceNames.includes(name))),
    );

  async function authorise(verb: string, ref: { apiVersion: string; kind: string; namespace?: string; name?: string }): Promise<void> {
    if (!(await cluster.get({ apiVersion: 'v1', kind: 'ServiceAccount', namespace: sa.namespace, name: sa.name }))) {
      throw new KubeForbiddenError(`Unauthorized: the token of ServiceAccount ${sa.namespace}/${sa.name} is no longer valid`);
    }
    const info = await cluster.discover(ref.apiVersion, ref.kind);
    if (!info) return;
    const group = ref.apiVersion.includes('/') ? ref.apiVersion.split('/')[0] : '';
    const namespace = info.namespaced ? (ref.namespace ?? 'default') : undefined;
    for (const b of await cluster.list({ apiVersion: rbac, kind: 'ClusterRoleBinding' })) {
      const roleRef = b.roleRef as { name: string };
      if (
        bound(b) &&
        allows(await cluster.get({ apiVersion: rbac, kind: 'ClusterRole', name: roleRef.name }), group, info.plural, verb, ref.name)
      )
        return;
    }
    if (namespace) {
      for (const b of await cluster.list({ apiVersion: rbac, kind: 'RoleBinding', namespace })) {
        const roleRef = b.roleRef as { kind: string; name: string };
        const role = await cluster.get(
          roleRef.kind === 'ClusterRole'
            ? { apiVersion: rbac, kind: 'ClusterRole', name: roleRef.name }
            : { apiVersion: rbac, kind: 'Role', namespace, name: roleRef.name },
        );
        if (bound(b) && allows(role, group, info.plural, verb, ref.name)) return;
      }
    }
    const where = namespace ? ` in the namespace "${namespace}"` : ' at the cluster scope';
    throw new KubeForbiddenError(
      `${info.plural}${ref.name ? ` "${ref.name}"` : ''} is forbidden: User "system:serviceaccount:${sa.namespace}:${sa.name}" cannot ${verb} resource "${info.plural}" in API group "${group}"${where}`,
    );
  }
  const refOf = (o: KubeObject): ObjectRef => ({
    apiVersion: o.apiVersion,
    kind: o.kind,
    namespace: o.metadata.namespace,
    name: o.metadata.name,
  });

  return {
    async apply(obj, o) {
      await authorise((await cluster.get(refOf(obj))) ? 'patch' : 'create', refOf(obj));
      return cluster.apply(obj, o);
    },
    async applyStatus(obj, o) {
      // The status subresource: RBAC checks `patch` on `<plural>/status`, which the caller's rules cover with `*`.
      await authorise('patch', refOf(obj));
      return cluster.applyStatus(obj, o);
    },
    async create(obj, o) {
      await authorise('create', refOf(obj));
      return cluster.create(obj, o);
    },
    async mergePatch(ref, patch, o) {
      await authorise('patch', ref);
      return cluster.mergePatch(ref, patch, o);
    },
    async get(ref) {
      await authorise('get', ref);
      return cluster.get(ref);
    },
    async list(q) {
      await authorise('list', { apiVersion: q.apiVersion, kind: q.kind, namespace: q.namespace });
      return cluster.list(q);
    },
    async delete(ref, o) {
      await authorise('delete', ref);
      return cluster.delete(ref, o);
    },
    discover: (a, k) => cluster.discover(a, k),
    isCrdEstablished: (n) => cluster.isCrdEstablished(n),
    serverVersion: () => cluster.serverVersion(),
  };
}
