import { describe, expect, it } from '@jest/globals';
import {
  formatSelector,
  labelKeyProblem,
  labelValueProblem,
  LabelsSchema,
  matchesSelector,
  parseSelector,
} from '../../../shared/labels.js';
import { ValidationError } from '../../../shared/errors.js';

describe('label syntax', () => {
  it('accepts Kubernetes keys with and without prefix', () => {
    expect(labelKeyProblem('tier')).toBeUndefined();
    expect(labelKeyProblem('tether.dev/clusterset')).toBeUndefined();
    expect(labelKeyProblem('app.kubernetes.io/name')).toBeUndefined();
  });
  it('rejects bad keys with a reason', () => {
    expect(labelKeyProblem('')).toMatch(/1 to 63/);
    expect(labelKeyProblem('-bad')).toMatch(/start and end/);
    expect(labelKeyProblem('UPPER.case/x')).toMatch(/DNS subdomain/);
    expect(labelKeyProblem('a'.repeat(64))).toMatch(/1 to 63/);
    expect(labelKeyProblem('/x')).toMatch(/prefix/);
  });
  it('checks values: empty allowed, 63 max, pattern', () => {
    expect(labelValueProblem('')).toBeUndefined();
    expect(labelValueProblem('us-east_1.a')).toBeUndefined();
    expect(labelValueProblem('a'.repeat(64))).toMatch(/63/);
    expect(labelValueProblem('bad value')).toMatch(/letters, digits/);
  });
  it('LabelsSchema reports the failing key as the path', () => {
    const r = LabelsSchema.safeParse({ good: 'x', 'bad key': 'y' });
    expect(r.success).toBe(false);
    if (!r.success) expect(r.error.issues[0].path).toEqual(['bad key']);
  });
});

describe('parseSelector', () => {
  it('parses equality, set-based and existence requirements', () => {
    expect(parseSelector('tier=store, region in (us-east,us-west),!legacy,canary,env!=prod,zone notin (a)')).toEqual({
      matchLabels: { tier: 'store' },
      matchExpressions: [
        { key: 'region', operator: 'In', values: ['us-east', 'us-west'] },
        { key: 'legacy', operator: 'DoesNotExist' },
        { key: 'canary', operator: 'Exists' },
        { key: 'env', operator: 'NotIn', values: ['prod'] },
        { key: 'zone', operator: 'NotIn', values: ['a'] },
      ],
    });
  });
  it('accepts an empty value, as kubectl does', () => {
    expect(parseSelector('tier=')).toEqual({ matchLabels: { tier: '' } });
  });
  it('treats == like =', () => {
    expect(parseSelector('a==b')).toEqual({ matchLabels: { a: 'b' } });
  });
  it('returns an empty selector for an empty string', () => {
    expect(parseSelector('  ')).toEqual({});
  });
  it.each(['tier=@', 'a in (b', 'a in ()', 'a=b,', 'a b', 'bad key=x', '=x', 'a=b c'])('rejects %p with a positioned message', (text) => {
    let err: unknown;
    try {
      parseSelector(text);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toMatch(/invalid label selector/);
  });
  it('round-trips through formatSelector', () => {
    const text = 'tier=store,region in (us-east,us-west),!legacy,canary';
    expect(parseSelector(formatSelector(parseSelector(text)))).toEqual(parseSelector(text));
  });
});

describe('matchesSelector', () => {
  const labels = { tier: 'store', region: 'us-east', canary: '' };
  it.each([
    ['tier=store', true],
    ['tier=factory', false],
    ['region in (us-east,us-west)', true],
    ['region notin (us-east)', false],
    ['missing notin (x)', true],
    ['canary', true],
    ['!canary', false],
    ['!missing', true],
    ['env!=prod', true],
    ['tier=store,region=eu', false],
    ['', true],
  ])('%p -> %p', (text, expected) => {
    expect(matchesSelector(parseSelector(text), labels)).toBe(expected);
  });
  it('matches everything with an undefined selector and nothing required on missing labels', () => {
    expect(matchesSelector(undefined, undefined)).toBe(true);
    expect(matchesSelector({ matchLabels: { a: 'b' } }, undefined)).toBe(false);
  });
});
