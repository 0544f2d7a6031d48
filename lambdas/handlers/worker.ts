import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { processBatch } from '../hub/index.js';
import type { HubContext } from '../hub/context.js';
import { contextFromEnv, once } from './compose.js';
import { log, logger, metrics, metricsMiddleware, tracer } from './powertools.js';

/** Builds the queue worker handler (SQS batch, ReportBatchItemFailures). */
export function buildWorkerHandler(getContext: () => HubContext) {
  return middy<SQSEvent, SQSBatchResponse>()
    .use(injectLambdaContext(logger))
    .use(captureLambdaHandler(tracer))
    .use(metricsMiddleware())
    .handler(async (event) => {
      const result = await processBatch(event, getContext());
      metrics.addMetric('StepsProcessed', MetricUnit.Count, event.Records.length);
      metrics.addMetric('StepsFailed', MetricUnit.Count, result.batchItemFailures.length);
      return result;
    });
}

export const handler = buildWorkerHandler(once(() => contextFromEnv(log)));
