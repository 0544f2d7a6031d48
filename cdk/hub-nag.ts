import { Validations } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { NodeRuntime } from './tether-function.js';

/** Why a function has no dead-letter queue or on-failure destination, per function. */
const NO_DLQ_REASON: Record<'Admin' | 'Agent' | 'Worker' | 'Scheduler', string> = {
  Admin: 'Invoked synchronously by API Gateway: the caller gets the error; a DLQ only applies to asynchronous invocations.',
  Agent:
    'Invoked synchronously (API Gateway or its Function URL): the agent gets the error and polls again; a DLQ only applies to asynchronous invocations.',
  Worker:
    'Invoked by its SQS event source, not asynchronously: a failed step returns to the work queue, whose redrive policy moves it to the alarmed DLQ.',
  Scheduler:
    'A failed tick is deliberately dropped (retryAttempts 0, max event age 60 s): the next tick a minute later redoes its work, so a kept tick would only replay stale work. SchedulerFailures alarms on repeated failures.',
};

/**
 * The acknowledgements every hub function needs, next to the function: DLQs (see above), the
 * runtime rules when it runs nodejs22.x (the supported LTS the project targets; `runtime:
 * 'nodejs24.x'` satisfies them), the agent function's tracing (off by choice, per poll), and the
 * KMS wildcards of DynamoDB's customer-managed-key grant.
 */
export function acknowledgeFunction(fn: IFunction, name: keyof typeof NO_DLQ_REASON, opts: { runtime: NodeRuntime; kms: boolean }): void {
  const v = Validations.of(fn);
  v.acknowledge({ id: 'Serverless-LambdaDLQ', reason: NO_DLQ_REASON[name] });
  if (opts.runtime === 'nodejs22.x') {
    const reason =
      'nodejs22.x is the LTS line the project builds, tests and bundles for (engines >=22.12); the runtime prop allows nodejs24.x.';
    v.acknowledge({ id: 'AwsSolutions-L1', reason });
    v.acknowledge({ id: 'Serverless-LambdaLatestVersion', reason });
  }
  if (name === 'Agent') {
    v.acknowledge({
      id: 'Serverless-LambdaTracing',
      reason:
        'X-Ray on the agent function bills a trace per sampled poll across the whole fleet; it is off by default and agentFunction.tracing turns it on for debugging.',
    });
  }
  if (opts.kms && fn.role) {
    for (const action of ['kms:GenerateDataKey*', 'kms:ReEncrypt*']) {
      Validations.of(fn.role).acknowledge({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason:
          "DynamoDB encrypts with the table's customer-managed key on the caller's behalf and needs these key actions; they are granted on that one key only.",
      });
    }
  }
}
