import { TETHER_FIELD_MANAGER } from '../../../../agent/kube/cluster-api.js';
import type { MemoryCluster } from '../../../../agent/kube/memory-cluster.js';
import type { KubeObject, ObjectRef } from '../../../../agent/kube/types.js';

/** Objects and helpers shared by the in-memory cluster tests. */

export const AGENT = { fieldManager: TETHER_FIELD_MANAGER, force: false };
export const FORCED = { fieldManager: TETHER_FIELD_MANAGER, force: true };
export const OTHER = { fieldManager: 'helm', force: false };

export function configMap(data: Record<string, string>, labels?: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', namespace: 'default', ...(labels ? { labels } : {}) }, data };
}
export const CM: ObjectRef = { apiVersion: 'v1', kind: 'ConfigMap', namespace: 'default', name: 'settings' };

export function deployment(
  options: { replicas?: number; image?: string; containers?: { name: string; image: string }[]; labels?: Record<string, string> } = {},
): KubeObject {
  const spec: Record<string, unknown> = {
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: options.containers ?? [{ name: 'web', image: options.image ?? 'nginx:1.27' }] },
    },
  };
  if (options.replicas !== undefined) spec.replicas = options.replicas;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', ...(options.labels ? { labels: options.labels } : {}) },
    spec,
  };
}
export const DEPLOY: ObjectRef = { apiVersion: 'apps/v1', kind: 'Deployment', namespace: 'default', name: 'web' };

export const WIDGET_CRD: KubeObject = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    names: { kind: 'Widget', plural: 'widgets', singular: 'widget' },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      },
    ],
  },
};
export const widget = (size: number): KubeObject => ({
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: { name: 'w1', namespace: 'default' },
  spec: { size },
});

export function namespace(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
}

export async function mustGet(cluster: MemoryCluster, ref: ObjectRef): Promise<KubeObject> {
  const obj = await cluster.get(ref);
  if (!obj) throw new Error(`expected ${ref.kind} ${ref.name} to exist`);
  return obj;
}

export function managers(obj: KubeObject): string[] {
  return (obj.metadata.managedFields ?? []).map((e) => `${e.manager}/${e.operation}${e.subresource ? `/${e.subresource}` : ''}`);
}
