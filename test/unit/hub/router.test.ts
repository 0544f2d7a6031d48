import { describe, expect, it } from '@jest/globals';
import { Router } from '../../../lambdas/http/router.js';
import { InvalidPathError, MethodNotAllowedError, RouteNotFoundError } from '../../../lambdas/http/problem.js';

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
  it('refuses malformed percent-encoding as an invalid path, before any route is looked up', () => {
    expect(() => router.match('GET', '/v1/clusters/%E0%A4%A')).toThrow(InvalidPathError);
    expect(() => router.match('GET', '/v1/clusters/%E0%A4%A')).toThrow(/not valid percent-encoding/);
  });
  // A dot segment must never reach a route as a name: `/v1/clusters/victim/works/..` would
  // otherwise act on the cluster wherever a gateway resolves it (issue 16, item 14).
  it.each([
    ['..', '/v1/clusters/victim/works/..'],
    ['.', '/v1/clusters/victim/works/.'],
    ['%2e%2e', '/v1/clusters/victim/works/%2e%2e'],
    ['%2E%2E', '/v1/clusters/victim/works/%2E%2E'],
    ['.%2e', '/v1/clusters/victim/works/.%2e'],
    ['%2e.', '/v1/clusters/victim/works/%2e.'],
    ['.. in a literal position', '/v1/../clusters'],
    ['%2e%2e in the middle', '/v1/clusters/%2e%2e/works'],
  ])('refuses the dot segment %s with a 400', (_, path) => {
    for (const method of ['GET', 'PATCH', 'DELETE', 'PUT', 'POST']) {
      expect(() => router.match(method, path)).toThrow(InvalidPathError);
    }
    expect(() => router.match('DELETE', path)).toThrow(/not allowed: name the object itself|not a valid name/);
  });
  it.each([
    ['an encoded slash', '/v1/clusters/a%2Fb'],
    ['an encoded backslash', '/v1/clusters/a%5Cb'],
    ['a NUL byte', '/v1/clusters/a%00b'],
    ['a newline', '/v1/clusters/a%0Ab'],
    ['a leading dot', '/v1/clusters/.hidden'],
    ['a space', '/v1/clusters/a%20b'],
  ])('refuses %s in a segment', (_, path) => {
    expect(() => router.match('GET', path)).toThrow(InvalidPathError);
  });
  it('refuses a segment over 253 characters (file systems and keys have limits) and accepts one of 253', () => {
    expect(() => router.match('GET', `/v1/clusters/${'a'.repeat(254)}`)).toThrow(/at most 253/);
    expect(router.match('GET', `/v1/clusters/${'a'.repeat(253)}`).params.name).toHaveLength(253);
  });
  it('serves HEAD with GET routes', () => {
    expect(router.match('HEAD', '/v1/clusters').route.method).toBe('GET');
  });
});

describe('Router with requireAuthz (the admin API)', () => {
  it('refuses a non-public route without an authz descriptor, naming it', () => {
    const router = new Router<unknown>({ requireAuthz: true });
    expect(() => router.add({ method: 'POST', pattern: '/v1/things/{name}/poke', handler: ok })).toThrow(
      /POST \/v1\/things\/\{name\}\/poke has no authz descriptor/,
    );
  });
  it('takes public routes and routes that say which verb and kind they need', () => {
    const router = new Router<unknown>({ requireAuthz: true })
      .add({ method: 'GET', pattern: '/healthz', public: true, handler: ok })
      .add({ method: 'POST', pattern: '/v1/things/{name}/poke', authz: { verb: 'control', kind: 'Thing' }, handler: ok });
    expect(router.list()).toHaveLength(2);
  });
});
