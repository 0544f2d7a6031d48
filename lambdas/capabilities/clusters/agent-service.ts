import { ConflictError, NotFoundError } from '../../../shared/errors.js';
import type { DesiredState, JoinRequest, JoinResponse, RotateResponse, StatusReport } from '../../../shared/protocol/v1.js';
import { ClusterConditions } from '../../../shared/resources/cluster.js';
import { getCondition } from '../../../shared/resources/meta.js';
import type { ClusterHead } from '../../ports/cluster-head-store.js';
import type { HubContext } from '../../core/context.js';
import { stepMessage } from '../../core/steps.js';
import { agentDenied, agentUnauthenticated, authenticateCredential, type AgentCaller, type AgentIdentity } from './agent-auth.js';
import { validateClaims, withAgentFacts, withHealth, withJoined, type ClusterIdConflict } from './agent-report.js';
import { leaseRenewedStep } from './availability.js';
import { updateClusterRecord } from './cluster-record.js';
import { recordChanged, withHeadState, withHubTaints, type ClusterResource } from './cluster-status.js';
import { detachCompleteStep } from './detach.js';
import { heartbeatDue, leaseLive } from './cluster-lease.js';
import { checkBootstrap, mintAgentToken, parseAgentToken, rotateCredentials, rotationDue } from './tokens.js';

/**
 * The agent's use cases behind /agent/v1/*. Each authenticates the token itself and acts only on
 * the cluster that token names; no cluster named in a path or body is ever trusted.
 */

/** A bootstrap token that passed every check: join may proceed for this cluster. */
export interface BootstrapGrant {
  cluster: string;
  hash: string;
  head: ClusterHead;
}

/** Checks a bootstrap token (one consistent read of the head). */
export async function authenticateBootstrap(ctx: HubContext, caller: AgentCaller): Promise<BootstrapGrant> {
  if (!caller.token) throw agentUnauthenticated(ctx, 'agent.join', caller, 'bootstrap');
  const parsed = parseAgentToken(caller.token, 'bootstrap');
  if (!parsed) throw agentDenied(ctx, 'agent.join', caller, 'malformed bootstrap token', undefined, bootstrapMessage());
  const head = await ctx.ports.heads.get(parsed.cluster, { consistent: true });
  const reason = checkBootstrap(head, parsed.hash, ctx.ports.clock.now());
  if (reason || !head)
    throw agentDenied(ctx, 'agent.join', caller, `bootstrap token ${reason ?? 'unknown cluster'}`, parsed.cluster, bootstrapMessage());
  return { cluster: parsed.cluster, hash: parsed.hash, head };
}

function bootstrapMessage(): string {
  return 'the bootstrap token is not valid: unknown, already used, expired or revoked. Mint a new one with tether cluster import';
}

/** The answer to a join: 202 while the gate is closed, 200 with the credential once accepted. */
export type JoinOutcome =
  { status: 202; body: Extract<JoinResponse, { status: 'Pending' }> } | { status: 200; body: Extract<JoinResponse, { status: 'Joined' }> };

/**
 * Writes what the agent told the hub to the record (only if that changes it; `lastSeen` moves
 * with such a change). A joined head also restores phase and Joined, so a report heals a join
 * whose record write failed. Returns the conflict when a cluster-ID conflict is newly flagged.
 */
async function recordAgentFacts(
  ctx: HubContext,
  cluster: string,
  head: Pick<ClusterHead, 'state'>,
  change: (res: ClusterResource, now: string) => { record: ClusterResource; conflict?: ClusterIdConflict },
): Promise<{ record?: ClusterResource; newConflict?: ClusterIdConflict }> {
  let newConflict: ClusterIdConflict | undefined;
  const record = await updateClusterRecord(ctx, cluster, (res, now) => {
    const wasFlagged = getCondition(res.status?.conditions, ClusterConditions.ClusterIdConflict)?.status === 'True';
    const out = change(head.state === 'Joined' ? withHeadState(res, head, now) : res, now);
    newConflict = out.conflict && !wasFlagged ? out.conflict : undefined;
    const next = withHubTaints(out.record, now);
    return recordChanged(res, next) ? { ...next, status: { ...(next.status ?? { conditions: [] }), lastSeen: now } } : res;
  });
  return { record, newConflict };
}

/**
 * Joins the agent: 202 while the cluster awaits acceptance; once accepted, spends the bootstrap
 * token and issues a credential in one conditional write of the head (so of two racing joins with
 * the same token exactly one succeeds), then records claims and conditions on the Cluster record.
 */
export async function joinCluster(ctx: HubContext, grant: BootstrapGrant, req: JoinRequest, caller: AgentCaller): Promise<JoinOutcome> {
  if (req.cluster !== grant.cluster) {
    throw agentDenied(
      ctx,
      'agent.join',
      caller,
      `bootstrap token is bound to cluster "${grant.cluster}", the request names "${req.cluster}"`,
      grant.cluster,
      bootstrapMessage(),
    );
  }
  validateClaims(req.claims);
  let head = grant.head;
  for (let attempt = 0; ; attempt++) {
    if (head.state === 'Denied')
      throw agentDenied(
        ctx,
        'agent.join',
        caller,
        'cluster denied',
        grant.cluster,
        'the hub administrator denied this cluster; ask them to accept it and import it again',
      );
    if (head.state === 'Detaching' || head.state === 'Detached')
      throw agentDenied(
        ctx,
        'agent.join',
        caller,
        `cluster ${head.state.toLowerCase()}`,
        grant.cluster,
        'this cluster is being detached from the hub',
      );
    if (head.state === 'Pending') {
      const retryAfterSeconds = ctx.config.pollIntervalSeconds;
      return {
        status: 202,
        body: {
          status: 'Pending',
          message: `cluster "${grant.cluster}" awaits acceptance (tether cluster accept ${grant.cluster})`,
          retryAfterSeconds,
        },
      };
    }
    const now = ctx.ports.clock.now();
    const minted = mintAgentToken(ctx.ports.ids, 'credential', grant.cluster);
    try {
      head = await ctx.ports.heads.put({
        ...head,
        state: 'Joined',
        // One agent per cluster: a re-join (a reinstalled agent) replaces earlier credentials.
        credentials: [{ hash: minted.hash, issuedAt: now }],
        bootstrap: { ...(head.bootstrap as NonNullable<ClusterHead['bootstrap']>), spent: true },
      });
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= 4) throw err;
      // Someone else wrote the head (a lease, another join): re-read and check the token again.
      const fresh = await ctx.ports.heads.get(grant.cluster, { consistent: true });
      const reason = checkBootstrap(fresh, grant.hash, ctx.ports.clock.now());
      if (reason || !fresh)
        throw agentDenied(ctx, 'agent.join', caller, `bootstrap token ${reason ?? 'unknown cluster'}`, grant.cluster, bootstrapMessage());
      head = fresh;
      continue;
    }
    ctx.ports.audit.record({
      action: 'agent.join',
      outcome: 'allowed',
      cluster: grant.cluster,
      reason: 'credential issued',
      sourceIp: caller.sourceIp,
      agentVersion: req.agentVersion,
    });
    try {
      const { newConflict } = await recordAgentFacts(ctx, grant.cluster, head, (res, iso) =>
        withAgentFacts(withJoined(res, req.agentVersion, iso), req, iso),
      );
      if (newConflict) auditConflict(ctx, grant.cluster, newConflict, caller);
    } catch (err) {
      // The credential is already issued and the token spent: the join stands. The next status
      // report writes the record again (it re-applies Joined), so only log here.
      ctx.ports.log.error('join: recording the agent on the cluster failed', { cluster: grant.cluster, error: (err as Error).message });
    }
    return {
      status: 200,
      body: { status: 'Joined', cluster: grant.cluster, credential: minted.token, pollIntervalSeconds: ctx.config.pollIntervalSeconds },
    };
  }
}

function auditConflict(ctx: HubContext, cluster: string, conflict: ClusterIdConflict, caller: AgentCaller): void {
  ctx.ports.audit.record({
    action: 'cluster.claim-id',
    outcome: 'denied',
    cluster,
    reason: 'claimed cluster ID differs from the recorded one; the recorded ID is kept',
    recordedId: conflict.recorded,
    claimedId: conflict.claimed,
    sourceIp: caller.sourceIp,
  });
}

/** The answer to a poll: 304 or the desired state, with its ETag; `heartbeat` when the poll was recorded as one. */
export type DesiredOutcome = ({ notModified: true } | { notModified: false; state: DesiredState }) & { etag: string; heartbeat: boolean };

/**
 * THE POLL PATH. An idle poll is exactly one eventually consistent GetItem of the head: the
 * credential check, the lease and the revision compare all use that one item, and it writes
 * nothing per cluster. While the head holds a lease the poll only records a heartbeat in the
 * batched heartbeat log (a DynamoDB write only when this process's flush is due, shared by every
 * cluster it served meanwhile), and only when the agent's `heartbeatAgeSeconds` says none was
 * recorded for half a lease (see {@link heartbeatDue}). A head without a lease (never live, or dropped by the expiry
 * sweep) gets one in one conditional UpdateItem, announced to the record. Works and policies are
 * read only when the answer is not 304 (so is the inventory). `knownRevisions` are the revisions the agent already holds (its
 * If-None-Match, parsed at the HTTP edge): the answer is 304 when the current one is among them.
 */
export async function pollDesiredState(
  ctx: HubContext,
  caller: AgentCaller,
  knownRevisions: readonly string[] = [],
  heartbeatAgeSeconds: () => number | undefined = () => undefined,
): Promise<DesiredOutcome> {
  const { cluster, head } = await authenticateCredential(ctx, 'agent.desired', caller, { consistent: false });
  // Read only once the caller is known: a stranger learns nothing from the header's checks.
  const age = heartbeatAgeSeconds();
  const now = ctx.ports.clock.now();
  let heartbeat = true;
  if (!leaseLive(head)) await takeLease(ctx, cluster, now);
  else if (heartbeatDue(age, head.leaseDurationSeconds)) await recordHeartbeat(ctx, cluster, now);
  else heartbeat = false;
  const revision = String(head.desiredRevision);
  const etag = `"${revision}"`;
  const rotate = rotationDue(head, now, ctx.config.credentialMaxAgeSeconds * 1000);
  // A due rotation is not part of the revision, so it suspends 304 until the agent has rotated.
  if (knownRevisions.includes(revision) && !rotate) return { notModified: true, etag, heartbeat };
  const detach = head.state === 'Detaching';
  const version = typeof head.attrs?.agentVersion === 'string' ? head.attrs.agentVersion : ctx.config.agentVersion;
  const [works, policies, sync, inventory] = detach
    ? [[], [], { sources: [], destinationRules: [], objects: [] }, { profiles: [] }]
    : await Promise.all([
        ctx.registry.desiredState.works(ctx, cluster),
        ctx.registry.desiredState.policies(ctx, cluster),
        ctx.registry.desiredState.sync(ctx, cluster),
        ctx.registry.desiredState.inventory(ctx, cluster),
      ]);
  const state: DesiredState = {
    cluster,
    revision,
    works,
    policies,
    sync,
    inventory,
    agent: { version, image: ctx.config.agentImage },
    detach,
    rotateCredential: rotate,
    pollIntervalSeconds: ctx.config.pollIntervalSeconds,
    leaseDurationSeconds: head.leaseDurationSeconds,
  };
  return { notModified: false, etag, state, heartbeat };
}

/** The transition to live: a conditional write of the head, announced to the record if it won. */
async function takeLease(ctx: HubContext, cluster: string, now: number): Promise<void> {
  let renewed: boolean;
  try {
    renewed = await ctx.ports.heads.renewLease(cluster, now);
  } catch (err) {
    // The head went away under us (a delete finishing): nothing to renew.
    if (!(err instanceof NotFoundError)) throw err;
    return;
  }
  if (renewed) await ctx.ports.queue.send([stepMessage(leaseRenewedStep, { cluster })]);
  // Lost the race (another poll, or a stale read of a head that is live already): a heartbeat then.
  else await recordHeartbeat(ctx, cluster, now);
}

/**
 * Records the heartbeat. A failed flush must not fail the poll: the entries stay buffered for the
 * next flush, and the expiry rule tolerates a few lost seconds.
 */
async function recordHeartbeat(ctx: HubContext, cluster: string, now: number): Promise<void> {
  try {
    await ctx.ports.heartbeats.record(cluster, now);
  } catch (err) {
    ctx.ports.log.warn('heartbeat log: flush failed; the heartbeats stay buffered', { cluster, error: (err as Error).message });
  }
}

/**
 * A status report: claims, versions, health and upgrade progress go to the Cluster record, written
 * only when something changed; `detached: true` during a detach queues its completion.
 */
export async function reportStatus(ctx: HubContext, identity: AgentIdentity, report: StatusReport, caller: AgentCaller): Promise<void> {
  validateClaims(report.claims);
  const { cluster, head } = identity;
  const live = leaseLive(head);
  const { record, newConflict } = await recordAgentFacts(ctx, cluster, head, (res, now) => {
    const joined = head.state === 'Joined' ? withJoined(res, report.agentVersion, now) : res;
    const facts = withAgentFacts(joined, { agentVersion: report.agentVersion, claims: report.claims }, now);
    return { record: withHealth(facts.record, report.healthy, report.message, live, now), conflict: facts.conflict };
  });
  if (newConflict) auditConflict(ctx, cluster, newConflict, caller);
  // The parts the lifecycle does not own (work status, drift) go to the capabilities that declared handlers.
  for (const handler of ctx.registry.statusReportHandlers) await handler(ctx, cluster, report);
  if (report.detached && head.state === 'Detaching' && record) {
    await ctx.ports.queue.send([stepMessage(detachCompleteStep, { cluster, uid: record.metadata.uid })]);
  }
}

/**
 * Exchanges the presented credential for a new one. Older credentials stay valid for
 * `credentialOverlapSeconds` (so a lost answer or an in-flight request does not strand the agent),
 * then are refused.
 */
export async function rotateAgentCredential(ctx: HubContext, identity: AgentIdentity, caller: AgentCaller): Promise<RotateResponse> {
  const overlapSeconds = ctx.config.credentialOverlapSeconds;
  let head = identity.head;
  let credential = identity.credential;
  for (let attempt = 0; ; attempt++) {
    const now = ctx.ports.clock.now();
    // Only the current credential may rotate. One in its overlap window still authenticates (so
    // requests in flight are not stranded) but minting with it would hand whoever holds it a fresh
    // credential and cut the legitimate new one to the overlap's end.
    if (credential.expiresAt !== undefined) throw rotatedOutRotation(ctx, identity.cluster, caller);
    const minted = mintAgentToken(ctx.ports.ids, 'credential', identity.cluster);
    try {
      await ctx.ports.heads.put({ ...head, credentials: rotateCredentials(head.credentials, minted.hash, now, overlapSeconds * 1000) });
      ctx.ports.audit.record({
        action: 'agent.rotate',
        outcome: 'allowed',
        cluster: identity.cluster,
        reason: 'credential rotated',
        sourceIp: caller.sourceIp,
      });
      return { credential: minted.token, overlapSeconds };
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= 4) throw err;
      // Re-authenticate against the fresh head: a deny or detach in between must win.
      ({ head, credential } = await authenticateCredential(ctx, 'agent.rotate', caller, { consistent: true }));
    }
  }
}

/** The refusal of a rotation with a rotated-out credential: audited, a 409 that says what to use. */
function rotatedOutRotation(ctx: HubContext, cluster: string, caller: AgentCaller): ConflictError {
  ctx.ports.audit.record({
    action: 'agent.rotate',
    outcome: 'denied',
    cluster,
    reason: 'rotated-out credential',
    sourceIp: caller.sourceIp,
  });
  return new ConflictError(
    'this credential has been rotated out and only works until its overlap ends; it cannot rotate again. Use the credential the last rotation returned',
  );
}
