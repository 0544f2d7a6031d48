import { describe, expect, it } from '@jest/globals';
import { eventRoutes } from '../../../../lambdas/capabilities/events/admin-routes.js';
import { eventsOf, recentEvents } from '../../../../lambdas/capabilities/events/fleet-events.js';
import { updateWorkStatus } from '../../../../lambdas/capabilities/works/work-status-store.js';
import { testAdminContext } from '../../../support/admin-context.js';
import type { HttpRequest } from '../../../../lambdas/http/request.js';
import { conditionEventType, FleetEventListSchema } from '../../../../shared/events.js';
import { API_VERSION, type Resource } from '../../../../shared/resources/meta.js';
import { memoryHubContext } from '../../../support/memory-hub.js';

const cond = (type: string, status: string, time: string, reason = `${type}${status}`, message = '') => ({
  type,
  status,
  reason,
  message,
  lastTransitionTime: time,
});

function object(kind: string, name: string, status: unknown, namespace?: string): Resource {
  return {
    apiVersion: API_VERSION,
    kind,
    metadata: {
      name,
      ...(namespace ? { namespace } : {}),
      uid: `uid-${kind}-${name}`,
      resourceVersion: '0',
      generation: 1,
      creationTimestamp: '2026-11-01T00:00:00Z',
    },
    spec: {},
    status,
  };
}

describe('fleet events from conditions and drift', () => {
  it('Warning for a positive condition that is False or Unknown and for a negative one that is True', () => {
    expect(conditionEventType('Available', 'True')).toBe('Normal');
    expect(conditionEventType('Available', 'False')).toBe('Warning');
    expect(conditionEventType('Available', 'Unknown')).toBe('Warning');
    expect(conditionEventType('Degraded', 'True')).toBe('Warning');
    expect(conditionEventType('Degraded', 'False')).toBe('Normal');
  });

  it('one event per condition at its transition time and per drift record; newest first', () => {
    const cluster = object('Cluster', 'store-0001', {
      conditions: [
        cond('Joined', 'True', '2026-11-10T10:00:00Z', 'AgentJoined', 'the agent joined'),
        cond('Available', 'Unknown', '2026-11-10T11:00:00Z', 'LeaseExpired', 'no lease for 3m'),
      ],
    });
    const work = object(
      'Work',
      'pos',
      {
        conditions: [],
        driftEvents: [
          {
            kind: 'ConfigMap',
            namespace: 'web',
            name: 'conf',
            change: 'Modified',
            fields: ['data.price'],
            corrected: true,
            time: '2026-11-10T11:30:00Z',
          },
        ],
      },
      'store-0001',
    );
    expect(eventsOf(work)).toEqual([
      {
        time: '2026-11-10T11:30:00Z',
        type: 'Normal',
        reason: 'DriftCorrected',
        object: { kind: 'Work', name: 'pos', namespace: 'store-0001' },
        message: 'ConfigMap web/conf was modified (data.price) on the cluster; restored',
        source: 'drift',
      },
    ]);
    expect(recentEvents([cluster, work]).map((e) => [e.time, e.type, e.reason, e.message])).toEqual([
      ['2026-11-10T11:30:00Z', 'Normal', 'DriftCorrected', expect.any(String)],
      ['2026-11-10T11:00:00Z', 'Warning', 'LeaseExpired', 'Available=Unknown: no lease for 3m'],
      ['2026-11-10T10:00:00Z', 'Normal', 'AgentJoined', 'Joined=True: the agent joined'],
    ]);
  });
});

describe('GET /v1/events', () => {
  const request = (query: Record<string, string> = {}): HttpRequest => ({
    method: 'GET',
    path: '/v1/events',
    headers: {},
    query,
    body: '',
    params: {},
    requestId: 'r',
  });

  it('lists condition transitions of every cluster-scoped kind; ?cluster adds its works (drift included); ?limit cuts, total counts', async () => {
    const hub = memoryHubContext();
    const { resources } = hub.ctx.ports;
    await resources.create(
      object('Cluster', 'store-0001', { conditions: [cond('Available', 'False', '2026-11-10T11:00:00Z', 'AgentUnhealthy')] }),
    );
    await resources.create(object('Cluster', 'store-0002', { conditions: [cond('Joined', 'True', '2026-11-10T09:00:00Z')] }));
    await resources.create(
      object('FleetDeployment', 'pos', { conditions: [cond('Progressing', 'True', '2026-11-10T10:00:00Z', 'WaveStarted')] }),
    );
    const work = await resources.create(object('Work', 'pos', undefined, 'store-0001'));
    await updateWorkStatus(
      hub.ctx,
      work,
      () =>
        ({
          conditions: [cond('Applied', 'True', '2026-11-10T08:00:00Z')],
          driftEvents: [{ kind: 'ConfigMap', name: 'c', change: 'Deleted', fields: [], corrected: false, time: '2026-11-10T11:30:00Z' }],
        }) as never,
    );
    const ctx = testAdminContext(hub.ctx);
    const handler = eventRoutes[0].handler;

    const all = FleetEventListSchema.parse((await handler(request(), ctx)).body);
    expect(all.items.map((e) => `${e.object.kind}/${e.object.name} ${e.reason}`)).toEqual([
      'Cluster/store-0001 AgentUnhealthy',
      'FleetDeployment/pos WaveStarted',
      'Cluster/store-0002 JoinedTrue',
    ]);
    expect(all.total).toBe(3);

    const one = FleetEventListSchema.parse((await handler(request({ cluster: 'store-0001' }), ctx)).body);
    expect(one.items.map((e) => `${e.object.kind}/${e.object.name} ${e.type} ${e.reason}`)).toEqual([
      'Work/pos Warning Drifted',
      'Cluster/store-0001 Warning AgentUnhealthy',
      'Work/pos Normal AppliedTrue',
    ]);

    const limited = FleetEventListSchema.parse((await handler(request({ limit: '1' }), ctx)).body);
    expect(limited).toMatchObject({ total: 3, items: [{ reason: 'AgentUnhealthy' }] });
    await expect(handler(request({ cluster: 'Not_A_Name' }), ctx)).rejects.toThrow('is not a valid cluster name');
    await expect(handler(request({ limit: '0' }), ctx)).rejects.toThrow();
  });
});
