import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Properties of {@link HubAlarms}. */
export interface HubAlarmsProps {
  /** The work queue's dead-letter queue: any message there is a lifecycle step that gave up. */
  readonly deadLetterQueue: IQueue;
  /** Functions to watch, keyed by a short name used in construct ids and descriptions. */
  readonly functions: Record<string, IFunction>;
  /** Where alarm and recovery notifications go. Without it the alarms only show in CloudWatch. */
  readonly alarmTopic?: ITopic;
}

/**
 * The hub's CloudWatch alarms: dead-letter queue depth, and errors and throttles of each function.
 * Every alarm fires on the first occurrence, because each one means a step, a poll or an admin
 * call was lost or refused; quiet periods are not breaching.
 */
export class HubAlarms extends Construct {
  /** All alarms created, in a stable order (DLQ first, then errors and throttles per function). */
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: HubAlarmsProps) {
    super(scope, id);
    this.add(
      'DeadLetterQueueDepth',
      props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: 'Maximum',
      }),
      'Tether: lifecycle steps reached the dead-letter queue (a step failed 5 times). Inspect and redrive them.',
      props.alarmTopic,
    );
    for (const [name, fn] of Object.entries(props.functions)) {
      this.add(
        `${name}Errors`,
        fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        `Tether: the ${name} function reported invocation errors.`,
        props.alarmTopic,
      );
      this.add(
        `${name}Throttles`,
        fn.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }),
        `Tether: the ${name} function was throttled (account or reserved concurrency exhausted).`,
        props.alarmTopic,
      );
    }
  }

  private add(id: string, metric: IMetric, description: string, topic: ITopic | undefined): void {
    const alarm = new Alarm(this, id, {
      metric,
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    if (topic) {
      const action = new SnsAction(topic);
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
    this.alarms.push(alarm);
  }
}
