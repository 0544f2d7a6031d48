/**
 * Shared set-up of the infrastructure tests: the context every app gets (the feature flags of
 * cdk.json, which `npm run synth` and `cdk deploy` use, so the templates tested are the deployed
 * ones) and apps that skip bundling, for tests that read templates but not function code.
 */
import { App } from 'aws-cdk-lib';
import { readFileSync } from 'node:fs';

/** The `context` block of cdk.json. */
export const CDK_JSON_CONTEXT = (
  JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as { context: Record<string, unknown> }
).context;

/**
 * The hub's alarms: DLQ depth, queue age, API 5xx rate, agent 5xx and 4xx rates, error and
 * throttle rates of admin, agent and worker, scheduler failures, undelivered ticks, DynamoDB
 * throttles and system errors.
 */
export const ALARM_COUNT = 15;

/** An app with cdk.json's flags that bundles no function (`aws:cdk:bundling-stacks` empty). */
export function unbundledApp(context: Record<string, unknown> = {}): App {
  return new App({ context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [], ...context } });
}
