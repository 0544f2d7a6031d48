import { Tracer } from '@aws-lambda-powertools/tracer';

/** The Powertools tracer of the traced functions (admin, worker, scheduler); the agent function is untraced. */
export const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'tether' });
