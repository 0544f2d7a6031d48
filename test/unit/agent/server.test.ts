import { AgentMetrics } from '../../../agent/metrics.js';
import { defaultHealthAddr, parseHostPort, startHealthServer, type HealthServer, type HealthSource } from '../../../agent/server.js';

describe('health and metrics server', () => {
  let server: HealthServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  function source(state: { joined: boolean; lastPoll?: number; now: number }, metrics = new AgentMetrics()): HealthSource {
    return {
      joined: () => state.joined,
      lastSuccessfulPollMs: () => state.lastPoll,
      pollIntervalMs: () => 30_000,
      metrics: () => metrics.render(),
      now: () => state.now,
    };
  }

  test('/healthz always, /readyz only when joined and polled within three intervals', async () => {
    const state = { joined: false, lastPoll: undefined as number | undefined, now: 1_000_000 };
    server = await startHealthServer(source(state), '127.0.0.1', 0);
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const get = async (path: string) => {
      const res = await fetch(server!.url + path);
      return [res.status, await res.text()] as const;
    };
    expect(await get('/healthz')).toEqual([200, 'ok\n']);
    expect(await get('/readyz')).toEqual([503, 'not joined yet\n']);
    state.joined = true;
    expect(await get('/readyz')).toEqual([503, 'no successful poll yet\n']);
    state.lastPoll = state.now - 89_000;
    expect(await get('/readyz')).toEqual([200, 'ok\n']);
    state.lastPoll = state.now - 91_000;
    expect((await get('/readyz'))[0]).toBe(503);
    expect((await get('/nope'))[0]).toBe(404);
    expect((await fetch(server.url + '/healthz', { method: 'POST' })).status).toBe(405);
  });

  test('/metrics serves the Prometheus text format', async () => {
    const metrics = new AgentMetrics();
    metrics.recordPoll('changed', 1_700_000_000_000);
    metrics.recordPoll('not_modified', 1_700_000_030_000);
    metrics.recordPoll('error', 1_700_000_060_000);
    metrics.observeApply(0.02);
    metrics.observeApply(3);
    metrics.works = 4;
    metrics.driftEvents = 2;
    server = await startHealthServer(source({ joined: true, now: 0 }, metrics), '127.0.0.1', 0);
    const res = await fetch(server.url + '/metrics');
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const text = await res.text();
    for (const line of [
      'tether_agent_polls_total{result="changed"} 1',
      'tether_agent_polls_total{result="not_modified"} 1',
      'tether_agent_polls_total{result="error"} 1',
      'tether_agent_poll_errors_total 1',
      'tether_agent_apply_duration_seconds_bucket{le="0.01"} 0',
      'tether_agent_apply_duration_seconds_bucket{le="0.025"} 1',
      'tether_agent_apply_duration_seconds_bucket{le="5"} 2',
      'tether_agent_apply_duration_seconds_bucket{le="+Inf"} 2',
      'tether_agent_apply_duration_seconds_sum 3.02',
      'tether_agent_apply_duration_seconds_count 2',
      'tether_agent_last_successful_poll_timestamp_seconds 1700000030',
      'tether_agent_works 4',
      'tether_agent_drift_events_total 2',
      '# TYPE tether_agent_apply_duration_seconds histogram',
    ]) {
      expect(text.split('\n')).toContain(line);
    }
  });

  test('addresses: loopback by default, all interfaces only in a cluster, any free port when simulated', () => {
    expect(defaultHealthAddr('kubeconfig')).toBe('127.0.0.1:8081');
    expect(defaultHealthAddr('in-cluster')).toBe('0.0.0.0:8081');
    expect(defaultHealthAddr('simulate')).toBe('127.0.0.1:0');
    expect(parseHostPort('127.0.0.1:0')).toEqual({ host: '127.0.0.1', port: 0 });
    expect(parseHostPort('[::1]:8081')).toEqual({ host: '::1', port: 8081 });
    expect(() => parseHostPort('8081')).toThrow(/host:port/);
    expect(() => parseHostPort('a:99999')).toThrow(/host:port/);
  });
});
