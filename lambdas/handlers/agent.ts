import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import '../hub/index.js';
import '../http/agent-routes.js';
import type { HubContext } from '../hub/context.js';
import { createAgentApi } from '../http/agent-api.js';
import { serveApiGateway } from '../http/serve.js';
import { contextFromEnv, once } from './compose.js';
import { log, logger, metrics, metricsMiddleware } from './powertools.js';

/**
 * Builds the agent API handler. It is on the poll path, so it carries no tracer middleware: one
 * idle poll must stay one small GetItem and a few milliseconds.
 */
export function buildAgentHandler(getContext: () => HubContext) {
  const app = once(() => createAgentApi(getContext()));
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(injectLambdaContext(logger))
    .use(metricsMiddleware())
    .handler((event) => {
      metrics.addMetric('AgentRequests', MetricUnit.Count, 1);
      return serveApiGateway(app(), event, log);
    });
}

export const handler = buildAgentHandler(once(() => contextFromEnv(log)));
