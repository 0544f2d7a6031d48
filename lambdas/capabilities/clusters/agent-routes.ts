import { z } from 'zod';
import { PayloadTooLargeError, ValidationError } from '../../../shared/errors.js';
import { HEARTBEAT_AGE_HEADER, HEARTBEAT_RECORDED_HEADER, JoinRequestSchema, StatusReportSchema } from '../../../shared/protocol/v1.js';
import { parseOrThrow } from '../../../shared/validation.js';
import type { HubContext } from '../../core/context.js';
import { authenticateCredential, type AgentCaller } from './agent-auth.js';
import { authenticateBootstrap, joinCluster, pollDesiredState, reportStatus, rotateAgentCredential } from './agent-service.js';
import { bearerToken } from '../../http/auth.js';
import { parseObjectBody, type HttpRequest } from '../../http/request.js';
import type { Route } from '../../http/router.js';
import { ifNoneMatchRevisions } from '../../http/conditional.js';

/**
 * The agent API routes (/agent/v1/*). Each authenticates the token before it reads the body, so
 * an unauthenticated caller learns nothing from validation errors, and each acts only on the
 * cluster its token names. Bodies: 415 for a wrong content type, 413 over the route's limit, 400
 * for malformed JSON, 422 with field errors for unknown or invalid fields.
 */

/** Body limits per route: a join is small; a status report carries work status (1 MiB). */
export const AGENT_BODY_LIMITS = { join: 64 * 1024, status: 1024 * 1024, rotate: 1024 } as const;

const RotateBodySchema = z.object({}).strict();

function caller(ctx: HubContext, req: HttpRequest, action: string): AgentCaller {
  try {
    return { token: bearerToken(req), sourceIp: req.sourceIp };
  } catch (err) {
    ctx.ports.audit.record({ action, outcome: 'denied', reason: 'malformed Authorization header', sourceIp: req.sourceIp });
    throw err;
  }
}

/** The poll's heartbeat age header: whole seconds, or absent. */
export function heartbeatAge(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (!/^\d{1,12}$/.test(text)) {
    throw new ValidationError(
      `header ${HEARTBEAT_AGE_HEADER} must be whole seconds since the agent's last recorded heartbeat (e.g. 30), not "${text.slice(0, 40)}"`,
      [{ path: HEARTBEAT_AGE_HEADER, message: 'expected a non-negative integer' }],
    );
  }
  return Number(text);
}

function agentBody<S extends z.ZodType>(req: HttpRequest, schema: S, limit: number, what: string, optional = false): z.infer<S> {
  const size = Buffer.byteLength(req.body, 'utf8');
  if (size > limit) throw new PayloadTooLargeError(limit, size, what);
  return parseOrThrow(schema, parseObjectBody(req, { optional }), what);
}

/** The routes this capability contributes (composed in ./capability.ts). */
export const clusterAgentRoutes: readonly Route<HubContext>[] = [
  {
    method: 'POST',
    pattern: '/agent/v1/join',
    summary: 'Join with the bootstrap token: 202 while acceptance is pending, 200 with the cluster credential once accepted',
    handler: async (req, ctx) => {
      const who = caller(ctx, req, 'agent.join');
      const grant = await authenticateBootstrap(ctx, who);
      const joinRequest = agentBody(req, JoinRequestSchema, AGENT_BODY_LIMITS.join, 'join request');
      const out = await joinCluster(ctx, grant, joinRequest, who);
      if (out.status === 202) return { status: 202, headers: { 'retry-after': String(out.body.retryAfterSeconds) }, body: out.body };
      return { status: 200, headers: { 'cache-control': 'no-store' }, body: out.body };
    },
  },
  {
    method: 'GET',
    pattern: '/agent/v1/desired',
    summary: 'The desired state (the poll, also the heartbeat): 304 when If-None-Match names the current revision',
    handler: async (req, ctx) => {
      const out = await pollDesiredState(ctx, caller(ctx, req, 'agent.desired'), ifNoneMatchRevisions(req.headers['if-none-match']), () =>
        heartbeatAge(req.headers[HEARTBEAT_AGE_HEADER]),
      );
      const headers: Record<string, string> = { etag: out.etag };
      if (out.heartbeat) headers[HEARTBEAT_RECORDED_HEADER] = 'recorded';
      if (out.notModified) return { status: 304, headers };
      return { status: 200, headers: { ...headers, 'cache-control': 'no-store' }, body: out.state };
    },
  },
  {
    method: 'POST',
    pattern: '/agent/v1/status',
    summary: 'Status report: claims, versions, health, work status; detached:true completes a detach',
    handler: async (req, ctx) => {
      const who = caller(ctx, req, 'agent.status');
      const identity = await authenticateCredential(ctx, 'agent.status', who, { consistent: true });
      const report = agentBody(req, StatusReportSchema, AGENT_BODY_LIMITS.status, 'status report');
      await reportStatus(ctx, identity, report, who);
      return { status: 204 };
    },
  },
  {
    method: 'POST',
    pattern: '/agent/v1/rotate',
    summary: 'Exchange the cluster credential for a new one; the old one keeps working for a short overlap',
    handler: async (req, ctx) => {
      const who = caller(ctx, req, 'agent.rotate');
      const identity = await authenticateCredential(ctx, 'agent.rotate', who, { consistent: true });
      agentBody(req, RotateBodySchema, AGENT_BODY_LIMITS.rotate, 'rotate request', true);
      return { status: 200, headers: { 'cache-control': 'no-store' }, body: await rotateAgentCredential(ctx, identity, who) };
    },
  },
];
