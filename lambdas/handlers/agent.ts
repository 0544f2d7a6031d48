import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createAgentApi } from '../http/agent-api.js';
import { serveApiGateway } from '../http/serve.js';
import { contextFromEnv, once, type ComposedHub } from './compose.js';
import { log, logger } from './powertools.js';

/**
 * Builds the agent API handler. It is on the poll path, so an ordinary request writes nothing:
 * no tracer middleware and no metric line (Lambda's own Invocations, Errors and Duration metrics
 * count polls for free). Failures are still logged at ERROR and denials audited at WARN.
 */
export function buildAgentHandler(getHub: () => ComposedHub) {
  const app = once(() => {
    const hub = getHub();
    return createAgentApi(hub, hub.routes.agent);
  });
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(injectLambdaContext(logger))
    .handler((event) => serveApiGateway(app(), event, log));
}

export const handler = buildAgentHandler(once(() => contextFromEnv(log)));
