import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { PROBLEM_BASE } from '../../shared/api.js';
import type { Log } from '../ports/log.js';
import { isClientError, toProblem } from './problem.js';
import { fromApiGatewayEvent, toApiGatewayResult, type HttpRequest, type HttpResponse } from './request.js';

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
  return toApiGatewayResult(res);
}

function describe(err: unknown): Record<string, unknown> {
  if (err instanceof Error) return { name: err.name, message: err.message, stack: err.stack };
  return { value: String(err) };
}

/** Problem type URI for a code (for routes that answer problems directly). */
export function problemType(code: string): string {
  return PROBLEM_BASE + code;
}
