import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import '../hub/index.js';
import '../capabilities/rollouts/admin-routes.js';
import '../capabilities/console/admin-routes.js';
import '../capabilities/clusters/admin-routes.js';
import type { HubContext } from '../core/context.js';
import { createAdminApi } from '../http/admin-api.js';
import { serveApiGateway } from '../http/serve.js';
import { contextFromEnv, once } from './compose.js';
import { log, logger } from './powertools.js';
import { tracer } from './tracing.js';

/**
 * Builds the admin API Lambda handler over a hub context (the local hub passes its own). No custom
 * metric: the function's own Invocations metric counts admin requests for free.
 */
export function buildAdminHandler(getContext: () => HubContext) {
  const app = once(() => createAdminApi(getContext()));
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(injectLambdaContext(logger))
    .use(captureLambdaHandler(tracer))
    .handler((event) => serveApiGateway(app(), event, log));
}

export const handler = buildAdminHandler(once(() => contextFromEnv(log)));
