import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { runSchedulerTick } from '../core/periodic-tasks.js';
import type { HubContext } from '../core/context.js';
import { contextFromEnv, once } from './compose.js';
import { log, logger } from './powertools.js';
import { tracer } from './tracing.js';

/** Builds the scheduler handler: one tick of every periodic task (EventBridge, every minute). */
export function buildSchedulerHandler(getContext: () => HubContext) {
  return middy<unknown, Record<string, number | string>>()
    .use(injectLambdaContext(logger))
    .use(captureLambdaHandler(tracer))
    .handler(async () => {
      const result = await runSchedulerTick(getContext());
      log.debug('scheduler tick', { result });
      return result;
    });
}

export const handler = buildSchedulerHandler(once(() => contextFromEnv(log)));
