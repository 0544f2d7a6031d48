import type { Log } from '../ports/log.js';
import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The Powertools logger shared by every handler in a bundle (service name and level from
 * POWERTOOLS_SERVICE_NAME / POWERTOOLS_LOG_LEVEL). The tracer and the metrics buffer live in their
 * own modules (./tracing.ts, ./metrics.ts), imported only by the handlers that use them, so that
 * the agent function's bundle, on the poll path, loads neither the X-Ray SDK nor the EMF writer.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'tether' });

/** The domain's {@link Log} port over the Powertools logger. */
export const log: Log = {
  debug: (m, f) => (f ? logger.debug(m, f) : logger.debug(m)),
  info: (m, f) => (f ? logger.info(m, f) : logger.info(m)),
  warn: (m, f) => (f ? logger.warn(m, f) : logger.warn(m)),
  error: (m, f) => (f ? logger.error(m, f) : logger.error(m)),
};
