import { describe, expect, it } from '@jest/globals';
import { formatDuration, parseDuration, parseDurationSeconds } from '../../../shared/duration.js';

describe('parseDuration (resource fields)', () => {
  it.each([
    ['0', 0],
    ['30s', 30_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['250ms', 250],
    ['1h30m', 5_400_000],
    ['1m30s500ms', 90_500],
    ['0s', 0],
    [' 45s ', 45_000],
    ['5ms', 5],
  ])('%j is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', 'soon', '90', '00', '1.5h', '-5s', '5 m', '1w', 's', 'None', '5mm'])('%j is not a duration', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('takes a bare number as seconds when asked', () => {
    expect(parseDuration('90', { bareNumber: 'seconds' })).toBe(90_000);
    expect(parseDuration('90', { bareNumber: 'zero-only' })).toBeUndefined();
  });
});

describe('parseDurationSeconds (CLI flags)', () => {
  it.each([
    ['24h', 86_400],
    ['1h30m', 5_400],
    ['90', 90],
    ['0', 0],
    ['2d', 172_800],
    ['90d', 7_776_000],
    ['2000ms', 2],
  ])('%j is %d s', (text, seconds) => {
    expect(parseDurationSeconds(text)).toBe(seconds);
  });

  it.each(['', 'soon', '1.5h', '500ms', '1s500ms', '-1'])('%j is not a whole number of seconds', (text) => {
    expect(parseDurationSeconds(text)).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it.each([
    [-5_000, '0s'],
    [0, '0s'],
    [999, '0s'],
    [59_999, '59s'],
    [60_000, '1m'],
    [3_599_000, '59m'],
    [3_600_000, '1h'],
    [86_399_000, '23h'],
    [86_400_000, '1d'],
    [364 * 86_400_000, '364d'],
    [365 * 86_400_000, '1y'],
    [3 * 365 * 86_400_000 + 5, '3y'],
  ])('%d ms is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});
