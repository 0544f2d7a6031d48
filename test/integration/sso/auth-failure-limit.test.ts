import { issueToken } from '../../../lambdas/capabilities/tenancy/tokens.js';
import { composeCapabilities } from '../../../lambdas/handlers/compose.js';
import { createAdminApi } from '../../../lambdas/http/admin-api.js';
import { toProblem } from '../../../lambdas/http/problem.js';
import type { HttpRequest } from '../../../lambdas/http/request.js';
import { StoredAuditLog } from '../../../lambdas/handlers/audit-log.js';
import { silentLog } from '../../../lambdas/ports/log.js';
import { memoryHubContext } from '../../support/memory-hub.js';

/** The admin API's per-source limit of failed authentications, end to end through the API. */
describe('failed admin authentications from one source', () => {
  const hub = memoryHubContext({
    config: { authFailureLimit: { failuresPerSecond: 1, burst: 5, maxSources: 100, maxKnownGood: 100, knownGoodMs: 60_000 } },
  });
  const api = createAdminApi(hub.ctx, composeCapabilities().routes.admin);
  const call = async (bearer: string, sourceIp: string) => {
    const req: HttpRequest = {
      method: 'GET',
      path: '/v1/clusters',
      headers: { authorization: `Bearer ${bearer}` },
      query: {},
      body: '',
      params: {},
      requestId: 'limit',
      sourceIp,
    };
    try {
      return (await api(req)).status;
    } catch (err) {
      return toProblem(err).problem.status;
    }
  };

  it('are answered 429 past the burst without a token lookup; a recently good token and other sources pass', async () => {
    const admin = 'tha_limit-admin';
    await issueToken(hub.ctx.ports, admin, { name: 'admin-token', role: 'admin' });
    expect(await call(admin, '198.51.100.1')).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push(await call(`tha_${String(i).padStart(64, '0')}`, '198.51.100.1'));
    expect(statuses.slice(0, 5)).toEqual([403, 403, 403, 403, 403]);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    // The admin token authenticated before: the flood of its neighbour does not lock it out.
    expect(await call(admin, '198.51.100.1')).toBe(200);
    // Another source is not affected.
    expect(await call('tha_unknown', '198.51.100.2')).toBe(403);
  });
});

describe('a flood of refused authentications in the audit trail', () => {
  it('is a few stored events with counts, not one write per refused request', async () => {
    const hub = memoryHubContext({
      config: { authFailureLimit: { failuresPerSecond: 1, burst: 5, maxSources: 100, maxKnownGood: 100, knownGoodMs: 60_000 } },
    });
    const appended: number[] = [];
    const store = hub.ports.audits;
    const append = store.append.bind(store);
    store.append = async (events) => {
      appended.push(events.length);
      return append(events);
    };
    const audit = new StoredAuditLog(store, silentLog, () => hub.clock.now());
    hub.ctx.ports.audit = audit;
    const api = createAdminApi(hub.ctx, composeCapabilities().routes.admin);
    const statuses: number[] = [];
    for (let i = 0; i < 200; i++) {
      const req: HttpRequest = {
        method: 'GET',
        path: '/v1/clusters',
        headers: { authorization: `Bearer tha_${String(i).padStart(64, '0')}` },
        query: {},
        body: '',
        params: {},
        requestId: `flood-${i}`,
        sourceIp: '198.51.100.9',
      };
      try {
        statuses.push((await api(req)).status);
      } catch (err) {
        statuses.push(toProblem(err).problem.status);
      }
    }
    expect(statuses.filter((s) => s === 429)).toHaveLength(195);
    // Nothing was written while the flood lasted: refusals are counted in memory.
    expect(appended).toEqual([]);
    await audit.flush(true);
    const { items } = await store.query({ since: 0, until: Number.MAX_SAFE_INTEGER, limit: 100 });
    const counts = items.map((e) => Number(e.annotations?.['tether.dev/count'] ?? '1'));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(200);
    expect(items.length).toBeLessThanOrEqual(3);
  });
});
