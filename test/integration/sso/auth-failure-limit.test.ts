import { issueToken } from '../../../lambdas/capabilities/tenancy/tokens.js';
import { composeCapabilities } from '../../../lambdas/handlers/compose.js';
import { createAdminApi } from '../../../lambdas/http/admin-api.js';
import { toProblem } from '../../../lambdas/http/problem.js';
import type { HttpRequest } from '../../../lambdas/http/request.js';
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
