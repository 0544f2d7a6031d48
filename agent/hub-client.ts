import type { z } from 'zod';
import {
  DesiredStateSchema,
  HEARTBEAT_AGE_HEADER,
  HEARTBEAT_RECORDED_HEADER,
  JoinResponseSchema,
  RotateResponseSchema,
  StatusReportSchema,
  type DesiredState,
  type JoinRequest,
  type RotateResponse,
  type StatusReport,
} from '../shared/protocol/v1.js';
import { SyncReportResponseSchema, SyncReportSchema, type SyncReport, type SyncReportResponse } from '../shared/protocol/sync.js';
import { parseRetryAfter } from './backoff.js';
import { AgentConfigError, CredentialRejectedError, HubProtocolError, HubUnavailableError, JoinPendingError } from './errors.js';
import type { FetchLike, FetchResponse } from './transport.js';

/** Options of {@link HubClient}. */
export interface HubClientOptions {
  /** The hub's base URL, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com`. */
  hubUrl: string;
  /** How requests are sent; give {@link envFetch} for proxy support. Default the global fetch. */
  fetch?: FetchLike;
  /** Per-request timeout. Default 30 s. */
  timeoutMs?: number;
  /** Sent as User-Agent, e.g. `tether-agent/0.1.0`. */
  userAgent?: string;
  /** For parsing HTTP-date Retry-After values and timing heartbeats. Default Date.now. */
  now?: () => number;
}

/** The hub's answer to a desired-state poll. */
export type DesiredAnswer = { changed: false } | { changed: true; state: DesiredState };

/**
 * The agent's side of the `/agent/v1` protocol. Every hub answer is checked against the protocol
 * schemas; every failure is one of the named errors in `./errors.js`.
 *
 * @example
 * const hub = new HubClient({ hubUrl, fetch: envFetch() });
 * const answer = await hub.desired(credential, lastRevision);
 */
export class HubClient {
  private readonly base: string;
  private readonly send: FetchLike;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  /** When the poll the hub last recorded as a heartbeat was sent (this client's clock). */
  private lastHeartbeatAt: number | undefined;

  constructor(private readonly options: HubClientOptions) {
    let url: URL;
    try {
      url = new URL(options.hubUrl);
    } catch (err) {
      throw new AgentConfigError(`hub URL "${options.hubUrl}" is not a URL (e.g. https://hub.example.com)`, { cause: err });
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new AgentConfigError(`hub URL "${options.hubUrl}" must use https:// (or http:// for a local hub)`);
    }
    this.base = url.href.replace(/\/+$/, '');
    this.send = options.fetch ?? ((u, init) => fetch(u, init));
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * Whole seconds since the hub last recorded one of this client's polls as a heartbeat, for the
   * {@link HEARTBEAT_AGE_HEADER}; undefined when none is known (or the clock went backwards), so
   * that the hub records this one.
   */
  private heartbeatAgeSeconds(now: number): number | undefined {
    if (this.lastHeartbeatAt === undefined) return undefined;
    const ms = now - this.lastHeartbeatAt;
    if (ms < 0) {
      this.lastHeartbeatAt = undefined;
      return undefined;
    }
    return Math.floor(ms / 1000);
  }

  /** The hub URL requests go to. */
  get hubUrl(): string {
    return this.base;
  }

  /**
   * POST /agent/v1/join with the bootstrap token.
   * @returns the credential and poll interval once the cluster is accepted.
   * @throws JoinPendingError while acceptance is pending (202).
   * @throws CredentialRejectedError when the token is invalid, used or expired, or the cluster was denied.
   */
  async join(
    bootstrapToken: string,
    request: JoinRequest,
    signal?: AbortSignal,
  ): Promise<{ cluster: string; credential: string; pollIntervalSeconds: number }> {
    const res = await this.request('POST', '/agent/v1/join', bootstrapToken, request, undefined, signal);
    if (res.status !== 200 && res.status !== 202) await this.fail(res, 'join');
    const body = await this.parse(res, JoinResponseSchema, 'join');
    if (body.status === 'Pending') {
      throw new JoinPendingError(body.message, Math.max(1, body.retryAfterSeconds) * 1000);
    }
    if (res.status !== 200) throw new HubProtocolError(`join answered ${res.status} with status Joined; expected 200`, res.status);
    return { cluster: body.cluster, credential: body.credential, pollIntervalSeconds: body.pollIntervalSeconds };
  }

  /**
   * GET /agent/v1/desired with `If-None-Match`. The poll is also the agent's heartbeat: it carries
   * the age of the last one the hub recorded, so the hub records one only every half lease.
   * @param revision the revision of the desired state the agent holds, if any.
   */
  async desired(credential: string, revision: string | undefined, signal?: AbortSignal): Promise<DesiredAnswer> {
    const headers: Record<string, string> = {};
    if (revision !== undefined) headers['if-none-match'] = `"${revision}"`;
    const sentAt = this.now();
    const age = this.heartbeatAgeSeconds(sentAt);
    if (age !== undefined) headers[HEARTBEAT_AGE_HEADER] = String(age);
    const res = await this.request('GET', '/agent/v1/desired', credential, undefined, headers, signal);
    if ((res.status === 304 || res.status === 200) && res.headers.get(HEARTBEAT_RECORDED_HEADER) === 'recorded')
      this.lastHeartbeatAt = sentAt;
    if (res.status === 304) return { changed: false };
    if (res.status !== 200) await this.fail(res, 'desired');
    // The revision in the body is the ETag (protocol v1), so it is what the next poll sends back.
    return { changed: true, state: await this.parse(res, DesiredStateSchema, 'desired') };
  }

  /** POST /agent/v1/status. The report is checked against the schema first: a bad report is a bug here, not at the hub. */
  async status(credential: string, report: StatusReport, signal?: AbortSignal): Promise<void> {
    const checked = StatusReportSchema.safeParse(report);
    if (!checked.success) {
      throw new HubProtocolError(
        `the agent built an invalid status report: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    }
    const res = await this.request('POST', '/agent/v1/status', credential, checked.data, undefined, signal);
    if (res.status < 200 || res.status > 299) await this.fail(res, 'status');
  }

  /**
   * POST /agent/v1/sync: a source's report for one rule (resource sync). Checked against the
   * schema first, as the status report is.
   * @returns the hub's digest and the keys it still needs (and those it refused).
   */
  async sync(credential: string, report: SyncReport, signal?: AbortSignal): Promise<SyncReportResponse> {
    const checked = SyncReportSchema.safeParse(report);
    if (!checked.success) {
      throw new HubProtocolError(
        `the agent built an invalid sync report: ${checked.error.issues
          .slice(0, 5)
          .map((i) => `${i.path.join('.')}: ${i.message}`)
          .join('; ')}`,
      );
    }
    const res = await this.request('POST', '/agent/v1/sync', credential, checked.data, undefined, signal);
    if (res.status !== 200) await this.fail(res, 'sync');
    return this.parse(res, SyncReportResponseSchema, 'sync');
  }

  /** POST /agent/v1/rotate: exchanges the credential for a new one. */
  async rotate(credential: string, signal?: AbortSignal): Promise<RotateResponse> {
    const res = await this.request('POST', '/agent/v1/rotate', credential, {}, undefined, signal);
    if (res.status !== 200) await this.fail(res, 'rotate');
    return this.parse(res, RotateResponseSchema, 'rotate');
  }

  private async request(
    method: string,
    path: string,
    secret: string,
    body: unknown,
    extra: Record<string, string> | undefined,
    signal: AbortSignal | undefined,
  ): Promise<FetchResponse> {
    const headers: Record<string, string> = { accept: 'application/json', authorization: `Bearer ${secret}`, ...extra };
    if (this.options.userAgent) headers['user-agent'] = this.options.userAgent;
    let text: string | undefined;
    if (body !== undefined) {
      headers['content-type'] = 'application/json';
      text = JSON.stringify(body);
    }
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      return await this.send(this.base + path, { method, headers, body: text, signal: combined });
    } catch (err) {
      const reason = timeout.aborted ? `timed out after ${this.timeoutMs} ms` : describeNetworkError(err);
      throw new HubUnavailableError(`cannot reach the hub at ${this.base}: ${reason}`, undefined, undefined, { cause: err });
    }
  }

  private async parse<T extends z.ZodType>(res: FetchResponse, schema: T, what: string): Promise<z.infer<T>> {
    let json: unknown;
    const text = await this.readBody(res);
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new HubProtocolError(`the hub's ${what} answer is not JSON (HTTP ${res.status})`, res.status, { cause: err });
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
      throw new HubProtocolError(
        `the hub's ${what} answer does not match protocol v1 (${issues.join('; ')}); are the hub and agent versions compatible?`,
        res.status,
        { cause: parsed.error },
      );
    }
    return parsed.data;
  }

  private async readBody(res: FetchResponse): Promise<string> {
    try {
      return await res.text();
    } catch (err) {
      throw new HubUnavailableError(`the hub's answer was cut off: ${describeNetworkError(err)}`, undefined, res.status, { cause: err });
    }
  }

  /** Turns a non-success answer into the right named error. Always throws. */
  private async fail(res: FetchResponse, what: string): Promise<never> {
    const text = await res.text().catch(() => '');
    const detail = problemDetail(text);
    const suffix = detail ? `: ${detail}` : '';
    if (res.status === 401 || res.status === 403) {
      throw new CredentialRejectedError(
        `the hub rejected the agent's ${what === 'join' ? 'bootstrap token' : 'credential'} (HTTP ${res.status})${suffix}`,
        res.status,
        detail,
      );
    }
    if (res.status === 408 || res.status === 429 || res.status >= 500) {
      const retryAfterMs = parseRetryAfter(res.headers.get('retry-after'), this.now());
      throw new HubUnavailableError(`the hub answered ${what} with HTTP ${res.status}${suffix}`, retryAfterMs, res.status);
    }
    throw new HubProtocolError(`the hub answered ${what} with HTTP ${res.status}${suffix}`, res.status);
  }
}

function problemDetail(text: string): string | undefined {
  if (!text) return undefined;
  try {
    const p = JSON.parse(text) as { detail?: unknown; title?: unknown };
    if (typeof p.detail === 'string' && p.detail) return p.detail;
    if (typeof p.title === 'string' && p.title) return p.title;
  } catch {
    // Not a problem document: a proxy or load balancer answered. Keep a short excerpt.
  }
  return text.slice(0, 200).replace(/\s+/g, ' ').trim() || undefined;
}

function describeNetworkError(err: unknown): string {
  const e = err as { cause?: { code?: string; message?: string }; code?: string; message?: string };
  return e?.cause?.code ?? e?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}
