import { describe, expect, it } from '@jest/globals';
import { parseAllDocuments } from 'yaml';
import {
  agentDeploymentObject,
  importManifestObjects,
  parseImportManifest,
  renderImportManifest,
  type ImportManifestOptions,
  type KubeObject,
} from '../../../../shared/agent-manifest.js';
import { ValidationError } from '../../../../shared/errors.js';

const base: ImportManifestOptions = {
  cluster: 'store-0001',
  hubUrl: 'https://hub.example.com',
  bootstrapToken: 'thb_store-0001.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
  image: 'ghcr.io/tether-dev/tether-agent',
  version: '0.2.0',
};

type Container = {
  name: string;
  image: string;
  args: string[];
  env: { name: string; value?: string; valueFrom?: Record<string, Record<string, string>> }[];
  ports: { name: string; containerPort: number }[];
  livenessProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
  resources: unknown;
  securityContext: Record<string, unknown>;
  volumeMounts: { name: string; mountPath: string }[];
};

function containerOf(deployment: KubeObject): Container {
  const spec = deployment.spec as { template: { spec: { containers: Container[] } } };
  return spec.template.spec.containers[0];
}

describe('import manifest', () => {
  it('renders every object as multi-document YAML, namespace first and the Deployment last', () => {
    const text = renderImportManifest(base);
    const docs = parseAllDocuments(text).map((d) => d.toJS() as KubeObject);
    expect(docs.map((d) => `${d.kind}/${(d.metadata as { name: string }).name}`)).toEqual([
      'Namespace/tether-agent',
      'ServiceAccount/tether-agent',
      'CustomResourceDefinition/clusterfeatures.tether.dev',
      'ClusterRole/tether-agent:claims',
      'ClusterRole/tether-agent:work',
      'ClusterRoleBinding/tether-agent:claims',
      'ClusterRoleBinding/tether-agent:work',
      'Role/tether-agent',
      'RoleBinding/tether-agent',
      'Secret/tether-agent-bootstrap',
      'Deployment/tether-agent',
    ]);
    for (const d of docs) expect(typeof d.apiVersion).toBe('string');
    expect(text.startsWith('# Tether agent for cluster "store-0001"')).toBe(true);
  });

  it('puts the bootstrap material in the Secret and reads it back', () => {
    const objects = importManifestObjects({ ...base, namespace: 'edge-agent' });
    const secret = objects.find((o) => o.kind === 'Secret') as { stringData: Record<string, string>; metadata: { namespace: string } };
    expect(secret.stringData).toEqual({ hubUrl: base.hubUrl, cluster: 'store-0001', bootstrapToken: base.bootstrapToken });
    expect(secret.metadata.namespace).toBe('edge-agent');
    expect(parseImportManifest(renderImportManifest({ ...base, namespace: 'edge-agent' }))).toEqual({
      hubUrl: base.hubUrl,
      cluster: 'store-0001',
      bootstrapToken: base.bootstrapToken,
      namespace: 'edge-agent',
    });
  });

  it('builds a locked-down Deployment that reads its settings from the Secret', () => {
    const d = agentDeploymentObject({ ...base, httpsProxy: 'http://proxy:3128', noProxy: '10.0.0.0/8', pollIntervalSeconds: 15 });
    expect((d.metadata as { labels: Record<string, string> }).labels).toMatchObject({
      'app.kubernetes.io/name': 'tether-agent',
      'app.kubernetes.io/version': '0.2.0',
    });
    expect((d.spec as { replicas: number }).replicas).toBe(1);
    const c = containerOf(d);
    expect(c.name).toBe('agent');
    expect(c.image).toBe('ghcr.io/tether-dev/tether-agent:0.2.0');
    expect(c.args).toEqual(['agent', '--in-cluster']);
    const env = Object.fromEntries(c.env.map((e) => [e.name, e.value ?? e.valueFrom]));
    expect(env.TETHER_HUB_URL).toEqual({ secretKeyRef: { name: 'tether-agent-bootstrap', key: 'hubUrl' } });
    expect(env.TETHER_CLUSTER_NAME).toEqual({ secretKeyRef: { name: 'tether-agent-bootstrap', key: 'cluster' } });
    expect(env.TETHER_BOOTSTRAP_TOKEN).toEqual({ secretKeyRef: { name: 'tether-agent-bootstrap', key: 'bootstrapToken' } });
    expect(env.TETHER_NAMESPACE).toEqual({ fieldRef: { fieldPath: 'metadata.namespace' } });
    expect(env.HTTPS_PROXY).toBe('http://proxy:3128');
    expect(env.NO_PROXY).toBe('10.0.0.0/8');
    expect(env.TETHER_POLL_INTERVAL_SECONDS).toBe('15');
    expect(c.ports).toEqual([{ name: 'http', containerPort: 8081, protocol: 'TCP' }]);
    expect(c.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(c.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(c.resources).toEqual({ requests: { cpu: '10m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } });
    expect(c.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 65532,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(c.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
  });

  it('leaves proxy variables out unless asked', () => {
    const names = containerOf(agentDeploymentObject(base)).env.map((e) => e.name);
    expect(names).not.toContain('HTTPS_PROXY');
    expect(names).not.toContain('NO_PROXY');
  });

  it('grants the agent only its own Deployment for self-upgrade', () => {
    const role = importManifestObjects(base).find((o) => o.kind === 'Role') as {
      rules: { resources: string[]; resourceNames?: string[]; verbs: string[] }[];
    };
    const deployments = role.rules.find((r) => r.resources.includes('deployments'));
    expect(deployments).toEqual({
      apiGroups: ['apps'],
      resources: ['deployments'],
      resourceNames: ['tether-agent'],
      verbs: ['get', 'patch'],
    });
  });

  it('refuses options that would render a broken manifest', () => {
    expect(() => renderImportManifest({ ...base, cluster: 'Bad_Name' })).toThrow(ValidationError);
    expect(() => renderImportManifest({ ...base, version: 'has space' })).toThrow(/version/);
    expect(() => renderImportManifest({ ...base, hubUrl: 'ftp://x' })).toThrow(/hubUrl/);
  });

  it('explains what is missing when a manifest is not an import manifest', () => {
    expect(() => parseImportManifest('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n')).toThrow(/tether-agent-bootstrap/);
    const noToken =
      'apiVersion: v1\nkind: Secret\nmetadata: {name: tether-agent-bootstrap}\nstringData: {hubUrl: "https://h", cluster: c}\n';
    expect(() => parseImportManifest(noToken)).toThrow(/bootstrapToken/);
  });
});
