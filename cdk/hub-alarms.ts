import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, Metric, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Operation, type ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IRule } from 'aws-cdk-lib/aws-events';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** Requests and error counts of one HTTP endpoint (an API stage, a route, a Function URL). */
export interface EndpointMetrics {
  readonly requests: IMetric;
  readonly clientErrors: IMetric;
  readonly serverErrors: IMetric;
}

/** Properties of {@link HubAlarms}. */
export interface HubAlarmsProps {
  /** The work queue: the age of its oldest step says the worker is falling behind. */
  readonly queue: IQueue;
  /** The work queue's dead-letter queue: any message there is a lifecycle step that gave up. */
  readonly deadLetterQueue: IQueue;
  readonly table: ITableV2;
  /** Functions whose error and throttle rates are watched, keyed by a short name. */
  readonly functions: Record<string, IFunction>;
  /** The scheduler: its failures are counted in ticks, not as a rate. */
  readonly scheduler: IFunction;
  /** The scheduler's rule: EventBridge counts the ticks it could not deliver. */
  readonly schedulerRule: IRule;
  /** The admin API and console (the HTTP API stage). */
  readonly api: EndpointMetrics;
  /** The agent endpoint (the `/agent` route, or the Function URL). */
  readonly agent: EndpointMetrics;
  /** Where alarm and recovery notifications go. Without it the alarms only show in CloudWatch. */
  readonly alarmTopic?: ITopic;
}

/** Period of every rate alarm; three periods in a row must breach. */
const PERIOD = Duration.minutes(5);
/** Fewer requests than this in a period count as a zero rate: a handful of errors at night is no page. */
const MIN_REQUESTS = 20;

/**
 * The hub's CloudWatch alarms. They page on what needs a person: error RATES of the endpoints and
 * functions (sustained over 15 minutes, and only with enough traffic to mean something), the age of
 * the oldest queued step, steps in the dead-letter queue, DynamoDB throttles and system errors,
 * and scheduler ticks that failed or were never delivered. A single failed poll in a fleet of
 * 10,000 clusters is not a page; it is in the logs.
 */
export class HubAlarms extends Construct {
  /** All alarms, in a stable order. */
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: HubAlarmsProps) {
    super(scope, id);
    const topic = props.alarmTopic;
    this.add('DeadLetterQueueDepth', topic, {
      metric: props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      threshold: 0,
      evaluationPeriods: 1,
      alarmDescription: 'Tether: lifecycle steps reached the dead-letter queue (a step failed 5 times). Inspect and redrive them.',
    });
    this.add('WorkQueueAge', topic, {
      metric: props.queue.metricApproximateAgeOfOldestMessage({ period: PERIOD, statistic: 'Maximum' }),
      threshold: 300,
      evaluationPeriods: 3,
      alarmDescription: 'Tether: the oldest lifecycle step has waited over 5 minutes for 15 minutes: the worker is failing or throttled.',
    });
    this.rate('ApiServerErrorRate', topic, props.api.serverErrors, props.api.requests, 1, 'admin API and console answered 5xx');
    this.rate('AgentServerErrorRate', topic, props.agent.serverErrors, props.agent.requests, 1, 'agent endpoint answered 5xx');
    // Agents in good standing get 200/304; 4xx are refused credentials, bad bodies or throttling.
    this.rate('AgentClientErrorRate', topic, props.agent.clientErrors, props.agent.requests, 10, 'agent endpoint answered 4xx');
    for (const [name, fn] of Object.entries(props.functions)) {
      const invocations = fn.metricInvocations({ period: PERIOD, statistic: 'Sum' });
      this.rate(`${name}ErrorRate`, topic, fn.metricErrors({ period: PERIOD }), invocations, 1, `${name} function crashed or timed out`);
      this.rate(`${name}ThrottleRate`, topic, fn.metricThrottles({ period: PERIOD }), invocations, 1, `${name} function was throttled`);
    }
    this.add('SchedulerFailures', topic, {
      metric: props.scheduler.metricErrors({ period: PERIOD, statistic: 'Sum' }),
      threshold: 2,
      evaluationPeriods: 1,
      alarmDescription: 'Tether: 3 or more of the last 5 scheduler ticks failed (leases, rollout waves and timers are late).',
    });
    this.add('SchedulerTicksUndelivered', topic, {
      metric: new Metric({
        namespace: 'AWS/Events',
        metricName: 'FailedInvocations',
        dimensionsMap: { RuleName: props.schedulerRule.ruleName },
        period: PERIOD,
        statistic: 'Sum',
      }),
      threshold: 1,
      evaluationPeriods: 1,
      alarmDescription: 'Tether: EventBridge could not deliver 2 or more scheduler ticks in 5 minutes.',
    });
    // CloudWatch bills an alarm per metric it reads, so these read few: the table's read and write
    // throttle events (all operations; a throttled index also throttles the table's writes), and system
    // errors of the operations every path uses.
    this.add('TableThrottles', topic, {
      metric: new MathExpression({
        expression: 'FILL(reads, 0) + FILL(writes, 0)',
        usingMetrics: {
          reads: props.table.metric('ReadThrottleEvents', { period: PERIOD, statistic: 'Sum' }),
          writes: props.table.metric('WriteThrottleEvents', { period: PERIOD, statistic: 'Sum' }),
        },
        period: PERIOD,
        label: 'TableThrottles',
      }),
      threshold: 50,
      evaluationPeriods: 2,
      alarmDescription: 'Tether: DynamoDB throttled over 50 requests in each of 10 minutes (the SDK retries, but callers see 503s).',
    });
    const operations = [Operation.GET_ITEM, Operation.PUT_ITEM, Operation.UPDATE_ITEM, Operation.QUERY];
    this.add('TableSystemErrors', topic, {
      metric: props.table.metricSystemErrorsForOperations({ operations, period: PERIOD }),
      threshold: 10,
      evaluationPeriods: 2,
      alarmDescription: 'Tether: DynamoDB answered over 10 internal errors in each of 10 minutes.',
    });
  }

  /** An alarm on `100 * errors / requests` above `percent`, three periods in a row. */
  private rate(id: string, topic: ITopic | undefined, errors: IMetric, requests: IMetric, percent: number, what: string): void {
    this.add(id, topic, {
      metric: new MathExpression({
        expression: `IF(requests >= ${MIN_REQUESTS}, 100 * FILL(errors, 0) / requests, 0)`,
        usingMetrics: { errors, requests },
        period: PERIOD,
        label: `${id} (%)`,
      }),
      threshold: percent,
      evaluationPeriods: 3,
      alarmDescription: `Tether: the ${what} for over ${percent}% of requests, 15 minutes in a row.`,
    });
  }

  private add(
    id: string,
    topic: ITopic | undefined,
    props: { metric: IMetric; threshold: number; evaluationPeriods: number; alarmDescription: string },
  ): void {
    const alarm = new Alarm(this, id, {
      ...props,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    if (topic) {
      const action = new SnsAction(topic);
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
    this.alarms.push(alarm);
  }
}
