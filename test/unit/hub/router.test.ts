import { describe, expect, it } from '@jest/globals';
import { Router } from '../../../lambdas/http/router.js';
import { MethodNotAllowedError, RouteNotFoundError } from '../../../lambdas/http/problem.js';

const ok = async () => ({ status: 200 });

describe('Router', () => {
  const router = new Router<unknown>()
    .add({ method: 'GET', pattern: '/v1/{plural}', handler: ok })
    .add({ method: 'GET', pattern: '/v1/{plural}/{name}', handler: ok })
    .add({ method: 'POST', pattern: '/v1/clusters/{name}/accept', handler: ok })
    .add({ method: 'POST', pattern: '/v1/clusters/{cluster}/{plural}', handler: ok });

  it('extracts and decodes path parameters', () => {
    expect(router.match('GET', '/v1/clusters/store%2D1').params).toEqual({ plural: 'clusters', name: 'store-1' });
  });
  it('prefers literal segments over parameters', () => {
    expect(router.match('POST', '/v1/clusters/a/accept').route.pattern).toBe('/v1/clusters/{name}/accept');
    expect(router.match('POST', '/v1/clusters/a/works').route.pattern).toBe('/v1/clusters/{cluster}/{plural}');
  });
  it('answers 405 with the allowed methods for a known path', () => {
    expect(() => router.match('DELETE', '/v1/clusters')).toThrow(MethodNotAllowedError);
    try {
      router.match('DELETE', '/v1/clusters');
    } catch (e) {
      expect((e as MethodNotAllowedError).allowed).toEqual(['GET']);
    }
  });
  it('answers 404 for unknown paths', () => {
    expect(() => router.match('GET', '/nope/x/y/z/w')).toThrow(RouteNotFoundError);
  });
  it('does not match malformed percent-encoding', () => {
    expect(() => router.match('GET', '/v1/clusters/%E0%A4%A')).toThrow(RouteNotFoundError);
  });
  it('serves HEAD with GET routes', () => {
    expect(router.match('HEAD', '/v1/clusters').route.method).toBe('GET');
  });
});
