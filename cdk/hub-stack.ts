import { CfnOutput, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { TETHER_VERSION } from '../shared/version.js';
import { TetherHub, type AgentEndpoint, type AgentFunctionOptions, type AgentLogLevel, type TetherStage } from './tether-hub.js';
import type { NodeRuntime } from './tether-function.js';

/** Agent image repository used when the `agentImage` context value is not given. */
export const DEFAULT_AGENT_IMAGE = 'ghcr.io/tether-dev/tether-agent';

/** Settings of a {@link HubStack}; each can also come from CDK context (`-c name=value`). */
export interface HubStackProps extends StackProps {
  /** Context `stage`. @default 'dev' */
  readonly stage?: TetherStage;
  /** Context `agentImage`. @default {@link DEFAULT_AGENT_IMAGE} */
  readonly agentImage?: string;
  /** Context `agentVersion`. @default the version in package.json */
  readonly agentVersion?: string;
  /** Context `agentEndpoint`. @default 'HttpApi' */
  readonly agentEndpoint?: AgentEndpoint;
  /** Context `hubUrl`. */
  readonly hubUrl?: string;
  /** Context `pollIntervalSeconds`. */
  readonly pollIntervalSeconds?: number;
  /** Context `heartbeatFlushSeconds`. @default 10 */
  readonly heartbeatFlushSeconds?: number;
  /** Context `alarmEmail`: subscribe this address to a new alarm topic. */
  readonly alarmEmail?: string;
  /**
   * Context `agentTracing` (`true`/`false`), `agentLogLevel` and `agentMemorySize` (MB): the agent
   * function's {@link AgentFunctionOptions}. @default no tracing, INFO, 256 MB
   */
  readonly agentFunction?: AgentFunctionOptions;
  /** Context `runtime`: `nodejs22.x` or `nodejs24.x`. @default 'nodejs22.x' */
  readonly runtime?: NodeRuntime;
  /** Context `existingTableName`: run on this existing table (e.g. restored) instead of creating one. */
  readonly existingTableName?: string;
  /** Context `tableName`: physical name of a new table (recommended in prod, see docs/deploy.md). */
  readonly tableName?: string;
  /** Context `reservedConcurrency=false`: reserve no concurrency (accounts with a small quota). */
  readonly reservedConcurrency?: false;
  /** Context `logRetentionDays`: retention of the functions' log groups, days (a CloudWatch Logs value). */
  readonly logRetentionDays?: number;
  /** Context `webAclArn`: AWS WAF web ACL (CLOUDFRONT scope) in front of both endpoints. */
  readonly webAclArn?: string;
}

/**
 * The stand-alone deployment of Tether: one {@link TetherHub} plus the outputs an operator needs
 * (ApiUrl, AgentUrl, TableName, QueueUrl). Explicit props win over CDK context values.
 */
export class HubStack extends Stack {
  /** The hub inside this stack. */
  readonly hub: TetherHub;

  constructor(scope: Construct, id: string, props: HubStackProps = {}) {
    super(scope, id, props);
    const ctx = (name: string): string | undefined => {
      const value: unknown = this.node.tryGetContext(name);
      return value === undefined || value === null || value === '' ? undefined : String(value);
    };
    const poll = props.pollIntervalSeconds ?? ctx('pollIntervalSeconds');
    const flush = props.heartbeatFlushSeconds ?? ctx('heartbeatFlushSeconds');
    const alarmEmail = props.alarmEmail ?? ctx('alarmEmail');
    // enforceSSL: the topic's policy refuses publishing and subscribing over plain HTTP.
    const alarmTopic = alarmEmail === undefined ? undefined : new Topic(this, 'AlarmTopic', { enforceSSL: true });
    if (alarmTopic && alarmEmail) {
      const subscription = alarmTopic.addSubscription(new EmailSubscription(alarmEmail));
      Validations.of(subscription).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason:
          'An e-mail to the on-call address that SNS cannot deliver has no consumer to redrive to; the alarm itself stays in ALARM in CloudWatch.',
      });
    }
    const existingTableName = props.existingTableName ?? ctx('existingTableName');
    const tableName = props.tableName ?? ctx('tableName');
    const retention = props.logRetentionDays ?? parseNumber(ctx('logRetentionDays'));

    this.hub = new TetherHub(this, 'Hub', {
      stage: props.stage ?? ((ctx('stage') ?? 'dev') as TetherStage),
      agentImage: props.agentImage ?? ctx('agentImage') ?? DEFAULT_AGENT_IMAGE,
      // The agent ships in lockstep with the hub, so the hub's own version is the sensible default.
      agentVersion: props.agentVersion ?? ctx('agentVersion') ?? TETHER_VERSION,
      agentEndpoint: props.agentEndpoint ?? (ctx('agentEndpoint') as AgentEndpoint | undefined),
      hubUrl: props.hubUrl ?? ctx('hubUrl'),
      pollIntervalSeconds: poll === undefined ? undefined : Number(poll),
      heartbeatFlushSeconds: flush === undefined ? undefined : Number(flush),
      alarmTopic,
      agentFunction: props.agentFunction ?? {
        tracing: parseFlag(ctx('agentTracing')),
        logLevel: ctx('agentLogLevel')?.toUpperCase() as AgentLogLevel | undefined,
        memorySize: parseNumber(ctx('agentMemorySize')),
      },
      runtime: props.runtime ?? (ctx('runtime') as NodeRuntime | undefined),
      ...((existingTableName ?? tableName) !== undefined && { table: { existingTableName, tableName } }),
      ...((props.reservedConcurrency === false || ctx('reservedConcurrency') === 'false') && { reservedConcurrency: false }),
      logRetention: retention as RetentionDays | undefined,
      webAclArn: props.webAclArn ?? ctx('webAclArn'),
    });

    new CfnOutput(this, 'ApiUrl', { value: this.hub.apiUrl, description: 'Admin API and console' });
    new CfnOutput(this, 'AgentUrl', { value: this.hub.agentUrl, description: 'Base URL agents poll' });
    new CfnOutput(this, 'TableName', { value: this.hub.table.tableName, description: 'For `tether admin create-token --table`' });
    new CfnOutput(this, 'QueueUrl', { value: this.hub.queue.queueUrl });
  }
}

/** A number from context; anything else is passed on for TetherHub to reject by name. */
function parseNumber(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isNaN(n) ? (value as unknown as number) : n;
}

/** `true`/`false` from context; anything else is passed on for TetherHub to reject by name. */
function parseFlag(value: string | undefined): boolean | undefined {
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value as unknown as boolean | undefined;
}
