import { gzipSync } from 'node:zlib';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { parseDocuments } from '../../shared/manifests.js';
import { assertNestingDepth } from '../../shared/nesting.js';
import { MalformedInputError, PayloadTooLargeError, TetherError, ValidationError } from '../../shared/errors.js';
import { UnsupportedMediaTypeError } from './problem.js';

/** Largest request body the hub accepts (API Gateway allows 10 MB, Lambda 6 MB of payload). */
export const MAX_BODY_BYTES = 5 * 1024 * 1024;

/**
 * Bodies smaller than this go out uncompressed: gzip would save a few hundred bytes for the CPU
 * it costs, and a 304 or a small problem has nothing to gain.
 */
export const COMPRESS_MIN_BYTES = 1024;

/**
 * Largest response body the hub sends. Lambda's synchronous response limit is 6 MB for the whole
 * result (headers and the JSON envelope included, and a compressed body travels as base64, a third
 * larger); 64 KiB are kept for the rest.
 */
export const MAX_RESPONSE_BYTES = 6 * 1024 * 1024 - 64 * 1024;

/**
 * The response was too large for Lambda to return, even compressed. A 500: the hub built an answer
 * it cannot send, which the caller could not have known; serve.ts still tells it which limit it
 * hit and how to ask for less, since the message holds sizes only.
 */
export class ResponseTooLargeError extends TetherError {
  static override readonly status = 500;
  static override readonly title = 'Response too large';
  readonly code = 'response-too-large';
  constructor(
    readonly limitBytes: number,
    readonly actualBytes: number,
    readonly compressed: boolean,
  ) {
    super(
      `the response body is ${actualBytes} bytes${compressed ? ' after gzip and base64' : ' (the client did not accept gzip)'}; the limit is ${limitBytes} bytes`,
    );
  }
}

/**
 * True when an Accept-Encoding header accepts gzip (RFC 9110 section 12.5.3): `gzip`, `x-gzip` or
 * `*` with a non-zero quality, unless gzip itself is listed with q=0.
 */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  const weights = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    weights.set(name.trim(), Number.isFinite(weight) ? weight : 0);
  }
  const gzip = weights.get('gzip') ?? weights.get('x-gzip');
  if (gzip !== undefined) return gzip > 0;
  return (weights.get('*') ?? 0) > 0;
}

/** A normalised HTTP request, independent of API Gateway's event shape. */
export interface HttpRequest {
  method: string;
  path: string;
  /** Lowercase header names. */
  headers: Record<string, string>;
  query: Record<string, string>;
  /** Raw body text (decoded from base64 when needed). */
  body: string;
  params: Record<string, string>;
  requestId: string;
  sourceIp?: string;
}

export interface HttpResponse {
  status: number;
  headers?: Record<string, string>;
  /** Serialised as JSON unless `raw` is set. */
  body?: unknown;
  /** Pre-serialised body (YAML, HTML, ...); the content-type header must be set. */
  raw?: string;
}

/** Converts an API Gateway HTTP API (payload 2.0) event into an {@link HttpRequest}. */
export function fromApiGatewayEvent(event: APIGatewayProxyEventV2): HttpRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = v;
  const query: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.queryStringParameters ?? {})) if (v !== undefined) query[k] = v;
  const raw = event.body ?? '';
  const bodyBytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bodyBytes.length > MAX_BODY_BYTES) throw new PayloadTooLargeError(MAX_BODY_BYTES, bodyBytes.length);
  return {
    method: event.requestContext.http.method.toUpperCase(),
    path: event.rawPath || event.requestContext.http.path,
    headers,
    query,
    body: bodyBytes.toString('utf8'),
    params: {},
    requestId: event.requestContext.requestId,
    sourceIp: event.requestContext.http.sourceIp,
  };
}

/**
 * Converts an {@link HttpResponse} into the API Gateway structured result. With `gzip` (the client
 * accepts it) a body of {@link COMPRESS_MIN_BYTES} or more is gzipped: API Gateway's HTTP API and
 * Function URLs do not compress, and a desired state of many works or a console list shrinks several
 * times. A body over {@link MAX_RESPONSE_BYTES} throws {@link ResponseTooLargeError}: Lambda would
 * fail the invocation with an opaque 502 instead.
 */
export function toApiGatewayResult(res: HttpResponse, opts: { gzip?: boolean } = {}): APIGatewayProxyStructuredResultV2 {
  const headers: Record<string, string> = { ...(res.headers ?? {}) };
  let body: string | undefined;
  if (res.raw !== undefined) body = res.raw;
  else if (res.body !== undefined) {
    body = JSON.stringify(res.body);
    headers['content-type'] ??= 'application/json';
  }
  if (body === undefined) return { statusCode: res.status, headers };
  const bytes = Buffer.byteLength(body, 'utf8');
  if (bytes >= COMPRESS_MIN_BYTES && headers['content-encoding'] === undefined) {
    headers.vary = headers.vary ? `${headers.vary}, accept-encoding` : 'accept-encoding';
    if (opts.gzip) {
      const encoded = gzipSync(body).toString('base64');
      if (encoded.length > MAX_RESPONSE_BYTES) throw new ResponseTooLargeError(MAX_RESPONSE_BYTES, encoded.length, true);
      return { statusCode: res.status, headers: { ...headers, 'content-encoding': 'gzip' }, body: encoded, isBase64Encoded: true };
    }
  }
  if (bytes > MAX_RESPONSE_BYTES) throw new ResponseTooLargeError(MAX_RESPONSE_BYTES, bytes, false);
  return { statusCode: res.status, headers, body };
}

/** Media type of the request body without parameters, lowercased. */
export function mediaType(req: HttpRequest): string {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

const JSON_TYPES = new Set(['application/json', 'application/merge-patch+json', '']);
const YAML_TYPES = new Set(['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml']);

/**
 * Parses a single-object JSON (or, where allowed, YAML) body.
 * @throws MalformedInputError, UnsupportedMediaTypeError, ValidationError (empty or not an object)
 */
export function parseObjectBody(req: HttpRequest, opts: { allowYaml?: boolean; optional?: boolean } = {}): Record<string, unknown> {
  const type = mediaType(req);
  if (req.body.trim() === '') {
    if (opts.optional) return {};
    throw new ValidationError('request body is empty; send a JSON object', [{ path: '(body)', message: 'required' }]);
  }
  let value: unknown;
  if (JSON_TYPES.has(type)) {
    try {
      value = JSON.parse(req.body);
    } catch (err) {
      throw new MalformedInputError(`request body is not valid JSON: ${(err as Error).message}`, undefined, { cause: err });
    }
    assertNestingDepth(value);
  } else if (opts.allowYaml && YAML_TYPES.has(type)) {
    const docs = parseDocuments(req.body, 'request body');
    if (docs.length !== 1) throw new ValidationError(`expected exactly one YAML document, got ${docs.length}`);
    value = docs[0];
  } else {
    throw new UnsupportedMediaTypeError(
      `Content-Type "${type}" is not supported here; use application/json${opts.allowYaml ? ' or application/yaml' : ''}`,
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ValidationError('request body must be a JSON object', [{ path: '(body)', message: 'expected an object' }]);
  }
  return value as Record<string, unknown>;
}

/** Parses a multi-document YAML or JSON body (for /v1/apply). */
export function parseDocumentsBody(req: HttpRequest): unknown[] {
  const type = mediaType(req);
  if (!JSON_TYPES.has(type) && !YAML_TYPES.has(type) && type !== 'text/plain') {
    throw new UnsupportedMediaTypeError(`Content-Type "${type}" is not supported; send application/yaml or application/json`);
  }
  return parseDocuments(req.body, 'request body');
}

/** Parses an integer query parameter within bounds, with a clear error. */
export function intParam(req: HttpRequest, name: string, def: number, min: number, max: number): number {
  const raw = req.query[name];
  if (raw === undefined || raw === '') return def;
  if (!/^\d+$/.test(raw))
    throw new ValidationError(`query parameter ${name} must be a whole number`, [{ path: name, message: 'not a number' }]);
  const n = Number(raw);
  if (n < min || n > max)
    throw new ValidationError(`query parameter ${name} must be between ${min} and ${max}`, [{ path: name, message: 'out of range' }]);
  return n;
}

/** Boolean query parameter: `true`/`false`/`1`/`0`; absent is `def`. */
export function boolParam(req: HttpRequest, name: string, def = false): boolean {
  const raw = req.query[name];
  if (raw === undefined || raw === '') return def;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ValidationError(`query parameter ${name} must be true or false`, [{ path: name, message: 'not a boolean' }]);
}
