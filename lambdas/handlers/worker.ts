import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { HubContext } from '../core/context.js';
import { contextFromEnv, once } from './compose.js';
import { metrics, metricsMiddleware } from './metrics.js';
import { processBatch } from './step-batch.js';
import { log, logger } from './powertools.js';
import { tracer } from './tracing.js';

/**
 * Builds the queue worker handler (SQS batch, ReportBatchItemFailures). It publishes StepsFailed
 * (steps handed back for a retry); steps received are the queue's free NumberOfMessagesReceived.
 */
export function buildWorkerHandler(getContext: () => HubContext) {
  return middy<SQSEvent, SQSBatchResponse>()
    .use(injectLambdaContext(logger))
    .use(captureLambdaHandler(tracer))
    .use(metricsMiddleware())
    .handler(async (event) => {
      const result = await processBatch(event, getContext());
      metrics.addMetric('StepsFailed', MetricUnit.Count, result.batchItemFailures.length);
      return result;
    });
}

export const handler = buildWorkerHandler(once(() => contextFromEnv(log)));
