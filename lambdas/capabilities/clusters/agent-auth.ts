import { ForbiddenError, UnauthenticatedError } from '../../../shared/errors.js';
import type { ClusterHead, CredentialHash } from '../../ports/cluster-head-store.js';
import type { HubContext } from '../../core/context.js';
import { checkCredential, parseAgentToken, type AgentTokenKind } from './tokens.js';

/**
 * Authentication of agent requests. Every denial is audited (action, outcome `denied`, the cluster
 * the token names if any, the reason, the source IP) and answered with one generic message, so a
 * caller learns nothing about which clusters exist; tokens are never logged.
 */

/** Where an agent request came from, for the audit log. */
export interface AgentCaller {
  /** The bearer token, if one was sent. */
  token?: string;
  sourceIp?: string;
}

/** What authentication establishes: the one cluster this request may act on. */
export interface AgentIdentity {
  cluster: string;
  head: ClusterHead;
  credential: CredentialHash;
  /** SHA-256 of the presented credential. */
  hash: string;
}

const GENERIC_CREDENTIAL_DENIAL =
  'the cluster credential is not valid: unknown, revoked (deny, detach or delete) or rotated out. The agent must join again with a new bootstrap token (tether cluster import)';

/** Audits a denial and returns the error to throw. */
export function agentDenied(
  ctx: HubContext,
  action: string,
  caller: AgentCaller,
  reason: string,
  cluster?: string,
  message = GENERIC_CREDENTIAL_DENIAL,
): ForbiddenError {
  ctx.ports.audit.record({ action, outcome: 'denied', ...(cluster ? { cluster } : {}), reason, sourceIp: caller.sourceIp });
  return new ForbiddenError(message);
}

/** Audits a request without a token and returns the 401 to throw. */
export function agentUnauthenticated(ctx: HubContext, action: string, caller: AgentCaller, kind: AgentTokenKind): UnauthenticatedError {
  ctx.ports.audit.record({ action, outcome: 'denied', reason: 'no token', sourceIp: caller.sourceIp });
  return new UnauthenticatedError(
    kind === 'bootstrap'
      ? 'joining needs the bootstrap token from the import manifest: send "Authorization: Bearer thb_..."'
      : 'this endpoint needs the cluster credential the hub issued at join: send "Authorization: Bearer thc_..."',
  );
}

/**
 * Authenticates a cluster credential with one read of the cluster's head: eventually consistent
 * on the poll path (the cheapest read; a revocation takes effect within the table's replication
 * lag, about a second), consistent where the request writes.
 */
export async function authenticateCredential(
  ctx: HubContext,
  action: string,
  caller: AgentCaller,
  opts: { consistent: boolean },
): Promise<AgentIdentity> {
  if (!caller.token) throw agentUnauthenticated(ctx, action, caller, 'credential');
  const parsed = parseAgentToken(caller.token, 'credential');
  if (!parsed) throw agentDenied(ctx, action, caller, 'malformed credential');
  const head = await ctx.ports.heads.get(parsed.cluster, { consistent: opts.consistent });
  const check = checkCredential(head, parsed.hash, ctx.ports.clock.now());
  if (!check.ok || !head) throw agentDenied(ctx, action, caller, check.ok ? 'unknown cluster' : check.reason, parsed.cluster);
  return { cluster: parsed.cluster, head, credential: check.credential, hash: parsed.hash };
}
