import { describe, expect, it } from '@jest/globals';
import { AUDIT_DENIAL_FLUSH_MS, AUDIT_MAX_LOGGED_DENIALS, StoredAuditLog } from '../../../lambdas/handlers/audit-log.js';
import { MemoryAuditStore } from '../../../lambdas/adapters/memory/audit-store.js';
import type { AuditStore } from '../../../lambdas/ports/audit-store.js';
import { AuditEventSchema } from '../../../shared/tenancy.js';
import type { Log } from '../../../lambdas/ports/log.js';

const T0 = Date.parse('2026-12-05T10:00:00Z');
const day = 86_400_000;

function rig(store: AuditStore = new MemoryAuditStore()) {
  let now = T0;
  const lines: { level: string; msg: string; data?: Record<string, unknown> }[] = [];
  const at = (level: string) => (msg: string, data?: Record<string, unknown>) => void lines.push({ level, msg, data });
  const log = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } as Log;
  const audit = new StoredAuditLog(store, log, () => now);
  const all = async () => (await store.query({ since: T0 - day, until: T0 + day, limit: 1000 })).items;
  return { audit, store, lines, all, advance: (ms: number) => (now += ms) };
}

describe('StoredAuditLog', () => {
  it('logs every event at once and stores allowed ones on flush as audit events, with their details and no unknown field lost', async () => {
    const { audit, lines, all } = rig();
    audit.record({
      action: 'cluster.accept',
      outcome: 'allowed',
      cluster: 'store-1',
      actor: 'admin',
      fleetDeployment: undefined,
      revision: 3,
    });
    expect(lines).toEqual([{ level: 'info', msg: 'audit', data: { audit: expect.objectContaining({ action: 'cluster.accept' }) } }]);
    await audit.flush();
    const [r] = await all();
    expect(AuditEventSchema.parse(r)).toEqual(r);
    expect(r).toMatchObject({
      verb: 'cluster.accept',
      objectRef: { resource: 'clusters', name: 'store-1' },
      user: { username: 'admin' },
      decision: { allowed: true },
      responseStatus: { code: 200 },
      annotations: { 'tether.dev/action': 'cluster.accept', 'tether.dev/revision': '3' },
      stageTimestamp: '2026-12-05T10:00:00.000Z',
    });
    expect(r.annotations).not.toHaveProperty('tether.dev/count');
    expect(r.annotations).not.toHaveProperty('tether.dev/fleetDeployment');
  });

  it('stores a flood of identical denials as one record with a count, written once the interval has passed', async () => {
    const { audit, all, advance } = rig();
    for (let i = 0; i < 5000; i++)
      audit.record({ action: 'agent.desired', outcome: 'denied', reason: 'unknown credential', sourceIp: '203.0.113.9' });
    audit.record({ action: 'agent.desired', outcome: 'denied', reason: 'unknown credential', sourceIp: '198.51.100.1' });
    await audit.flush();
    expect(await all()).toEqual([]);
    advance(AUDIT_DENIAL_FLUSH_MS);
    audit.record({ action: 'agent.desired', outcome: 'denied', reason: 'unknown credential', sourceIp: '203.0.113.9' });
    await audit.flush();
    const stored = await all();
    expect(stored.map((r) => [r.sourceIPs?.[0], r.annotations?.['tether.dev/count'] ?? '1']).sort()).toEqual([
      ['198.51.100.1', '1'],
      ['203.0.113.9', '5001'],
    ]);
    const flood = stored.find((r) => r.sourceIPs?.[0] === '203.0.113.9')!;
    expect(flood.requestReceivedTimestamp).toBe('2026-12-05T10:00:00.000Z');
    expect(flood.stageTimestamp).toBe('2026-12-05T10:00:10.000Z');
  });

  it('logs a flood of identical denials as one line at once and one line with the count per window, not one a request', async () => {
    const { audit, lines, advance } = rig();
    const flood = { action: 'agent.desired', outcome: 'denied', reason: 'unknown credential', sourceIp: '203.0.113.9' } as const;
    for (let i = 0; i < 5000; i++) audit.record(flood);
    expect(lines).toEqual([{ level: 'warn', msg: 'audit', data: { audit: flood } }]);
    advance(AUDIT_DENIAL_FLUSH_MS);
    audit.record(flood);
    // The window's repeats in one line, then the new window's first denial.
    expect(lines.slice(1)).toEqual([
      {
        level: 'warn',
        msg: 'audit',
        data: {
          audit: { ...flood, count: 4999, aggregated: true, firstTime: '2026-12-05T10:00:00.000Z', lastTime: '2026-12-05T10:00:00.000Z' },
        },
      },
      { level: 'warn', msg: 'audit', data: { audit: flood } },
    ]);
  });

  it('bounds the lines of ever-different denials: past the distinct limit they are counted per action and reason', async () => {
    const { audit, lines } = rig();
    for (let i = 0; i < 1000; i++)
      audit.record({ action: 'agent.desired', outcome: 'denied', reason: 'unknown cluster', cluster: `c-${i}`, sourceIp: '203.0.113.9' });
    expect(lines).toHaveLength(AUDIT_MAX_LOGGED_DENIALS);
    await audit.flush(true);
    expect(lines).toHaveLength(AUDIT_MAX_LOGGED_DENIALS + 1);
    expect(lines.at(-1)?.data?.audit).toMatchObject({
      action: 'agent.desired',
      outcome: 'denied',
      reason: 'unknown cluster',
      count: 1000 - AUDIT_MAX_LOGGED_DENIALS,
      aggregated: true,
    });
  });

  it('aggregates the lines without an audit store too, and feeds the sink the same lines', () => {
    let now = T0;
    const lines: unknown[] = [];
    const sunk: unknown[] = [];
    const log = { debug() {}, info() {}, warn: (m: string) => void lines.push(m), error() {} } as Log;
    const audit = new StoredAuditLog(
      undefined,
      log,
      () => now,
      (e) => void sunk.push(e),
    );
    for (let i = 0; i < 100; i++) audit.record({ action: 'admin.authenticate', outcome: 'denied', reason: 'unknown token' });
    now += AUDIT_DENIAL_FLUSH_MS;
    audit.record({ action: 'admin.authenticate', outcome: 'denied', reason: 'unknown token' });
    expect(lines).toHaveLength(3);
    expect(sunk).toHaveLength(3);
  });

  it('writes buffered denials when asked (a hub that stops)', async () => {
    const { audit, all } = rig();
    audit.record({ action: 'admin.authenticate', outcome: 'denied', reason: 'unknown token' });
    await audit.flush(true);
    expect((await all()).map((r) => r.verb)).toEqual(['admin.authenticate']);
  });

  it('logs a failed store write instead of throwing: the request it describes already happened', async () => {
    const failing: AuditStore = {
      append: async () => Promise.reject(new Error('table unreachable')),
      query: async () => ({ items: [] }),
    };
    const { audit, lines } = rig(failing);
    audit.record({ action: 'cluster.deny', outcome: 'allowed', cluster: 'c' });
    await expect(audit.flush()).resolves.toBeUndefined();
    expect(lines.at(-1)).toMatchObject({
      level: 'error',
      msg: 'audit store: write failed; the events are in the log',
      data: { count: 1, error: 'table unreachable' },
    });
  });

  it('stores a security event folded into a request only in the log, not as an event of its own', async () => {
    const { audit, lines, all } = rig();
    audit.record({ action: 'cluster.accept', outcome: 'allowed', cluster: 'c' }, { store: false });
    await audit.flush(true);
    expect(lines).toHaveLength(1);
    expect(await all()).toEqual([]);
  });

  it("counts a repeated denied request under the first one's auditID, which it returns for the Audit-Id header", async () => {
    const { audit, all, advance } = rig();
    const denial = (id: string, at: string) =>
      AuditEventSchema.parse({
        apiVersion: 'audit.k8s.io/v1',
        kind: 'Event',
        level: 'Metadata',
        auditID: id,
        stage: 'ResponseComplete',
        requestURI: '/v1/works',
        verb: 'create',
        user: { username: 'system:anonymous' },
        sourceIPs: ['203.0.113.9'],
        objectRef: { resource: 'works' },
        responseStatus: { code: 403 },
        requestReceivedTimestamp: at,
        stageTimestamp: at,
        decision: { allowed: false, reason: 'unknown token' },
      });
    expect(audit.append(denial('first', '2026-12-05T10:00:00.000Z'))).toBe('first');
    expect(audit.append(denial('second', '2026-12-05T10:00:01.000Z'))).toBe('first');
    advance(AUDIT_DENIAL_FLUSH_MS);
    await audit.flush();
    const stored = await all();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      auditID: 'first',
      requestReceivedTimestamp: '2026-12-05T10:00:00.000Z',
      stageTimestamp: '2026-12-05T10:00:01.000Z',
      annotations: { 'tether.dev/count': '2' },
    });
  });
});
