import { Duration, Fn, RemovalPolicy } from 'aws-cdk-lib';
import { HttpApi, HttpMethod, HttpStage, type ThrottleSettings } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { AttributeType, Billing, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { FunctionUrlAuthType, SystemLogLevel } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import { MAX_HEARTBEAT_FLUSH_SECONDS } from '../lambdas/adapters/dynamodb/heartbeat-log.js';
import { TABLE } from '../lambdas/adapters/dynamodb/table.js';
import { ValidationError, type FieldError } from '../shared/errors.js';
import { AGENT_FUNCTION_MEMORY_MB } from './function-defaults.js';
import { HubAlarms } from './hub-alarms.js';
import { TetherFunction } from './tether-function.js';

/** Deployment stage: `dev` data is disposable, `prod` data is retained and deletion-protected. */
export type TetherStage = 'dev' | 'prod';

/**
 * How agents reach the hub. `HttpApi`: the `/agent/*` routes of the shared HTTP API.
 * `FunctionUrl`: a Lambda Function URL on the agent function (about a fifth of the per-request
 * price of an HTTP API; the agent still authenticates with its bearer credential in the handler).
 */
export type AgentEndpoint = 'HttpApi' | 'FunctionUrl';

/** Log levels the agent function accepts: the names Powertools and Lambda's log filtering share. */
export const AGENT_LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
/** A log level of the agent function. */
export type AgentLogLevel = (typeof AGENT_LOG_LEVELS)[number];

/** Levels of Lambda's own (platform) log lines. */
export const SYSTEM_LOG_LEVELS = ['DEBUG', 'INFO', 'WARN'] as const;

/**
 * Logging and tracing of the agent function. Every agent poll invokes it, so per-request extras
 * are multiplied by the whole fleet's poll rate: by default it has no X-Ray tracing and uses
 * Lambda's JSON log format without the START/END/REPORT lines. Turn them back on while debugging.
 */
export interface AgentFunctionOptions {
  /** X-Ray active tracing. The other functions are always traced. @default false */
  readonly tracing?: boolean;
  /**
   * Level of the handler's own log lines (Powertools and Lambda's application log level). At
   * `INFO` an ordinary poll or status report writes nothing; denials are logged at WARN, failures
   * at ERROR, and joins and credential rotations as INFO audit lines. `DEBUG` adds one line per
   * request (method, path, status, duration).
   * @default the hub's `logLevel`, else 'INFO'
   */
  readonly logLevel?: AgentLogLevel;
  /**
   * Level of Lambda's own lines. `WARN` drops START, END and REPORT (about 260 bytes per
   * invocation); `INFO` brings them back, with the REPORT line's duration and memory used.
   * @default 'WARN'
   */
  readonly systemLogLevel?: (typeof SYSTEM_LOG_LEVELS)[number];
  /**
   * Memory of the agent function, MB (128 to 10,240). Lambda bills memory × time and gives CPU in
   * proportion to memory, so for a handler that mostly waits on DynamoDB, less memory costs less.
   * The bundled handler holds about 70 MB after loading and under 100 MB after thousands of polls
   * (Node 20 here), which leaves room at 256 MB; 128 MB would be tight.
   * @default 256
   */
  readonly memorySize?: number;
}

/** Properties of {@link TetherHub}. */
export interface TetherHubProps {
  /** `dev` destroys the table and queues with the stack; `prod` retains them and protects the table. */
  readonly stage: TetherStage;
  /** Container image repository of the agent, e.g. `ghcr.io/acme/tether-agent`; goes into import manifests. */
  readonly agentImage: string;
  /** Agent version (image tag) new clusters get unless their spec asks for another. */
  readonly agentVersion: string;
  /**
   * Public base URL of the hub (for example a custom domain), written into import manifests.
   * When unset, the admin function derives it from the request. With the `FunctionUrl` profile the
   * admin function also gets `TETHER_AGENT_URL`, the Function URL that agents poll.
   */
  readonly hubUrl?: string;
  /** Poll interval the hub tells agents to use, in seconds (5 to 3600). @default the handler's default */
  readonly pollIntervalSeconds?: number;
  /**
   * How long an agent-function instance buffers heartbeats before it writes them, in seconds
   * (1 to 60). Longer means fewer, larger writes and a later Unknown: the interval is added to the
   * silence the sweep allows. @default 10
   */
  readonly heartbeatFlushSeconds?: number;
  /** SNS topic for alarm and OK notifications. */
  readonly alarmTopic?: ITopic;
  /** @default 'HttpApi' */
  readonly agentEndpoint?: AgentEndpoint;
  /** Default throttling of the HTTP API stage. @default 1000 requests/s, burst 2000 */
  readonly throttle?: ThrottleSettings;
  /** Powertools log level of all functions (the agent function's can be set apart). @default 'INFO' */
  readonly logLevel?: string;
  /** Tracing and logging of the agent function, the one every poll invokes. @default quiet: see {@link AgentFunctionOptions} */
  readonly agentFunction?: AgentFunctionOptions;
  /**
   * Directory holding `lambdas/handlers/*.ts` and `package-lock.json`.
   * @default the Tether checkout or package this construct was loaded from
   */
  readonly projectRoot?: string;
}

/** Worker timeout; the queue's visibility timeout is six times this, as AWS advises for SQS sources. */
const WORKER_TIMEOUT = Duration.seconds(60);

/**
 * The whole Tether hub as one construct, usable inside any stack: the single DynamoDB table, the
 * work queue and its dead-letter queue, the admin, agent, worker and scheduler functions, the HTTP
 * API, the one-minute schedule and the alarms. Outputs are left to the enclosing stack.
 *
 * @example
 * const hub = new TetherHub(this, 'Hub', {
 *   stage: 'prod', agentImage: 'ghcr.io/acme/tether-agent', agentVersion: '0.1.0',
 * });
 * new CfnOutput(this, 'ApiUrl', { value: hub.apiUrl });
 */
export class TetherHub extends Construct {
  /** The single table (pk/sk, TTL, sparse gsi1 and gsi2). */
  readonly table: TableV2;
  /** Lifecycle steps for the worker. */
  readonly queue: Queue;
  /** Steps that failed five times land here; its depth is alarmed. */
  readonly deadLetterQueue: Queue;
  /** The HTTP API: admin routes, console, and the agent routes in the `HttpApi` profile. */
  readonly httpApi: HttpApi;
  readonly adminFunction: TetherFunction;
  readonly agentFunction: TetherFunction;
  readonly workerFunction: TetherFunction;
  readonly schedulerFunction: TetherFunction;
  /** Base URL of the admin API and console, without a trailing slash. */
  readonly apiUrl: string;
  /** Base URL agents poll, without a trailing slash: the Function URL or {@link apiUrl}. */
  readonly agentUrl: string;
  /** The DLQ, error and throttle alarms. */
  readonly alarms: HubAlarms;

  constructor(scope: Construct, id: string, props: TetherHubProps) {
    super(scope, id);
    validateProps(props);
    const agentEndpoint = props.agentEndpoint ?? 'HttpApi';
    const prod = props.stage === 'prod';
    const removalPolicy = prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const projectRoot = props.projectRoot ?? fileURLToPath(new URL('..', import.meta.url));

    this.table = new TableV2(this, 'Table', {
      partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TABLE.ttlAttribute,
      deletionProtection: prod,
      removalPolicy,
      globalSecondaryIndexes: [
        {
          indexName: TABLE.gsi1.indexName,
          partitionKey: { name: TABLE.gsi1.partitionKey, type: AttributeType.STRING },
          sortKey: { name: TABLE.gsi1.sortKey, type: AttributeType.STRING },
        },
        // Added after gsi1: CloudFormation creates at most one GSI per table update, so an
        // existing stack gains it in one deploy; never add two here in the same change.
        {
          indexName: TABLE.gsi2.indexName,
          partitionKey: { name: TABLE.gsi2.partitionKey, type: AttributeType.STRING },
          sortKey: { name: TABLE.gsi2.sortKey, type: AttributeType.STRING },
        },
      ],
    });

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy,
    });
    this.queue = new Queue(this, 'WorkQueue', {
      visibilityTimeout: Duration.seconds(WORKER_TIMEOUT.toSeconds() * 6),
      retentionPeriod: Duration.days(4),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: 5 },
      removalPolicy,
    });

    const environment: Record<string, string> = {
      TETHER_TABLE: this.table.tableName,
      TETHER_QUEUE_URL: this.queue.queueUrl,
      TETHER_AGENT_IMAGE: props.agentImage,
      TETHER_AGENT_VERSION: props.agentVersion,
      ...(props.hubUrl !== undefined && { TETHER_HUB_URL: props.hubUrl }),
      ...(props.pollIntervalSeconds !== undefined && {
        TETHER_POLL_INTERVAL_SECONDS: String(props.pollIntervalSeconds),
      }),
      // Every function: the agent function flushes with it, the scheduler's sweep allows for it.
      ...(props.heartbeatFlushSeconds !== undefined && {
        TETHER_HEARTBEAT_FLUSH_SECONDS: String(props.heartbeatFlushSeconds),
      }),
    };
    const common = {
      projectRoot,
      environment,
      logLevel: props.logLevel,
      logRemovalPolicy: removalPolicy,
    };
    this.adminFunction = new TetherFunction(this, 'Admin', {
      ...common,
      entry: 'lambdas/handlers/admin.ts',
      // The web console is served by the admin function (see lambdas/capabilities/console/admin-routes.ts).
      assetDirs: ['console/dist'],
      serviceName: 'tether-admin',
      timeout: Duration.seconds(29), // API Gateway's integration limit
    });
    const agentOptions = props.agentFunction ?? {};
    this.agentFunction = new TetherFunction(this, 'Agent', {
      ...common,
      entry: 'lambdas/handlers/agent.ts',
      serviceName: 'tether-agent-api',
      timeout: Duration.seconds(10),
      memorySize: agentOptions.memorySize ?? AGENT_FUNCTION_MEMORY_MB,
      tracing: agentOptions.tracing ?? false,
      logLevel: agentOptions.logLevel ?? props.logLevel,
      jsonLogging: { systemLogLevel: (agentOptions.systemLogLevel ?? 'WARN').toUpperCase() as SystemLogLevel },
    });
    this.workerFunction = new TetherFunction(this, 'Worker', {
      ...common,
      entry: 'lambdas/handlers/worker.ts',
      serviceName: 'tether-worker',
      timeout: WORKER_TIMEOUT,
    });
    this.schedulerFunction = new TetherFunction(this, 'Scheduler', {
      ...common,
      entry: 'lambdas/handlers/scheduler.ts',
      serviceName: 'tether-scheduler',
      timeout: Duration.seconds(55), // finish before the next tick starts
    });

    const functions = {
      Admin: this.adminFunction,
      Agent: this.agentFunction,
      Worker: this.workerFunction,
      Scheduler: this.schedulerFunction,
    };
    for (const fn of Object.values(functions)) {
      this.table.grantReadWriteData(fn);
      this.queue.grantSendMessages(fn);
    }
    // The event source grants the worker receive/delete/visibility on the queue, nothing more.
    this.workerFunction.addEventSource(
      new SqsEventSource(this.queue, {
        batchSize: 10,
        maxBatchingWindow: Duration.seconds(1),
        reportBatchItemFailures: true,
      }),
    );

    new Rule(this, 'SchedulerTick', {
      description: 'Tether scheduler tick: lease expiry, rollout waves, maintenance windows',
      schedule: Schedule.rate(Duration.minutes(1)),
      // A missed tick is covered by the next one a minute later, so retrying only piles up work.
      targets: [new LambdaFunction(this.schedulerFunction, { retryAttempts: 0, maxEventAge: Duration.minutes(1) })],
    });

    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'Tether hub: admin API, console and agent API',
      createDefaultStage: false,
    });
    // HttpApi has no throttle option for its auto-created stage, so the $default stage is explicit.
    new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle ?? { rateLimit: 1000, burstLimit: 2000 },
    });
    const admin = new HttpLambdaIntegration('AdminIntegration', this.adminFunction);
    const adminRoutes: Array<[HttpMethod, string]> = [
      [HttpMethod.GET, '/healthz'],
      [HttpMethod.GET, '/openapi.json'],
      [HttpMethod.ANY, '/v1/{proxy+}'],
      [HttpMethod.GET, '/'],
      [HttpMethod.GET, '/console'],
      [HttpMethod.GET, '/console/{proxy+}'],
    ];
    for (const [method, path] of adminRoutes) {
      this.httpApi.addRoutes({ path, methods: [method], integration: admin });
    }
    this.apiUrl = this.httpApi.apiEndpoint;

    if (agentEndpoint === 'FunctionUrl') {
      const url = this.agentFunction.addFunctionUrl({ authType: FunctionUrlAuthType.NONE });
      // The URL attribute ends with '/'; keep only the origin so both profiles look alike.
      this.agentUrl = `https://${Fn.select(2, Fn.split('/', url.url))}`;
      // Import manifests must send agents to the Function URL, not to the HTTP API. Only the admin
      // function needs it; giving it to the agent function would make it depend on its own URL.
      this.adminFunction.addEnvironment('TETHER_AGENT_URL', this.agentUrl);
    } else {
      this.httpApi.addRoutes({
        path: '/agent/{proxy+}',
        methods: [HttpMethod.ANY],
        integration: new HttpLambdaIntegration('AgentIntegration', this.agentFunction),
      });
      this.agentUrl = this.apiUrl;
    }

    this.alarms = new HubAlarms(this, 'Alarms', {
      deadLetterQueue: this.deadLetterQueue,
      functions,
      alarmTopic: props.alarmTopic,
    });
  }
}

/** Props arrive from CDK context and plain JavaScript too, so check what the types cannot. */
function validateProps(props: TetherHubProps): void {
  const errors: FieldError[] = [];
  if (props.stage !== 'dev' && props.stage !== 'prod') {
    errors.push({ path: 'stage', message: `must be "dev" or "prod", got ${JSON.stringify(props.stage)}` });
  }
  const endpoint = props.agentEndpoint;
  if (endpoint !== undefined && endpoint !== 'HttpApi' && endpoint !== 'FunctionUrl') {
    errors.push({ path: 'agentEndpoint', message: `must be "HttpApi" or "FunctionUrl", got ${JSON.stringify(endpoint)}` });
  }
  if (!props.agentImage) errors.push({ path: 'agentImage', message: 'must not be empty' });
  if (!props.agentVersion) errors.push({ path: 'agentVersion', message: 'must not be empty' });
  const poll = props.pollIntervalSeconds;
  if (poll !== undefined && (!Number.isInteger(poll) || poll < 5 || poll > 3600)) {
    errors.push({ path: 'pollIntervalSeconds', message: `must be an integer from 5 to 3600, got ${poll}` });
  }
  const flush = props.heartbeatFlushSeconds;
  if (flush !== undefined && (!Number.isInteger(flush) || flush < 1 || flush > MAX_HEARTBEAT_FLUSH_SECONDS)) {
    errors.push({ path: 'heartbeatFlushSeconds', message: `must be an integer from 1 to ${MAX_HEARTBEAT_FLUSH_SECONDS}, got ${flush}` });
  }
  errors.push(...agentFunctionErrors(props));
  if (props.hubUrl !== undefined && !/^https?:\/\/[^/]+/.test(props.hubUrl)) {
    errors.push({ path: 'hubUrl', message: `must be an absolute http(s) URL, got ${JSON.stringify(props.hubUrl)}` });
  }
  if (errors.length > 0) {
    throw new ValidationError(`Invalid TetherHub properties: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, errors);
  }
}

function agentFunctionErrors(props: TetherHubProps): FieldError[] {
  const errors: FieldError[] = [];
  const options: AgentFunctionOptions = props.agentFunction ?? {};
  const oneOf = (path: string, value: unknown, allowed: readonly string[]) => {
    if (value !== undefined && !allowed.includes(String(value).toUpperCase())) {
      errors.push({ path, message: `must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}` });
    }
  };
  if (options.tracing !== undefined && typeof options.tracing !== 'boolean') {
    errors.push({ path: 'agentFunction.tracing', message: `must be true or false, got ${JSON.stringify(options.tracing)}` });
  }
  // The agent function also hands its level to Lambda's log filter, which knows fewer names.
  if (options.logLevel !== undefined) oneOf('agentFunction.logLevel', options.logLevel, AGENT_LOG_LEVELS);
  else oneOf('logLevel', props.logLevel, AGENT_LOG_LEVELS);
  oneOf('agentFunction.systemLogLevel', options.systemLogLevel, SYSTEM_LOG_LEVELS);
  const memory = options.memorySize;
  if (memory !== undefined && !(Number.isInteger(memory) && memory >= 128 && memory <= 10_240)) {
    errors.push({
      path: 'agentFunction.memorySize',
      message: `must be a whole number of MB from 128 to 10240, got ${JSON.stringify(memory)}`,
    });
  }
  return errors;
}
