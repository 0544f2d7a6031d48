import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { heartbeatDue } from '../../../../lambdas/capabilities/clusters/cluster-lease.js';
import {
  HEARTBEAT_AGE_HEADER,
  HEARTBEAT_RECORDED_HEADER,
  JoinRequestSchema,
  StatusReportSchema,
  type DesiredState,
  type DesiredWork,
  type JoinRequest,
  type StatusReport,
} from '../../../../shared/protocol/v1.js';
import {
  MAX_SYNC_OBJECT_BYTES,
  SyncReportSchema,
  syncDigest,
  syncKeyString,
  type SyncReport,
  type SyncReportResponse,
} from '../../../../shared/protocol/sync.js';

/** What the fake hub holds of one source object (resource sync). */
export interface HeldSyncObject {
  hash: string;
  resourceVersion: string;
  object: Record<string, unknown>;
}

/**
 * A tiny hub for agent tests: the `/agent/v1` protocol over node:http on 127.0.0.1:0, with its state
 * in memory and knobs for what real hubs do (pending acceptance, revocation, throttling, outages).
 * Request bodies are checked against the protocol schemas, as the real hub does.
 */

export interface RecordedRequest {
  method: string;
  path: string;
  authorization?: string;
  ifNoneMatch?: string;
  heartbeatAge?: string;
}

interface Injected {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  times: number;
  path?: string;
}

export class FakeHub {
  url = '';
  readonly requests: RecordedRequest[] = [];
  readonly joins: JoinRequest[] = [];
  readonly reports: StatusReport[] = [];
  /** Resource sync reports received (POST /agent/v1/sync), in order. */
  readonly syncReports: SyncReport[] = [];
  /** What the hub holds per source rule, by `namespace/name` (resource sync). */
  readonly syncHeld = new Map<string, Map<string, HeldSyncObject>>();
  /** The last state each source rule reported (`Ok`, or `Blocked: <reason>`). */
  readonly syncSourceStates = new Map<string, string>();
  /** Bootstrap tokens the hub accepts, by token (single use). */
  readonly bootstrapTokens = new Set<string>();
  /** Credentials the hub accepts. */
  readonly credentials = new Set<string>();
  accepted = false;
  pendingRetryAfterSeconds = 5;
  private revision = 1;
  private state: DesiredState;
  private server?: http.Server;
  private injected: Injected[] = [];

  constructor(readonly cluster = 'store-0042') {
    this.state = {
      cluster,
      revision: '1',
      works: [],
      policies: [],
      sync: { sources: [], destinationRules: [], objects: [] },
      inventory: { profiles: [] },
      agent: { version: '0.1.0', image: 'ghcr.io/tether-dev/tether-agent' },
      detach: false,
      rotateCredential: false,
      pollIntervalSeconds: 30,
      leaseDurationSeconds: 60,
    };
  }

  /** A fresh single-use bootstrap token. */
  issueBootstrapToken(): string {
    const token = `thb_${this.cluster}.${randomBytes(18).toString('base64url')}`;
    this.bootstrapTokens.add(token);
    return token;
  }

  /** Changes the desired state; every change is a new revision. */
  setDesired(change: Partial<Omit<DesiredState, 'revision' | 'cluster'>>): DesiredState {
    this.state = { ...this.state, ...change, revision: String(++this.revision) };
    return this.state;
  }

  setWorks(works: DesiredWork[]): DesiredState {
    return this.setDesired({ works });
  }

  get desired(): DesiredState {
    return this.state;
  }

  /** The next `times` requests (to `path`, if given) get this answer. */
  inject(status: number, options: { headers?: Record<string, string>; body?: string; times?: number; path?: string } = {}): void {
    this.injected.push({ status, headers: options.headers, body: options.body, times: options.times ?? 1, path: options.path });
  }

  /** Revokes every credential (deny, detach or delete on the hub). */
  revokeAll(): void {
    this.credentials.clear();
  }

  count(path: string): number {
    return this.requests.filter((r) => r.path === path).length;
  }

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const path = (req.url ?? '').split('?')[0];
    this.requests.push({
      method: req.method ?? '',
      path,
      authorization: req.headers.authorization,
      ifNoneMatch: req.headers['if-none-match'],
      heartbeatAge: req.headers[HEARTBEAT_AGE_HEADER] as string | undefined,
    });
    const i = this.injected.findIndex((x) => !x.path || x.path === path);
    if (i >= 0) {
      const inj = this.injected[i];
      if (--inj.times <= 0) this.injected.splice(i, 1);
      res.writeHead(inj.status, { 'content-type': 'application/problem+json', ...inj.headers });
      res.end(inj.body ?? JSON.stringify({ type: 'about:blank', title: 'injected', status: inj.status, detail: `injected ${inj.status}` }));
      return;
    }
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(body === undefined ? undefined : JSON.stringify(body));
    };
    const problem = (status: number, detail: string) =>
      send(status, { type: 'https://tether.dev/problems/x', title: 'problem', status, detail });

    if (req.method === 'POST' && path === '/agent/v1/join') {
      if (!this.bootstrapTokens.has(token)) return problem(401, 'bootstrap token is invalid, used or expired');
      const parsed = JoinRequestSchema.safeParse(JSON.parse(text));
      if (!parsed.success) return problem(422, parsed.error.message);
      this.joins.push(parsed.data);
      if (!this.accepted)
        return send(202, {
          status: 'Pending',
          message: 'waiting for an administrator to accept the cluster',
          retryAfterSeconds: this.pendingRetryAfterSeconds,
        });
      this.bootstrapTokens.delete(token);
      const credential = this.newCredential();
      return send(200, { status: 'Joined', cluster: this.cluster, credential, pollIntervalSeconds: this.state.pollIntervalSeconds });
    }
    if (!this.credentials.has(token)) return problem(401, 'credential is not valid for this cluster');
    if (req.method === 'GET' && path === '/agent/v1/desired') {
      // As the real hub: a heartbeat every half lease, by the age the agent sends.
      const age = req.headers[HEARTBEAT_AGE_HEADER] as string | undefined;
      const beat: Record<string, string> = heartbeatDue(age === undefined ? undefined : Number(age), this.state.leaseDurationSeconds)
        ? { [HEARTBEAT_RECORDED_HEADER]: 'recorded' }
        : {};
      // As the real hub: a due rotation suspends 304 until the agent has rotated.
      if (req.headers['if-none-match'] === `"${this.state.revision}"` && !this.state.rotateCredential) return send(304, undefined, beat);
      return send(200, this.state, { etag: `"${this.state.revision}"`, ...beat });
    }
    if (req.method === 'POST' && path === '/agent/v1/status') {
      const parsed = StatusReportSchema.safeParse(JSON.parse(text));
      if (!parsed.success) return problem(422, parsed.error.message);
      this.reports.push(parsed.data);
      return send(204);
    }
    if (req.method === 'POST' && path === '/agent/v1/sync') {
      const parsed = SyncReportSchema.safeParse(JSON.parse(text));
      if (!parsed.success) return problem(422, parsed.error.message);
      return send(200, this.acceptSync(parsed.data));
    }
    if (req.method === 'POST' && path === '/agent/v1/rotate') {
      const credential = this.newCredential();
      // The old credential stays valid for the overlap; rotation is done, so the flag clears
      // (without a new revision: the next poll answers 304 again).
      this.state = { ...this.state, rotateCredential: false };
      return send(200, { credential, overlapSeconds: 300 });
    }
    problem(404, `no route ${req.method} ${path}`);
  }

  /**
   * As the real hub (shared/protocol/sync.ts): deletes what is not in the inventory, stores the
   * objects given (refusing those over the size limit), answers the keys it does not hold at the
   * inventory's hash, and bumps the revision with the new digest in the source's desired entry.
   */
  private acceptSync(report: SyncReport): SyncReportResponse {
    this.syncReports.push(report);
    this.syncSourceStates.set(report.rule, report.state === 'Blocked' ? `Blocked: ${report.reason ?? ''}` : 'Ok');
    const held = this.syncHeld.get(report.rule) ?? new Map<string, HeldSyncObject>();
    this.syncHeld.set(report.rule, held);
    const inventory = new Map(report.inventory.map((e) => [syncKeyString(e), e.hash]));
    for (const key of [...held.keys()]) if (!inventory.has(key)) held.delete(key);
    const rejected: SyncReportResponse['rejected'] = [];
    for (const o of report.objects) {
      const meta = (o.object.metadata ?? {}) as { name?: string; namespace?: string };
      const key = { namespace: meta.namespace ?? '', name: meta.name ?? '' };
      const size = Buffer.byteLength(JSON.stringify(o.object));
      if (size > MAX_SYNC_OBJECT_BYTES) {
        rejected.push({ ...key, reason: `object is ${size} bytes; the limit is ${MAX_SYNC_OBJECT_BYTES}` });
        continue;
      }
      held.set(syncKeyString(key), { hash: o.hash, resourceVersion: o.resourceVersion, object: o.object });
    }
    const refused = new Set(rejected.map((r) => syncKeyString(r)));
    const need = report.inventory
      .filter((e) => held.get(syncKeyString(e))?.hash !== e.hash && !refused.has(syncKeyString(e)))
      .map((e) => ({ namespace: e.namespace, name: e.name }));
    const digest = this.syncDigestOf(report.rule);
    const sources = this.state.sync.sources;
    if (sources.some((src) => src.rule === report.rule && src.digest !== digest)) {
      this.setDesired({
        sync: { ...this.state.sync, sources: sources.map((src) => (src.rule === report.rule ? { ...src, digest } : src)) },
      });
    }
    return { digest, need, rejected };
  }

  /** The digest of what the hub holds for a source rule ('' when nothing). */
  syncDigestOf(rule: string): string {
    const held = this.syncHeld.get(rule) ?? new Map<string, HeldSyncObject>();
    return syncDigest(
      [...held].map(([key, h]) => {
        const slash = key.indexOf('/');
        return slash < 0
          ? { namespace: '', name: key, hash: h.hash }
          : { namespace: key.slice(0, slash), name: key.slice(slash + 1), hash: h.hash };
      }),
    );
  }

  private newCredential(): string {
    const credential = `thc_${randomBytes(24).toString('base64url')}`;
    this.credentials.add(credential);
    return credential;
  }
}
