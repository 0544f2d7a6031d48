import { AlreadyExistsError, NotFoundError, StateError } from '../../../shared/errors.js';
import { renderImportManifest } from '../../../shared/agent-manifest.js';
import { KINDS } from '../../../shared/resources/kinds.js';
import { API_VERSION } from '../../../shared/resources/meta.js';
import type { ClusterHead } from '../../ports/cluster-head-store.js';
import type { HubContext } from '../../core/context.js';
import { parseDesired, ResourceService } from '../../core/resource-service.js';
import { ensureHead, normaliseRecord, syncHead } from './cluster-behaviour.js';
import { readCluster } from './cluster-record.js';
import type { ClusterResource } from './cluster-status.js';
import { mutateHead, revokeAgent } from './head-ops.js';
import { mintAgentToken } from './tokens.js';

/**
 * The admin's cluster lifecycle verbs: import, accept, deny and upgrade (detach lives in
 * ./detach.ts). The acceptance gate is `spec.hubAcceptsClient`; these verbs change it through the
 * resource service, so the behaviour hooks keep head and record in step exactly as for a PATCH.
 */

/** Who asked, for the audit log. */
export interface AdminCaller {
  sourceIp?: string;
}

/** What `import` takes. */
export interface ImportRequest {
  labels?: Record<string, string>;
  autoAccept?: boolean;
  ttlSeconds?: number;
}

/** What `import` answers. The manifest and command hold the bootstrap token; it is shown once. */
export interface ImportResult {
  cluster: ClusterResource;
  manifest: string;
  command: string;
  bootstrapTokenExpiresAt: string;
}

const clusterKind = () => KINDS.Cluster;

/** Reads a cluster that may be changed: 404 when missing, 409 while it is being removed or detached. */
async function changeableCluster(ctx: HubContext, name: string, verb: string): Promise<{ record: ClusterResource; head: ClusterHead }> {
  const record = await readCluster(ctx, name);
  if (!record) throw new NotFoundError('Cluster', name);
  if (record.metadata.deletionTimestamp) throw new StateError(`cluster "${name}" is being removed; it cannot be ${verb}`);
  const head = await ensureHead(ctx, record);
  if (head.state === 'Detaching' || head.state === 'Detached') throw new StateError(`cluster "${name}" is detaching; it cannot be ${verb}`);
  return { record, head };
}

/** The one-line install command: the manifest travels inside it, so it works from any shell with kubectl. */
export function installCommand(manifest: string): string {
  return `echo '${Buffer.from(manifest, 'utf8').toString('base64')}' | base64 --decode | kubectl apply -f -`;
}

/**
 * Prepares a cluster to join: creates it if missing (else applies the given labels as a merge),
 * opens the gate with `autoAccept`, and mints a fresh single-use bootstrap token that replaces any
 * earlier one. `hubUrl` is where the agent reaches the agent API.
 */
export async function importCluster(
  ctx: HubContext,
  name: string,
  req: ImportRequest,
  hubUrl: string,
  caller: AdminCaller = {},
): Promise<ImportResult> {
  const service = new ResourceService(ctx);
  const existing = await readCluster(ctx, name);
  let created = false;
  if (!existing) {
    const desired = parseDesired(
      {
        apiVersion: API_VERSION,
        kind: 'Cluster',
        metadata: { name, ...(req.labels ? { labels: req.labels } : {}) },
        spec: req.autoAccept ? { hubAcceptsClient: true } : {},
      },
      clusterKind(),
      `Cluster "${name}"`,
    );
    try {
      await service.create(desired);
      created = true;
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
    }
  }
  if (!created) {
    await changeableCluster(ctx, name, 'imported');
    const patch: Record<string, unknown> = {};
    if (req.labels && Object.keys(req.labels).length) patch.metadata = { labels: req.labels };
    if (req.autoAccept) patch.spec = { hubAcceptsClient: true };
    if (Object.keys(patch).length) await service.patch(clusterKind(), name, undefined, patch);
  }
  const record = await readCluster(ctx, name);
  if (!record) throw new NotFoundError('Cluster', name);
  await ensureHead(ctx, record);
  const ttlSeconds = req.ttlSeconds ?? ctx.config.bootstrapTokenTtlSeconds;
  const expiresAt = ctx.ports.clock.now() + ttlSeconds * 1000;
  const minted = mintAgentToken(ctx.ports.ids, 'bootstrap', name);
  await mutateHead(ctx, name, (h) => ({ ...h, bootstrap: { hash: minted.hash, expiresAt, spent: false } }));
  ctx.ports.audit.record({
    action: 'cluster.import',
    outcome: 'allowed',
    cluster: name,
    reason: 'bootstrap token minted',
    sourceIp: caller.sourceIp,
    expiresAt: new Date(expiresAt).toISOString(),
  });
  const manifest = renderImportManifest({
    cluster: name,
    hubUrl,
    bootstrapToken: minted.token,
    image: ctx.config.agentImage,
    version: record.spec.agent?.version ?? ctx.config.agentVersion,
    pollIntervalSeconds: ctx.config.pollIntervalSeconds,
  });
  return { cluster: record, manifest, command: installCommand(manifest), bootstrapTokenExpiresAt: new Date(expiresAt).toISOString() };
}

/** Opens the acceptance gate: a pending agent joins on its next try; a denied cluster needs a new import. */
export async function acceptCluster(ctx: HubContext, name: string, caller: AdminCaller = {}): Promise<ClusterResource> {
  const { record } = await changeableCluster(ctx, name, 'accepted');
  if (!record.spec.hubAcceptsClient) {
    await new ResourceService(ctx).patch(clusterKind(), name, undefined, { spec: { hubAcceptsClient: true } });
  }
  // Also when the spec already said so: repairs a head or record left behind by an interrupted update.
  const head = await syncHead(ctx, name);
  if (head) await normaliseRecord(ctx, name, head);
  ctx.ports.audit.record({ action: 'cluster.accept', outcome: 'allowed', cluster: name, sourceIp: caller.sourceIp });
  return (await readCluster(ctx, name)) ?? record;
}

/** Closes the gate and revokes the bootstrap token and every credential, at once. */
export async function denyCluster(ctx: HubContext, name: string, caller: AdminCaller = {}): Promise<ClusterResource> {
  const { record } = await changeableCluster(ctx, name, 'denied');
  if (record.spec.hubAcceptsClient) {
    await new ResourceService(ctx).patch(clusterKind(), name, undefined, { spec: { hubAcceptsClient: false } });
  }
  const head = await revokeAgent(ctx, name, 'Denied');
  if (head) await normaliseRecord(ctx, name, head);
  ctx.ports.audit.record({
    action: 'cluster.deny',
    outcome: 'allowed',
    cluster: name,
    reason: 'bootstrap token and credentials revoked',
    sourceIp: caller.sourceIp,
  });
  return (await readCluster(ctx, name)) ?? record;
}

/**
 * Sets the desired agent version. The Cluster behaviour carries it to the head (revision bump),
 * sets AgentUpgraded False/Upgrading and queues the deadline.
 */
export async function upgradeCluster(ctx: HubContext, name: string, version: string, caller: AdminCaller = {}): Promise<ClusterResource> {
  await changeableCluster(ctx, name, 'upgraded');
  await new ResourceService(ctx).patch(clusterKind(), name, undefined, { spec: { agent: { version } } });
  ctx.ports.audit.record({
    action: 'cluster.upgrade',
    outcome: 'allowed',
    cluster: name,
    reason: `agent version ${version}`,
    sourceIp: caller.sourceIp,
  });
  const record = await readCluster(ctx, name);
  if (!record) throw new NotFoundError('Cluster', name);
  return record;
}
