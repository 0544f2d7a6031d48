import { describe, expect, it } from '@jest/globals';
import { busyShares, groupOf, summariseProfile, type CpuProfile } from '../../../bench/profile.js';

const ROOT = 'file:///work/main';

describe('groupOf', () => {
  it('tells Tether, the stand-ins, the SDK and the Lambda glue apart by script URL', () => {
    expect(groupOf(`${ROOT}/lambdas/capabilities/clusters/agent-service.ts`)).toBe('tether');
    expect(groupOf(`${ROOT}/lambdas/local/http-gateway.ts`)).toBe('local runtime');
    expect(groupOf(`${ROOT}/lambdas/local/sqs-embedded.ts`)).toBe('sqs emulator');
    expect(groupOf(`${ROOT}/node_modules/dynalite/db/index.js`)).toBe('dynalite');
    expect(groupOf(`${ROOT}/node_modules/@smithy/core/dist-cjs/index.js`)).toBe('aws sdk');
    expect(groupOf(`${ROOT}/node_modules/@middy/core/index.js`)).toBe('lambda glue');
    expect(groupOf(`${ROOT}/node_modules/zod/v4/core/schemas.js`)).toBe('other deps');
    // A dependency's own "shared" folder is not Tether's shared/.
    expect(groupOf(`${ROOT}/node_modules/somedep/lib/shared/x.js`)).toBe('other deps');
    expect(groupOf('node:internal/streams/readable')).toBeUndefined();
    expect(groupOf('')).toBeUndefined();
  });
});

describe('summariseProfile', () => {
  // root -> dynalite fn -> JSON.parse (native, no URL); root -> tether fn; idle; gc.
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '' }, children: [2, 4, 5, 6] },
      { id: 2, callFrame: { functionName: 'getItem', url: `${ROOT}/node_modules/dynalite/actions/getItem.js` }, children: [3] },
      { id: 3, callFrame: { functionName: 'parse', url: '' } },
      { id: 4, callFrame: { functionName: 'pollDesiredState', url: `${ROOT}/lambdas/capabilities/clusters/agent-service.ts` } },
      { id: 5, callFrame: { functionName: '(idle)', url: '' } },
      { id: 6, callFrame: { functionName: '(garbage collector)', url: '' } },
    ],
    startTime: 0,
    endTime: 10_000,
    samples: [3, 3, 4, 5, 5, 5, 6],
    timeDeltas: [1000, 1000, 2000, 1000, 1000, 1000, 3000],
  };

  it('charges a native leaf to the first known caller, and keeps idle and GC apart', () => {
    const s = summariseProfile(profile);
    expect(s.totalMs).toBe(10);
    expect(s.byGroup).toEqual({ dynalite: 2, tether: 2, idle: 3, gc: 3 });
    expect(s.tetherHotspots).toEqual([{ fn: 'pollDesiredState lambdas/capabilities/clusters/agent-service.ts', ms: 2 }]);
  });

  it('busy shares leave idle time out', () => {
    const shares = busyShares(summariseProfile(profile));
    expect(shares.map((x) => x.group)).toEqual(['gc', 'dynalite', 'tether']);
    expect(shares.reduce((a, x) => a + x.share, 0)).toBeCloseTo(1);
    expect(shares[0].share).toBeCloseTo(3 / 7);
  });

  it('falls back to hit counts when the profile has no sample list', () => {
    const s = summariseProfile({
      nodes: [
        { id: 1, callFrame: { functionName: '(root)', url: '' }, children: [2], hitCount: 0 },
        { id: 2, callFrame: { functionName: 'f', url: `${ROOT}/shared/labels.ts` }, hitCount: 4 },
      ],
      startTime: 0,
      endTime: 8_000,
    });
    expect(s.byGroup).toEqual({ tether: 8 });
  });
});
