import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createAdminApi } from '../http/admin-api.js';
import { serveApiGateway } from '../http/serve.js';
import { contextFromEnv, once, type ComposedHub } from './compose.js';
import { log, logger } from './powertools.js';
import { tracer } from './tracing.js';

/**
 * Builds the admin API Lambda handler over a hub context (the local hub passes its own). No custom
 * metric: the function's own Invocations metric counts admin requests for free.
 */
export function buildAdminHandler(getHub: () => ComposedHub) {
  const app = once(() => {
    const hub = getHub();
    return createAdminApi(hub, hub.routes.admin);
  });
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(injectLambdaContext(logger))
    .use(captureLambdaHandler(tracer))
    .handler((event) => serveApiGateway(app(), event, log));
}

export const handler = buildAdminHandler(once(() => contextFromEnv(log)));
