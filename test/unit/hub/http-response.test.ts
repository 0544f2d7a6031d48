import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import {
  acceptsGzip,
  COMPRESS_MIN_BYTES,
  MAX_RESPONSE_BYTES,
  ResponseTooLargeError,
  toApiGatewayResult,
} from '../../../lambdas/http/request.js';
import { serveApiGateway } from '../../../lambdas/http/serve.js';
import type { Log } from '../../../lambdas/ports/log.js';

describe('Accept-Encoding', () => {
  test.each([
    ['gzip', true],
    ['gzip, deflate, br', true],
    ['br;q=1.0, gzip;q=0.5', true],
    ['x-gzip', true],
    ['*', true],
    ['identity', false],
    ['br, deflate', false],
    ['gzip;q=0', false],
    ['*;q=0.1, gzip;q=0', false],
    ['GZIP', true],
    ['', false],
    [undefined, false],
  ])('%s → %s', (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });
});

describe('response encoding', () => {
  const big = { items: Array.from({ length: 200 }, (_, i) => ({ name: `cluster-${i}`, labels: { zone: 'eu-west-1a', tier: 'edge' } })) };

  test('a large JSON body is gzipped for a client that accepts it, and decodes to the same JSON', () => {
    const out = toApiGatewayResult({ status: 200, body: big }, { gzip: true });
    expect(out.isBase64Encoded).toBe(true);
    expect(out.headers).toMatchObject({ 'content-encoding': 'gzip', 'content-type': 'application/json', vary: 'accept-encoding' });
    const decoded = gunzipSync(Buffer.from(out.body!, 'base64')).toString('utf8');
    expect(JSON.parse(decoded)).toEqual(big);
    expect(out.body!.length).toBeLessThan(JSON.stringify(big).length / 3);
  });

  test('without gzip the body goes as it is, with Vary so that caches keep both forms apart', () => {
    const out = toApiGatewayResult({ status: 200, body: big, headers: { vary: 'origin' } });
    expect(out.isBase64Encoded).toBeUndefined();
    expect(out.headers).toMatchObject({ vary: 'origin, accept-encoding' });
    expect(out.headers?.['content-encoding']).toBeUndefined();
    expect(JSON.parse(out.body!)).toEqual(big);
  });

  test('small bodies and empty answers are never compressed', () => {
    const small = toApiGatewayResult({ status: 200, body: { ok: true } }, { gzip: true });
    expect(small).toEqual({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' });
    expect(JSON.stringify({ ok: true }).length).toBeLessThan(COMPRESS_MIN_BYTES);
    expect(toApiGatewayResult({ status: 304, headers: { etag: '"7"' } }, { gzip: true })).toEqual({
      statusCode: 304,
      headers: { etag: '"7"' },
    });
  });

  test('a body over the Lambda response limit throws, compressed or not, naming both sizes', () => {
    // Text that gzip cannot shrink below the limit: base64 of random bytes.
    const noise = randomBytes(MAX_RESPONSE_BYTES).toString('base64');
    expect(() => toApiGatewayResult({ status: 200, raw: noise, headers: { 'content-type': 'text/plain' } })).toThrow(ResponseTooLargeError);
    try {
      toApiGatewayResult({ status: 200, raw: noise, headers: { 'content-type': 'text/plain' } }, { gzip: true });
      throw new Error('expected ResponseTooLargeError');
    } catch (err) {
      expect(err).toBeInstanceOf(ResponseTooLargeError);
      expect((err as ResponseTooLargeError).compressed).toBe(true);
      expect((err as ResponseTooLargeError).actualBytes).toBeGreaterThan(MAX_RESPONSE_BYTES);
    }
    // The same size of repetitive JSON compresses well under the limit and is sent.
    const repetitive = toApiGatewayResult(
      { status: 200, raw: 'a'.repeat(MAX_RESPONSE_BYTES + 10), headers: { 'content-type': 'text/plain' } },
      { gzip: true },
    );
    expect(repetitive.isBase64Encoded).toBe(true);
  });
});

describe('serveApiGateway', () => {
  const errors: Array<{ msg: string; data?: Record<string, unknown> }> = [];
  const log = {
    debug: () => {},
    info: () => {},
    warn: () => {},
    error: (msg: string, data?: Record<string, unknown>) => errors.push({ msg, data }),
  } as unknown as Log;
  const event = (path: string, headers: Record<string, string>): APIGatewayProxyEventV2 =>
    ({
      version: '2.0',
      routeKey: '$default',
      rawPath: path,
      rawQueryString: '',
      headers,
      requestContext: { http: { method: 'GET', path, sourceIp: '127.0.0.1' }, requestId: 'r1' },
      isBase64Encoded: false,
    }) as unknown as APIGatewayProxyEventV2;

  test('compresses when the request accepts gzip', async () => {
    const out = await serveApiGateway(
      async () => ({ status: 200, body: { text: 'x'.repeat(5000) } }),
      event('/v1/clusters', { 'accept-encoding': 'gzip, deflate' }),
      log,
    );
    expect(out.headers?.['content-encoding']).toBe('gzip');
    expect(JSON.parse(gunzipSync(Buffer.from(out.body!, 'base64')).toString('utf8'))).toEqual({ text: 'x'.repeat(5000) });
  });

  test('an answer too large for Lambda becomes a problem that says what to do, and is logged without the body', async () => {
    errors.length = 0;
    const huge = 'y'.repeat(MAX_RESPONSE_BYTES + 1);
    const out = await serveApiGateway(async () => ({ status: 200, body: { huge } }), event('/agent/v1/desired', {}), log);
    expect(out.statusCode).toBe(500);
    expect(out.headers?.['content-type']).toBe('application/problem+json');
    const problem = JSON.parse(out.body!);
    expect(problem).toMatchObject({
      type: expect.stringMatching(/response-too-large$/),
      status: 500,
      instance: '/agent/v1/desired',
      limitBytes: MAX_RESPONSE_BYTES,
    });
    expect(problem.actualBytes).toBeGreaterThan(MAX_RESPONSE_BYTES);
    expect(problem.detail).toMatch(/reduce the works placed on it/);
    expect(errors).toHaveLength(1);
    expect(JSON.stringify(errors[0])).not.toContain('yyyy');
  });
});
