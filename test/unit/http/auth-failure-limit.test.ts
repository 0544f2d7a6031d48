import { AuthFailureLimiter } from '../../../lambdas/http/auth-failure-limit.js';

const settings = { failuresPerSecond: 2, burst: 3, maxSources: 2, maxKnownGood: 2, knownGoodMs: 60_000 };

describe('AuthFailureLimiter', () => {
  it('lets a source fail its burst, then refuses unknown credentials from it until it refills', () => {
    let now = 0;
    const l = new AuthFailureLimiter(settings, () => now);
    for (let i = 0; i < 3; i++) {
      expect(l.admit('10.0.0.1', `bad-${i}`)).toEqual({ allowed: true });
      l.failed('10.0.0.1');
    }
    expect(l.admit('10.0.0.1', 'bad-4')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    // Another source is not affected.
    expect(l.admit('10.0.0.2', 'bad-5')).toEqual({ allowed: true });
    now += 500;
    expect(l.admit('10.0.0.1', 'bad-6')).toEqual({ allowed: true });
  });

  it('lets a credential that authenticated recently through whatever its source did, and only for a while', () => {
    let now = 0;
    const l = new AuthFailureLimiter(settings, () => now);
    l.succeeded('good');
    for (let i = 0; i < 3; i++) l.failed('10.0.0.1');
    expect(l.admit('10.0.0.1', 'good')).toEqual({ allowed: true });
    expect(l.admit('10.0.0.1', undefined).allowed).toBe(false);
    l.failed('10.0.0.1');
    now += 60_000;
    for (let i = 0; i < 200; i++) l.failed('10.0.0.1');
    expect(l.admit('10.0.0.1', 'good').allowed).toBe(false);
  });

  it('stays bounded in memory and can be turned off', () => {
    const l = new AuthFailureLimiter(settings, () => 0);
    for (let i = 0; i < 10; i++) l.failed(`10.0.0.${i}`);
    expect(l.size).toBe(2);
    const off = new AuthFailureLimiter({ ...settings, failuresPerSecond: 0 }, () => 0);
    for (let i = 0; i < 10; i++) off.failed('x');
    expect(off.admit('x', 'y')).toEqual({ allowed: true });
  });
});
