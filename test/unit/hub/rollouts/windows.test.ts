import { describe, expect, it } from '@jest/globals';
import type { MaintenanceWindow } from '../../../../shared/resources/fleetdeployment.js';
import { isInWindow, WindowEvaluator, windowOpenAt, windowZone } from '../../../../lambdas/capabilities/rollouts/windows.js';

const at = (iso: string) => Date.parse(iso);
const nightly = (schedule: string, duration: string, extra: Partial<MaintenanceWindow> = {}): MaintenanceWindow => ({
  schedule,
  duration,
  ...extra,
});

describe('isInWindow', () => {
  it('is always open without windows', () => {
    expect(isInWindow([], {}, new Date('2026-06-01T12:00:00Z'))).toBe(true);
  });

  it('opens at the start and closes after the duration (start inclusive, end exclusive)', () => {
    const w = [nightly('0 2 * * *', '2h', { timeZone: 'UTC' })];
    expect(isInWindow(w, {}, at('2026-04-04T01:59:59.999Z'))).toBe(false);
    expect(isInWindow(w, {}, at('2026-04-04T02:00:00Z'))).toBe(true);
    expect(isInWindow(w, {}, at('2026-04-04T03:59:59.999Z'))).toBe(true);
    expect(isInWindow(w, {}, at('2026-04-04T04:00:00Z'))).toBe(false);
  });

  it('is open when any of several windows is', () => {
    const w = [nightly('0 2 * * 1-5', '1h', { timeZone: 'UTC' }), nightly('0 10 * * 0,6', '4h', { timeZone: 'UTC' })];
    expect(isInWindow(w, {}, at('2026-11-07T11:00:00Z'))).toBe(true); // Saturday
    expect(isInWindow(w, {}, at('2026-11-09T11:00:00Z'))).toBe(false); // Monday
    expect(isInWindow(w, {}, at('2026-11-09T02:30:00Z'))).toBe(true);
  });

  it('reads each cluster zone from a label, so one window means local night everywhere', () => {
    const w = [nightly('0 2 * * *', '2h', { timeZoneLabel: 'tether.dev/timezone' })];
    const ny = { 'tether.dev/timezone': 'America.New_York' };
    const berlin = { 'tether.dev/timezone': 'Europe.Berlin' };
    // 2026-06-15T07:00Z is 03:00 in New York (EDT) and 09:00 in Berlin (CEST).
    expect(isInWindow(w, ny, at('2026-06-15T07:00:00Z'))).toBe(true);
    expect(isInWindow(w, berlin, at('2026-06-15T07:00:00Z'))).toBe(false);
    // 2026-06-15T00:30Z is 02:30 in Berlin and 20:30 the day before in New York.
    expect(isInWindow(w, berlin, at('2026-06-15T00:30:00Z'))).toBe(true);
    expect(isInWindow(w, ny, at('2026-06-15T00:30:00Z'))).toBe(false);
  });
});

describe('time zones and DST', () => {
  it('America/New_York spring forward (2026-03-08): a start in the skipped hour happens right after the jump', () => {
    const w = nightly('30 2 * * *', '1h');
    expect(windowOpenAt(w, 'America/New_York', at('2026-03-08T07:00:00Z')).open).toBe(false); // 03:00 EDT
    const r = windowOpenAt(w, 'America/New_York', at('2026-03-08T07:45:00Z')); // 03:45 EDT
    expect(r).toEqual({ open: true, opensAt: at('2026-03-08T07:30:00Z'), closesAt: at('2026-03-08T08:30:00Z') });
  });

  it('America/New_York spring forward: a window spanning the jump lasts its elapsed duration', () => {
    const w = nightly('0 1 * * *', '2h');
    // 01:00 EST = 06:00Z; two hours of elapsed time later it is 04:00 EDT = 08:00Z.
    expect(windowOpenAt(w, 'America/New_York', at('2026-03-08T07:59:59Z')).open).toBe(true);
    expect(windowOpenAt(w, 'America/New_York', at('2026-03-08T08:00:00Z')).open).toBe(false);
    // The next night starts at 01:00 EDT, an hour earlier in UTC.
    expect(windowOpenAt(w, 'America/New_York', at('2026-03-08T08:00:00Z')).opensAt).toBe(at('2026-03-09T05:00:00Z'));
  });

  it('America/New_York fall back (2026-11-01): a start in the repeated hour happens once', () => {
    const w = nightly('0 1 * * *', '30m');
    expect(windowOpenAt(w, 'America/New_York', at('2026-11-01T05:15:00Z')).open).toBe(true); // 01:15 EDT
    expect(windowOpenAt(w, 'America/New_York', at('2026-11-01T06:15:00Z')).open).toBe(false); // 01:15 EST, the second time
    expect(windowOpenAt(w, 'America/New_York', at('2026-11-02T06:15:00Z')).open).toBe(true); // 01:15 EST next night
  });

  it('Europe/Berlin: 02:00 is 01:00Z in winter, 00:00Z in summer, and 03:00 CEST on the night of the change', () => {
    const w = nightly('0 2 * * *', '2h');
    expect(windowOpenAt(w, 'Europe/Berlin', at('2026-01-15T01:30:00Z')).open).toBe(true);
    expect(windowOpenAt(w, 'Europe/Berlin', at('2026-01-15T00:30:00Z')).open).toBe(false);
    expect(windowOpenAt(w, 'Europe/Berlin', at('2026-07-15T00:30:00Z')).open).toBe(true);
    expect(windowOpenAt(w, 'Europe/Berlin', at('2026-03-29T00:30:00Z')).open).toBe(false);
    expect(windowOpenAt(w, 'Europe/Berlin', at('2026-03-29T01:30:00Z')).opensAt).toBe(at('2026-03-29T01:00:00Z'));
  });

  it('Australia/Sydney: southern-hemisphere DST ends in April and starts in October', () => {
    const w = nightly('0 2 * * *', '2h');
    // January: AEDT (UTC+11): 02:00 local is 15:00Z the day before.
    expect(windowOpenAt(w, 'Australia/Sydney', at('2026-01-14T15:30:00Z')).open).toBe(true);
    // July: AEST (UTC+10): 16:00Z.
    expect(windowOpenAt(w, 'Australia/Sydney', at('2026-07-14T15:30:00Z')).open).toBe(false);
    expect(windowOpenAt(w, 'Australia/Sydney', at('2026-07-14T16:30:00Z')).open).toBe(true);
    // 2026-04-05: 02:00 AEDT (15:00Z) happens, the repeated 02:00 AEST does not reopen it after 17:00Z.
    expect(windowOpenAt(w, 'Australia/Sydney', at('2026-04-04T16:30:00Z')).opensAt).toBe(at('2026-04-04T15:00:00Z'));
    expect(windowOpenAt(w, 'Australia/Sydney', at('2026-04-04T17:30:00Z')).open).toBe(false);
    // 2026-10-04: 02:00 AEST does not exist; the window opens at 03:00 AEDT (16:00Z).
    expect(windowOpenAt(w, 'Australia/Sydney', at('2026-10-03T15:30:00Z')).open).toBe(false);
    expect(windowOpenAt(w, 'Australia/Sydney', at('2026-10-03T16:30:00Z')).open).toBe(true);
  });
});

describe('zones from labels', () => {
  it('decodes "." as "/", accepts plain zones, and reports a missing or unknown label', () => {
    const w = nightly('0 2 * * *', '2h', { timeZoneLabel: 'tz', timeZone: 'Europe/Berlin' });
    expect(windowZone(w, { tz: 'America.Argentina.Buenos_Aires' })).toEqual({ zone: 'America/Argentina/Buenos_Aires' });
    expect(windowZone(w, { tz: 'UTC' })).toEqual({ zone: 'UTC' });
    expect(windowZone(w, {})).toEqual({ zone: 'Europe/Berlin', problem: 'cluster has no label tz; its window uses Europe/Berlin' });
    expect(windowZone({ ...w, timeZone: undefined }, { tz: 'Mars.Base' }).problem).toBe(
      'cluster label tz="Mars.Base" is not a known time zone (write "/" as ".", e.g. America.New_York); its window uses UTC',
    );
  });

  it('the evaluator reports the next opening and the zone problem', () => {
    const e = new WindowEvaluator([nightly('0 2 * * *', '2h', { timeZoneLabel: 'tz' })], at('2026-06-15T12:00:00Z'));
    expect(e.verdict({})).toEqual({
      open: false,
      nextOpenAt: at('2026-06-16T02:00:00Z'),
      problem: 'cluster has no label tz; its window uses UTC',
    });
    expect(e.verdict({ tz: 'Asia.Tokyo' })).toEqual({ open: false, nextOpenAt: at('2026-06-15T17:00:00Z') });
  });
});
