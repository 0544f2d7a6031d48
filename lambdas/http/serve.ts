import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { PROBLEM_BASE, type Problem } from '../../shared/api.js';
import type { Log } from '../ports/log.js';
import { isClientError, toProblem } from './problem.js';
import { acceptsGzip, fromApiGatewayEvent, ResponseTooLargeError, toApiGatewayResult, type HttpRequest, type HttpResponse } from './request.js';

/** An HTTP application: a function from request to response. */
export type HttpApp = (req: HttpRequest) => Promise<HttpResponse>;

/**
 * The single place where HTTP errors become problem+json. Client errors keep their message;
 * anything unexpected is logged with its stack and answered with a generic 500.
 * Logs carry method, path, status and duration — never headers or bodies (they hold secrets).
 */
export async function serveApiGateway(app: HttpApp, event: APIGatewayProxyEventV2, log: Log): Promise<APIGatewayProxyStructuredResultV2> {
  const started = Date.now();
  let req: HttpRequest | undefined;
  let res: HttpResponse;
  try {
    req = fromApiGatewayEvent(event);
    res = await app(req);
  } catch (err) {
    const path = req?.path ?? event.rawPath;
    const { problem, headers } = toProblem(err, path);
    if (!isClientError(err) && problem.status >= 500) {
      log.error('request failed', { method: event.requestContext?.http?.method, path, error: describe(err) });
    }
    res = { status: problem.status, headers: { ...headers, 'content-type': 'application/problem+json' }, body: problem };
  }
  log.debug('request', { method: event.requestContext?.http?.method, path: event.rawPath, status: res.status, ms: Date.now() - started });
  try {
    return toApiGatewayResult(res, { gzip: acceptsGzip(req?.headers['accept-encoding']) });
  } catch (err) {
    if (!(err instanceof ResponseTooLargeError)) throw err;
    const path = req?.path ?? event.rawPath;
    log.error('response too large for Lambda', { method: event.requestContext?.http?.method, path, status: res.status, bytes: err.actualBytes, limit: err.limitBytes });
    return toApiGatewayResult({ status: 500, headers: { 'content-type': 'application/problem+json' }, body: tooLargeProblem(err, path) });
  }
}

/** What a caller is told when the answer cannot be sent: which limit, and what to do about it. */
function tooLargeProblem(err: ResponseTooLargeError, path: string): Problem {
  const advice = path.startsWith('/agent/')
    ? 'The desired state of this cluster is too large to send: reduce the works placed on it (fewer or smaller manifests), or split them across clusters.'
    : 'Ask for less: use a smaller page (?limit=) or a narrower selector.';
  return {
    type: PROBLEM_BASE + 'response-too-large',
    title: 'Response too large',
    status: 500,
    detail: `${err.message}. ${advice}`,
    instance: path,
    limitBytes: err.limitBytes,
    actualBytes: err.actualBytes,
  };
}

function describe(err: unknown): Record<string, unknown> {
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { value: String(err) };
}

/** Problem type URI for a code (for routes that answer problems directly). */
export function problemType(code: string): string {
  return PROBLEM_BASE + code;
}
