import { randomUUID } from 'node:crypto';
import type { Resource } from '../../shared/resources/meta.js';
import type { AuditEvent, AuthzDecision, Principal } from '../../shared/tenancy.js';
import { auditDiffSummary } from '../../shared/audit-view.js';
import { auditDiff } from '../core/audit/diff.js';
import type { HubContext } from '../core/context.js';
import { AUDIT_ACTION_ANNOTATION, AUDIT_REASON_ANNOTATION } from '../ports/audit-store.js';
import type { AuditLog, ResourceChange, SecurityEvent } from '../ports/log.js';
import type { HttpRequest } from './request.js';

/**
 * One admin request's audit scope: it stands in for `ports.audit` while the request runs, so the
 * resource service's writes ({@link ResourceChange}) and the domain's security events land here,
 * and {@link RequestAudit.finish} turns them into the one audit event (`audit.k8s.io/v1` Event)
 * the request leaves — one per changed object for a multi-document apply.
 *
 * What is recorded (level Metadata, plus a redacted diff for writes):
 * - a write that changed something (the service reported a change), or a request in which the
 *   domain audited something (cluster accept/deny/detach, rollout control, a login), whatever its
 *   outcome;
 * - every denial (401, 403), counted with its identical repeats by the audit log;
 * - not reads, and not a write that changed nothing (an unchanged apply, a dry run).
 */

/**
 * Largest diff an event keeps, bytes of JSON. A bigger one (a Work with large manifests) is
 * replaced by the list of fields it changed, in the `tether.dev/diff` annotation: an event stays
 * far below DynamoDB's 400 KB item limit and cheap to write and read.
 */
export const MAX_DIFF_BYTES = 32 * 1024;

/** Annotation naming the changed fields of a diff too large to keep. */
export const AUDIT_DIFF_ANNOTATION = 'tether.dev/diff';

/** The event's diff, or the note that stands for one too large to keep. */
function boundedDiff(diff: unknown, annotations: Record<string, string> | undefined): Pick<AuditEvent, 'diff' | 'annotations'> {
  const bytes = Buffer.byteLength(JSON.stringify(diff) ?? '', 'utf8');
  if (bytes <= MAX_DIFF_BYTES) return { diff, ...(annotations ? { annotations } : {}) };
  const fields = auditDiffSummary({ diff } as AuditEvent, 20);
  return {
    annotations: { ...annotations, [AUDIT_DIFF_ANNOTATION]: `not kept: ${bytes} bytes (over ${MAX_DIFF_BYTES}); changed ${fields}` },
  };
}

/** The caller before authentication has told who it is. */
export const ANONYMOUS = 'system:anonymous';

/** Annotation on events of a `/v1/apply` request. */
export const AUDIT_VIA_ANNOTATION = 'tether.dev/via';

/** What the route says the request is about: resource, name, namespace, subresource. */
type ObjectRef = NonNullable<AuditEvent['objectRef']>;

/**
 * The object a route addresses, from its pattern: `/v1/{plural}/{name}`, the namespaced
 * `/v1/clusters/{cluster}/{plural}/{name}`, or an action `/v1/fleetdeployments/{name}/pause`.
 */
export function routeObjectRef(pattern: string, params: Record<string, string>): ObjectRef | undefined {
  let segs = pattern.split('/').filter(Boolean);
  if (segs[0] === 'v1') segs = segs.slice(1);
  let namespace: string | undefined;
  if (segs[0] === 'clusters' && segs[1] === '{cluster}' && segs.length > 2) {
    namespace = params.cluster;
    segs = segs.slice(2);
  }
  const val = (s: string | undefined) => (s === undefined ? undefined : s.startsWith('{') ? params[s.slice(1, -1)] : s);
  const [resource, name, subresource] = segs.map(val);
  if (!resource || resource === 'apply') return undefined;
  return {
    resource,
    ...(name ? { name } : {}),
    ...(namespace ? { namespace } : {}),
    ...(subresource ? { subresource } : {}),
  };
}

/** The audit verb of a request: Kubernetes' for plain writes, `control` for an action on an object. */
export function requestVerb(method: string, ref: ObjectRef | undefined): string {
  switch (method) {
    case 'GET':
    case 'HEAD':
      return ref?.name ? 'get' : 'list';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return 'delete';
    default:
      return ref?.subresource ? 'control' : 'create';
  }
}

/**
 * The cluster sets an object belongs to: a Cluster's recorded sets, a ClusterSet itself, the sets a
 * Placement-like spec names, for an object that follows a Placement (`spec.placementRef`: a
 * FleetDeployment, a Policy, a SyncRule, an inventory export) that Placement's sets, and for an
 * object in a cluster that cluster's sets (one eventually consistent read each, only on writes).
 */
export async function clusterSetsOf(ctx: HubContext, objects: readonly (Resource | undefined)[]): Promise<string[]> {
  const out = new Set<string>();
  for (const obj of objects) {
    if (!obj) continue;
    if (obj.kind === 'ClusterSet') out.add(obj.metadata.name);
    const status = obj.status as { clusterSets?: unknown } | undefined;
    if (obj.kind === 'Cluster' && Array.isArray(status?.clusterSets)) for (const s of status.clusterSets) out.add(String(s));
    const spec = obj.spec as { clusterSets?: unknown } | undefined;
    if (Array.isArray(spec?.clusterSets)) for (const s of spec.clusterSets) if (typeof s === 'string') out.add(s);
  }
  const placement = objects
    .map((o) => (o?.spec as { placementRef?: { name?: unknown } } | undefined)?.placementRef?.name)
    .find((n) => typeof n === 'string');
  if (typeof placement === 'string') {
    const p = await ctx.ports.resources.get({ kind: 'Placement', name: placement });
    const sets = (p?.spec as { clusterSets?: unknown } | undefined)?.clusterSets;
    if (Array.isArray(sets)) for (const s of sets) if (typeof s === 'string') out.add(s);
  }
  const namespace = objects.find((o) => o?.metadata.namespace)?.metadata.namespace;
  if (namespace) {
    const cluster = await ctx.ports.resources.get({ kind: 'Cluster', name: namespace });
    const sets = (cluster?.status as { clusterSets?: unknown } | undefined)?.clusterSets;
    if (Array.isArray(sets)) for (const s of sets) out.add(String(s));
  }
  return [...out].sort();
}

/** How long a principal's sign-in stands for its later requests (one `login` event per window). */
export const SIGN_IN_WINDOW_MS = 3_600_000;
/** Principals remembered at most per process (the oldest is forgotten first). */
const SIGN_IN_MEMORY = 10_000;

/**
 * When each OIDC principal was last seen by this process: its first request in a window of
 * {@link SIGN_IN_WINDOW_MS} is its sign-in. Per process (each Lambda container), so a user whose
 * requests land on several containers has one `login` event per container and hour at most.
 */
export class SignIns {
  private readonly seen = new Map<string, number>();

  /** True when this is the principal's first request in the window (and remembers it). */
  first(p: Principal, now: number): boolean {
    if (p.source !== 'oidc') return false;
    const key = `${p.source}\u0000${p.uid}`;
    const last = this.seen.get(key);
    if (last !== undefined && now - last < SIGN_IN_WINDOW_MS) return false;
    this.seen.delete(key);
    this.seen.set(key, now);
    if (this.seen.size > SIGN_IN_MEMORY) this.seen.delete(this.seen.keys().next().value!);
    return true;
  }
}

/** How a request ended, for its event. */
export interface RequestOutcome {
  status: number;
  /** The problem's title and detail, for a failed request. */
  reason?: string;
  message?: string;
}

export class RequestAudit implements AuditLog {
  /** The request's audit ID: the `Audit-Id` response header, and the stored event's `auditID`. */
  readonly auditID = randomUUID();
  /** Who called, once authenticated. */
  principal: Principal | undefined;
  /** The authorization decision, when one was made (else derived from the outcome). */
  decision: AuthzDecision | undefined;
  /** Set when this request is the principal's sign-in (its first in a window): a `login` event is added. */
  signIn = false;
  private readonly changes: ResourceChange[] = [];
  private readonly notes: SecurityEvent[] = [];
  private readonly received: string;

  constructor(
    private readonly base: AuditLog,
    private readonly req: HttpRequest,
    private readonly pattern: string,
    now: number,
  ) {
    this.received = new Date(now).toISOString();
  }

  /** A domain security event: logged as ever, stored as part of this request's event. */
  record(event: SecurityEvent): void {
    this.notes.push(event);
    this.base.record(event, { store: false });
  }

  append(event: AuditEvent): string {
    return this.base.append?.(event) ?? event.auditID;
  }

  change(change: ResourceChange): void {
    this.changes.push(change);
  }

  flush(denials?: boolean): Promise<void> {
    return this.base.flush?.(denials) ?? Promise.resolve();
  }

  /**
   * Ends the request: hands its events to the audit log and returns the auditID to answer with
   * (for a repeated denial, the aggregate's). Reads and writes that changed nothing leave none.
   */
  async finish(ctx: HubContext, outcome: RequestOutcome, now: number): Promise<string> {
    // A refusal answered 404 (an object outside the caller's cluster sets is hidden) is a denial too.
    // A 429 of the failed-authentication limit is a refusal too: counted with its repeats, so a
    // flood of bad credentials is a few stored events, not one write per request.
    const denied =
      outcome.status === 401 ||
      outcome.status === 403 ||
      outcome.status === 429 ||
      (this.decision?.allowed === false && !this.changes.length);
    const routeRef = routeObjectRef(this.pattern, this.req.params);
    const base = this.baseEvent(outcome, routeRef, now);
    if (this.signIn && this.principal) {
      const { objectRef: _ref, ...rest } = base;
      this.append({ ...rest, auditID: `${this.auditID}.login`, verb: 'login', responseStatus: { code: 200, status: 'Success' } });
    }
    // A read, or a write that changed nothing, leaves no event unless the hub audited something in
    // it (a login recorded by an `/v1/auth/*` route, a refused cluster action).
    if (!denied && !this.changes.length && !this.notes.length) return this.auditID;
    if (denied) return this.append(base);
    const apply = this.pattern === '/v1/apply';
    if (!this.changes.length) {
      const sets = routeRef?.resource === 'clusters' && routeRef.name ? await this.setsOfCluster(ctx, routeRef.name) : [];
      this.append({ ...base, ...(sets.length ? { clusterSets: sets } : {}) });
      return this.auditID;
    }
    for (const [i, c] of this.changes.entries()) {
      const obj = c.new ?? c.old;
      const redact = ctx.registry.redaction(c.kind);
      const sets = await clusterSetsOf(ctx, [c.old, c.new]);
      const event: AuditEvent = {
        ...base,
        auditID: i === 0 ? this.auditID : `${this.auditID}.${i + 1}`,
        verb: apply ? c.verb : base.verb,
        objectRef: {
          ...(routeRef && !apply ? routeRef : {}),
          resource: c.plural,
          ...(obj ? { name: obj.metadata.name } : {}),
          ...(obj?.metadata.namespace ? { namespace: obj.metadata.namespace } : {}),
        },
        ...(sets.length ? { clusterSets: sets } : {}),
        ...boundedDiff(
          c.verb === 'delete' ? null : auditDiff(c.old, c.new, redact),
          apply ? { ...base.annotations, [AUDIT_VIA_ANNOTATION]: 'apply' } : base.annotations,
        ),
      };
      this.append(event);
    }
    return this.auditID;
  }

  private async setsOfCluster(ctx: HubContext, name: string): Promise<string[]> {
    const cluster = await ctx.ports.resources.get({ kind: 'Cluster', name });
    return cluster ? clusterSetsOf(ctx, [cluster]) : [];
  }

  /** The event's parts every record of this request shares. */
  private baseEvent(outcome: RequestOutcome, ref: ObjectRef | undefined, now: number): AuditEvent {
    const p = this.principal;
    const denied = outcome.status === 401 || outcome.status === 403;
    const noteReason = this.notes.find((n) => n.reason)?.reason;
    const annotations: Record<string, string> = {};
    if (this.notes.length) annotations[AUDIT_ACTION_ANNOTATION] = [...new Set(this.notes.map((n) => n.action))].join(',');
    if (noteReason) annotations[AUDIT_REASON_ANNOTATION] = noteReason;
    const decision: AuthzDecision | undefined =
      this.decision ??
      (denied
        ? { allowed: false, reason: noteReason ?? (outcome.status === 401 ? 'no credential' : (outcome.message ?? 'forbidden')) }
        : p
          ? { allowed: true, reason: `${p.username} (${p.source}): admin` }
          : undefined);
    const userAgent = this.req.headers['user-agent'];
    return {
      apiVersion: 'audit.k8s.io/v1',
      kind: 'Event',
      level: 'Metadata',
      auditID: this.auditID,
      stage: 'ResponseComplete',
      requestURI: this.req.path,
      verb: requestVerb(this.req.method, ref),
      user: p ? { username: p.username, uid: p.uid, groups: [...p.groups] } : { username: ANONYMOUS },
      ...(this.req.sourceIp ? { sourceIPs: [this.req.sourceIp] } : {}),
      ...(userAgent ? { userAgent: userAgent.slice(0, 256) } : {}),
      ...(ref ? { objectRef: ref } : {}),
      responseStatus: {
        code: outcome.status,
        status: outcome.status < 400 ? 'Success' : 'Failure',
        ...(outcome.reason ? { reason: outcome.reason } : {}),
        ...(outcome.message && outcome.status < 500 ? { message: outcome.message.slice(0, 1024) } : {}),
      },
      requestReceivedTimestamp: this.received,
      stageTimestamp: new Date(now).toISOString(),
      ...(decision ? { decision } : {}),
      ...(Object.keys(annotations).length ? { annotations } : {}),
    };
  }
}
