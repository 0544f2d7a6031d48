import type { Log } from '../ports/log.js';
import type { MiddlewareObj } from '@middy/core';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

/**
 * Module-level Powertools singletons shared by every handler in a bundle. Service name and log
 * level come from POWERTOOLS_SERVICE_NAME / POWERTOOLS_LOG_LEVEL; the local hub sets
 * POWERTOOLS_METRICS_DISABLED so that EMF lines do not flood the terminal.
 */
// Outside Lambda (the local hub, tests) there is no CloudWatch agent to read EMF lines.
if (!process.env.AWS_LAMBDA_FUNCTION_NAME) process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'tether' });
export const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Tether' });
export const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'tether' });

/** The domain's {@link Log} port over the Powertools logger. */
export const log: Log = {
  debug: (m, f) => (f ? logger.debug(m, f) : logger.debug(m)),
  info: (m, f) => (f ? logger.info(m, f) : logger.info(m)),
  warn: (m, f) => (f ? logger.warn(m, f) : logger.warn(m)),
  error: (m, f) => (f ? logger.error(m, f) : logger.error(m)),
};

/**
 * Metrics flushing middleware. Outside Lambda (the local hub serves every function from one
 * process, concurrently) a shared Metrics buffer would be flushed by whichever invocation ends
 * first, so the local hub leaves metrics off; the handler logic is the same.
 */
export function metricsMiddleware(): MiddlewareObj {
  return process.env.AWS_LAMBDA_FUNCTION_NAME ? logMetrics(metrics) : { before: () => undefined };
}
