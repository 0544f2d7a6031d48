import type { MiddlewareObj } from '@middy/core';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';

// Outside Lambda (the local hub, tests) there is no CloudWatch agent to read EMF lines.
if (!process.env.AWS_LAMBDA_FUNCTION_NAME) process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

/**
 * The custom metrics buffer (EMF lines), for the one metric Lambda and SQS do not give for free:
 * the worker's failed steps. Each custom metric is a fixed monthly charge, so counts that AWS
 * already publishes (a function's Invocations, a queue's NumberOfMessagesReceived) are not repeated.
 */
export const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Tether' });

/**
 * Metrics flushing middleware. Outside Lambda (the local hub serves every function from one
 * process, concurrently) a shared Metrics buffer would be flushed by whichever invocation ends
 * first, so the local hub leaves metrics off; the handler logic is the same.
 */
export function metricsMiddleware(): MiddlewareObj {
  return process.env.AWS_LAMBDA_FUNCTION_NAME ? logMetrics(metrics) : { before: () => undefined };
}
