import { useCliRig } from './support/cli-rig.js';

const rig = useCliRig('events');
const tether = (args: string[]) => rig.tether(args);
const cond = (type: string, status: string, time: string, reason: string, message = '') => ({
  type,
  status,
  reason,
  message,
  lastTransitionTime: time,
});

function seed(): void {
  rig.hub.seed('Cluster', 'store-0001', {
    status: {
      conditions: [
        cond('Joined', 'True', '2026-11-10T09:00:00Z', 'AgentJoined'),
        cond('Available', 'Unknown', '2026-11-10T11:55:00Z', 'LeaseExpired', 'no lease renewal for 3m'),
      ],
    },
  });
  rig.hub.seed('FleetDeployment', 'pos', {
    status: { conditions: [cond('Progressing', 'True', '2026-11-10T11:00:00Z', 'WaveStarted', 'wave 2 of 4')] },
  });
  rig.hub.seed('Work', 'pos', {
    namespace: 'store-0001',
    status: {
      conditions: [],
      driftEvents: [
        {
          kind: 'ConfigMap',
          namespace: 'web',
          name: 'menu',
          change: 'Modified',
          fields: ['data.price'],
          corrected: true,
          time: '2026-11-10T11:58:00Z',
        },
      ],
    },
  });
}

describe('tether get events', () => {
  test('a table of recent events, newest last, from GET /v1/events', async () => {
    seed();
    const r = await tether(['get', 'events']);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(rig.hub.requests.map((q) => `${q.method} ${q.path}`)).toEqual(['GET /v1/events']);
    const rows = r.out
      .trimEnd()
      .split('\n')
      .map((l) => l.split(/\s{3,}/));
    expect(rows).toEqual([
      ['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE'],
      ['3h', 'Normal', 'AgentJoined', 'cluster/store-0001', 'Joined=True'],
      ['1h', 'Normal', 'WaveStarted', 'fleetdeployment/pos', 'Progressing=True: wave 2 of 4'],
      ['5m', 'Warning', 'LeaseExpired', 'cluster/store-0001', 'Available=Unknown: no lease renewal for 3m'],
    ]);
  });

  test('-n CLUSTER adds its works (drift included); --limit keeps the newest and says so; -o json is the hub answer', async () => {
    seed();
    const r = await tether(['get', 'ev', '-n', 'store-0001', '--limit', '2']);
    expect(rig.hub.requests[0].query).toEqual({ cluster: 'store-0001', limit: '2' });
    const rows = r.out
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => l.split(/\s{3,}/).slice(1, 4));
    expect(rows).toEqual([
      ['Warning', 'LeaseExpired', 'cluster/store-0001'],
      ['Normal', 'DriftCorrected', 'work/pos (store-0001)'],
    ]);
    expect(r.err).toBe('(the newest 2 of 3 events; --limit shows more)\n');
    const json = JSON.parse((await tether(['get', 'events', '-o', 'json'])).out);
    expect(json).toMatchObject({ kind: 'EventList', total: 3 });
    expect(json.items[0]).toMatchObject({ type: 'Warning', reason: 'LeaseExpired', object: { kind: 'Cluster', name: 'store-0001' } });
    expect((await tether(['get', 'events', '-o', 'jsonpath={.items[*].reason}'])).out).toBe('LeaseExpired WaveStarted AgentJoined');
  });

  test('no events is a notice on stderr; names, selectors and --watch are usage errors', async () => {
    const none = await tether(['get', 'events']);
    expect(none).toMatchObject({ code: 0, out: '', err: 'No events found.\n' });
    expect((await tether(['get', 'events', 'x'])).code).toBe(2);
    expect((await tether(['get', 'events', '-l', 'a=b'])).code).toBe(2);
    expect((await tether(['get', 'events', '-w'])).code).toBe(2);
  });
});
