import { stringify } from 'yaml';
import { MalformedInputError, ValidationError } from './errors.js';
import { parseDocuments } from './manifests.js';
import { CLUSTER_FEATURE_GROUP, CLUSTER_FEATURE_PLURAL, clusterFeatureCrd } from './cluster-feature-crd.js';

/**
 * The import manifest: everything `kubectl apply` needs to install the Tether agent on a spoke
 * cluster. The hub renders it for `POST /v1/clusters/{name}/import`; the agent reuses
 * {@link agentDeploymentObject} to upgrade itself and {@link parseImportManifest} for
 * `tether agent --from-manifest`.
 *
 * RBAC, in short (docs/security.md has the full story):
 * - `tether-agent:claims` (ClusterRole): read what the claims are made of (namespaces, nodes,
 *   labelled ConfigMaps, ClusterFeature objects).
 * - the `clusterfeatures.tether.dev` CustomResourceDefinition, so that a spoke can declare its
 *   features; detach leaves it (and the objects people created) in place.
 * - `tether-agent:work` (ClusterRole): apply and delete what works carry. Like Open Cluster
 *   Management's work agent it is broad by default (every resource), because the hub decides what
 *   works hold. To narrow it, edit the rules of this ClusterRole to the groups and resources your
 *   works use; a manifest outside them then fails to apply (Forbidden) in that work's status.
 * - a Role in the agent's namespace: its credential Secret (`tether-agent-credential`, key
 *   `credential`, written by the agent after it joins), its inventory ConfigMaps, and get/patch of
 *   its own Deployment for self-upgrade.
 */

/** Namespace the agent runs in unless told otherwise. */
export const AGENT_NAMESPACE = 'tether-agent';
/** Name of the agent's Deployment, ServiceAccount and container app label. */
export const AGENT_NAME = 'tether-agent';
/** Name of the agent's container in its pod. */
export const AGENT_CONTAINER = 'agent';
/** Secret holding hubUrl, cluster and bootstrapToken (stringData keys of the same names). */
export const AGENT_BOOTSTRAP_SECRET = 'tether-agent-bootstrap';
/** Secret in which the agent keeps its cluster credential after joining (written by the agent). */
export const AGENT_CREDENTIAL_SECRET = 'tether-agent-credential';
/** Key of the credential in {@link AGENT_CREDENTIAL_SECRET}. */
export const AGENT_CREDENTIAL_KEY = 'credential';
/** Port of the agent's /healthz, /readyz and /metrics (container port named `http`). */
export const AGENT_HTTP_PORT = 8081;
/** ClusterRole that lets the agent read what its claims are made of. */
export const AGENT_CLAIMS_ROLE = 'tether-agent:claims';
/** ClusterRole that lets the agent apply and delete what works carry. */
export const AGENT_WORK_ROLE = 'tether-agent:work';
/** Role in the agent's namespace: credential Secret, inventory ConfigMaps, its own Deployment. */
export const AGENT_SELF_ROLE = 'tether-agent';
/** UID and GID the agent runs as (distroless `nonroot`). */
export const AGENT_RUN_AS_USER = 65532;

/** What the manifest is rendered from. */
export interface ImportManifestOptions {
  /** The cluster's name on the hub (DNS-1123 label). */
  cluster: string;
  /** Base URL the agent reaches the hub's agent API at (https in production). */
  hubUrl: string;
  /** Single-use bootstrap token (`thb_<cluster>.<secret>`). */
  bootstrapToken: string;
  /** Image repository without a tag, e.g. `ghcr.io/tether-dev/tether-agent`. */
  image: string;
  /** Agent version; also the image tag. */
  version: string;
  /** Namespace of the agent. Default {@link AGENT_NAMESPACE}. */
  namespace?: string;
  /** Outbound proxy for the agent's HTTPS calls (set as HTTPS_PROXY). */
  httpsProxy?: string;
  /** Hosts the agent reaches without the proxy (set as NO_PROXY). */
  noProxy?: string;
  /** Poll interval to start with until the hub's first answer (TETHER_POLL_INTERVAL_SECONDS). */
  pollIntervalSeconds?: number;
}

/** A Kubernetes object as plain JSON. */
export type KubeObject = Record<string, unknown>;

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

function check(o: ImportManifestOptions): Required<Pick<ImportManifestOptions, 'namespace'>> & ImportManifestOptions {
  const namespace = o.namespace ?? AGENT_NAMESPACE;
  const problems: { path: string; message: string }[] = [];
  if (!DNS1123_LABEL.test(o.cluster) || o.cluster.length > 63) problems.push({ path: 'cluster', message: 'must be a DNS-1123 label' });
  if (!DNS1123_LABEL.test(namespace) || namespace.length > 63) problems.push({ path: 'namespace', message: 'must be a DNS-1123 label' });
  if (!/^https?:\/\/[^\s]+$/.test(o.hubUrl)) problems.push({ path: 'hubUrl', message: 'must be an http(s) URL' });
  if (o.bootstrapToken.trim() === '' || /\s/.test(o.bootstrapToken))
    problems.push({ path: 'bootstrapToken', message: 'must be a non-empty token without spaces' });
  if (o.image.trim() === '' || /\s/.test(o.image)) problems.push({ path: 'image', message: 'must be an image repository' });
  if (!IMAGE_TAG.test(o.version)) problems.push({ path: 'version', message: 'must be a valid image tag' });
  if (o.pollIntervalSeconds !== undefined && (!Number.isInteger(o.pollIntervalSeconds) || o.pollIntervalSeconds < 1)) {
    problems.push({ path: 'pollIntervalSeconds', message: 'must be a positive whole number' });
  }
  if (problems.length) {
    throw new ValidationError(`import manifest options are invalid: ${problems.map((p) => `${p.path} ${p.message}`).join('; ')}`, problems);
  }
  return { ...o, namespace };
}

/** Labels every object of the manifest carries. */
function commonLabels(): Record<string, string> {
  return { 'app.kubernetes.io/name': AGENT_NAME, 'app.kubernetes.io/part-of': 'tether' };
}

/** The full image reference of an agent version. */
export function agentImageRef(image: string, version: string): string {
  return `${image}:${version}`;
}

function secretEnv(name: string, key: string): KubeObject {
  return { name, valueFrom: { secretKeyRef: { name: AGENT_BOOTSTRAP_SECRET, key } } };
}

/**
 * The agent's Deployment as an object. The agent patches its own Deployment with this (new
 * version) to upgrade itself; the rolling update keeps the old pod until the new one is ready, so
 * an image that does not start leaves the old agent running.
 */
export function agentDeploymentObject(options: ImportManifestOptions): KubeObject {
  const o = check(options);
  const env: KubeObject[] = [
    secretEnv('TETHER_HUB_URL', 'hubUrl'),
    secretEnv('TETHER_CLUSTER_NAME', 'cluster'),
    secretEnv('TETHER_BOOTSTRAP_TOKEN', 'bootstrapToken'),
    { name: 'TETHER_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
  ];
  if (o.pollIntervalSeconds !== undefined) env.push({ name: 'TETHER_POLL_INTERVAL_SECONDS', value: String(o.pollIntervalSeconds) });
  if (o.httpsProxy) env.push({ name: 'HTTPS_PROXY', value: o.httpsProxy });
  if (o.noProxy) env.push({ name: 'NO_PROXY', value: o.noProxy });
  const podLabels = { ...commonLabels(), 'app.kubernetes.io/version': o.version };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: AGENT_NAME, namespace: o.namespace, labels: podLabels },
    spec: {
      replicas: 1,
      selector: { matchLabels: { 'app.kubernetes.io/name': AGENT_NAME } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: { labels: podLabels },
        spec: {
          serviceAccountName: AGENT_NAME,
          securityContext: {
            runAsNonRoot: true,
            runAsUser: AGENT_RUN_AS_USER,
            runAsGroup: AGENT_RUN_AS_USER,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: AGENT_CONTAINER,
              image: agentImageRef(o.image, o.version),
              imagePullPolicy: 'IfNotPresent',
              args: ['agent', '--in-cluster'],
              env,
              ports: [{ name: 'http', containerPort: AGENT_HTTP_PORT, protocol: 'TCP' }],
              livenessProbe: {
                httpGet: { path: '/healthz', port: 'http' },
                initialDelaySeconds: 5,
                periodSeconds: 10,
                failureThreshold: 3,
              },
              readinessProbe: { httpGet: { path: '/readyz', port: 'http' }, periodSeconds: 5, failureThreshold: 3 },
              resources: { requests: { cpu: '10m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } },
              securityContext: {
                runAsNonRoot: true,
                runAsUser: AGENT_RUN_AS_USER,
                readOnlyRootFilesystem: true,
                allowPrivilegeEscalation: false,
                capabilities: { drop: ['ALL'] },
                seccompProfile: { type: 'RuntimeDefault' },
              },
              volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
            },
          ],
          volumes: [{ name: 'tmp', emptyDir: {} }],
        },
      },
    },
  };
}

/** Every object of the import manifest, in apply order (namespace first, Deployment last). */
export function importManifestObjects(options: ImportManifestOptions): KubeObject[] {
  const o = check(options);
  const labels = commonLabels();
  const subject = { kind: 'ServiceAccount', name: AGENT_NAME, namespace: o.namespace };
  const clusterBinding = (role: string): KubeObject => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: role, labels },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: [subject],
  });
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: o.namespace, labels } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: AGENT_NAME, namespace: o.namespace, labels } },
    clusterFeatureCrd(labels),
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: AGENT_CLAIMS_ROLE, labels },
      rules: [
        // The kube-system namespace's UID is the cluster ID claim (id.k8s.io).
        { apiGroups: [''], resources: ['namespaces'], verbs: ['get'] },
        { apiGroups: [''], resources: ['nodes'], verbs: ['list'] },
        { apiGroups: [''], resources: ['configmaps'], verbs: ['list'] },
        // ClusterFeature objects become feature claims (feature.tether.dev/<name>).
        { apiGroups: [CLUSTER_FEATURE_GROUP], resources: [CLUSTER_FEATURE_PLURAL], verbs: ['list'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: {
        name: AGENT_WORK_ROLE,
        labels,
        annotations: {
          'tether.dev/rbac-note':
            'Broad by default, like the OCM work agent: works may carry any resource. Narrow these rules to the groups and resources your works use.',
        },
      },
      rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] }],
    },
    clusterBinding(AGENT_CLAIMS_ROLE),
    clusterBinding(AGENT_WORK_ROLE),
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: AGENT_SELF_ROLE, namespace: o.namespace, labels },
      rules: [
        { apiGroups: [''], resources: ['secrets', 'configmaps'], verbs: ['get', 'list', 'create', 'update', 'patch', 'delete'] },
        { apiGroups: ['apps'], resources: ['deployments'], resourceNames: [AGENT_NAME], verbs: ['get', 'patch'] },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: AGENT_SELF_ROLE, namespace: o.namespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: AGENT_SELF_ROLE },
      subjects: [subject],
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: AGENT_BOOTSTRAP_SECRET, namespace: o.namespace, labels },
      type: 'Opaque',
      stringData: { hubUrl: o.hubUrl, cluster: o.cluster, bootstrapToken: o.bootstrapToken },
    },
    agentDeploymentObject(o),
  ];
}

/**
 * The import manifest as multi-document YAML, ready for `kubectl apply -f`.
 *
 * @example
 * renderImportManifest({ cluster: 'store-0001', hubUrl: 'https://hub.example.com', bootstrapToken: token,
 *   image: 'ghcr.io/tether-dev/tether-agent', version: '0.1.0' });
 */
export function renderImportManifest(options: ImportManifestOptions): string {
  const objects = importManifestObjects(options);
  const header = [
    `# Tether agent for cluster "${options.cluster}".`,
    '# It holds a single-use bootstrap token: keep this file private and apply it once:',
    '#   kubectl apply -f <this file>',
  ].join('\n');
  const docs = objects.map((obj) => stringify(obj, { lineWidth: 0 }).trimEnd());
  return `${header}\n${docs.join('\n---\n')}\n`;
}

/** What an agent needs from an import manifest to join. */
export interface ImportManifestInfo {
  hubUrl: string;
  cluster: string;
  bootstrapToken: string;
  namespace: string;
}

/**
 * Reads the hub URL, cluster name and bootstrap token back from an import manifest (the Secret
 * `tether-agent-bootstrap`), for `tether agent --from-manifest import.yaml`.
 *
 * @throws MalformedInputError when the text is not YAML; ValidationError when the Secret is missing
 * or incomplete.
 */
export function parseImportManifest(text: string, source = 'import manifest'): ImportManifestInfo {
  const docs = parseDocuments(text, source);
  const secret = docs.find(
    (d): d is KubeObject =>
      typeof d === 'object' &&
      d !== null &&
      (d as KubeObject).kind === 'Secret' &&
      ((d as { metadata?: { name?: unknown } }).metadata?.name ?? '') === AGENT_BOOTSTRAP_SECRET,
  );
  if (!secret) {
    if (docs.length === 0) throw new MalformedInputError(`${source} is empty`);
    throw new ValidationError(`${source} has no Secret "${AGENT_BOOTSTRAP_SECRET}"; is it a Tether import manifest?`);
  }
  const meta = (secret.metadata ?? {}) as { namespace?: unknown };
  const fromData = (key: string): string | undefined => {
    const stringData = (secret.stringData ?? {}) as Record<string, unknown>;
    if (typeof stringData[key] === 'string') return stringData[key] as string;
    const data = (secret.data ?? {}) as Record<string, unknown>;
    return typeof data[key] === 'string' ? Buffer.from(data[key] as string, 'base64').toString('utf8') : undefined;
  };
  const hubUrl = fromData('hubUrl');
  const cluster = fromData('cluster');
  const bootstrapToken = fromData('bootstrapToken');
  const missing = [
    ['hubUrl', hubUrl],
    ['cluster', cluster],
    ['bootstrapToken', bootstrapToken],
  ].filter(([, v]) => !v);
  if (missing.length) {
    throw new ValidationError(
      `${source}: Secret "${AGENT_BOOTSTRAP_SECRET}" lacks ${missing.map(([k]) => k).join(', ')}`,
      missing.map(([k]) => ({ path: `stringData.${k}`, message: 'required' })),
    );
  }
  return {
    hubUrl: hubUrl as string,
    cluster: cluster as string,
    bootstrapToken: bootstrapToken as string,
    namespace: typeof meta.namespace === 'string' ? meta.namespace : AGENT_NAMESPACE,
  };
}
