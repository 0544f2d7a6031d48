import { describe, expect, it } from '@jest/globals';
import { etagMatches, ifNoneMatchRevisions, parseIfMatch } from '../../../lambdas/http/conditional.js';
import { ValidationError } from '../../../shared/errors.js';

describe('parseIfMatch', () => {
  it('accepts quoted, weak and bare versions', () => {
    expect(parseIfMatch('"12"')).toBe('12');
    expect(parseIfMatch('W/"12"')).toBe('12');
    expect(parseIfMatch('12')).toBe('12');
    expect(parseIfMatch('*')).toBeUndefined();
    expect(parseIfMatch(undefined)).toBeUndefined();
  });
  it('rejects garbage', () => {
    expect(() => parseIfMatch('"abc"')).toThrow(ValidationError);
  });
});

describe('ETags', () => {
  it('match the revision, weak or in a list', () => {
    expect(etagMatches('"7"', '7')).toBe(true);
    expect(etagMatches('W/"7"', '7')).toBe(true);
    expect(etagMatches('"3", "7"', '7')).toBe(true);
    expect(etagMatches('"70"', '7')).toBe(false);
    expect(etagMatches('7', '7')).toBe(false);
    expect(etagMatches(undefined, '7')).toBe(false);
  });
});

describe('ifNoneMatchRevisions', () => {
  it.each([
    [undefined, []],
    ['', []],
    ['"7"', ['7']],
    ['W/"7"', ['7']],
    ['"3", W/"7" ,"9"', ['3', '7', '9']],
    ['*', []],
    ['7, "8"', ['8']],
  ])('%j names %j', (header, revisions) => {
    expect(ifNoneMatchRevisions(header)).toEqual(revisions);
  });
});
