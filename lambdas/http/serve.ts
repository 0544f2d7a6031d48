import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { PROBLEM_BASE, type Problem } from '../../shared/api.js';
import type { Log } from '../ports/log.js';
import { isServerError } from '../../shared/errors.js';
import { toProblem } from './problem.js';
import {
  acceptsGzip,
  fromApiGatewayEvent,
  ResponseTooLargeError,
  toApiGatewayResult,
  type HttpRequest,
  type HttpResponse,
} from './request.js';

/** An HTTP application: a function from request to response. */
export type HttpApp = (req: HttpRequest) => Promise<HttpResponse>;

/**
 * The single place where HTTP errors become problem+json. Client errors (4xx) keep their message
 * and are not logged here (the routes audit what matters, e.g. denials); server errors (5xx, and
 * anything that is no Tether error) are logged with their cause chain and answered with a generic
 * detail.
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
    if (isServerError(err)) {
      log.error('request failed', { method: event.requestContext?.http?.method, path, error: describeError(err) });
    }
    res = { status: problem.status, headers: { ...headers, 'content-type': 'application/problem+json' }, body: problem };
  }
  log.debug('request', { method: event.requestContext?.http?.method, path: event.rawPath, status: res.status, ms: Date.now() - started });
  try {
    return toApiGatewayResult(res, { gzip: acceptsGzip(req?.headers['accept-encoding']) });
  } catch (err) {
    if (!(err instanceof ResponseTooLargeError)) throw err;
    const path = req?.path ?? event.rawPath;
    log.error('response too large for Lambda', {
      method: event.requestContext?.http?.method,
      path,
      status: res.status,
      bytes: err.actualBytes,
      limit: err.limitBytes,
    });
    return toApiGatewayResult({
      status: ResponseTooLargeError.status,
      headers: { 'content-type': 'application/problem+json' },
      body: tooLargeProblem(err, path),
    });
  }
}

/** What a caller is told when the answer cannot be sent: which limit, and what to do about it. */
function tooLargeProblem(err: ResponseTooLargeError, path: string): Problem {
  const advice = path.startsWith('/agent/')
    ? 'The desired state of this cluster is too large to send: reduce the works placed on it (fewer or smaller manifests), or split them across clusters.'
    : 'Ask for less: use a smaller page (?limit=) or a narrower selector.';
  return {
    type: PROBLEM_BASE + err.code,
    title: ResponseTooLargeError.title,
    status: ResponseTooLargeError.status,
    detail: `${err.message}. ${advice}`,
    instance: path,
    limitBytes: err.limitBytes,
    actualBytes: err.actualBytes,
  };
}

/** How deep the cause chain is followed; a longer chain is cut (and a cycle cannot loop forever). */
const MAX_CAUSE_DEPTH = 5;

/** An error for the log: name, message, stack, and its `cause` chain the same way. */
function describeError(err: unknown, depth = 0): Record<string, unknown> {
  if (!(err instanceof Error)) return { value: String(err) };
  const out: Record<string, unknown> = { name: err.name, message: err.message, stack: err.stack };
  if (err.cause !== undefined) out.cause = depth < MAX_CAUSE_DEPTH ? describeError(err.cause, depth + 1) : { value: 'cause chain cut' };
  return out;
}

/** Problem type URI for a code (for routes that answer problems directly). */
export function problemType(code: string): string {
  return PROBLEM_BASE + code;
}
