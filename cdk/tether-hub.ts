import { Duration, Fn, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { HttpApi, HttpMethod, HttpStage, LogGroupLogDestination, type CfnStage, type HttpRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Key, type IKey } from 'aws-cdk-lib/aws-kms';
import { FunctionUrlAuthType, type FunctionUrl, type SystemLogLevel } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { fileURLToPath } from 'node:url';
import { AGENT_FUNCTION_MEMORY_MB } from './function-defaults.js';
import { acknowledgeXray, grantHubAccess } from './hub-access.js';
import { HubAlarms, type EndpointMetrics } from './hub-alarms.js';
import { HubEdge } from './hub-edge.js';
import { acknowledgeFunction } from './hub-nag.js';
import { DEFAULT_RESERVED_CONCURRENCY, DEFAULT_ROUTE_THROTTLES, oidcEnvironment, validateProps, type TetherHubProps } from './hub-props.js';
import { HubTable } from './hub-table.js';
import { TetherFunction } from './tether-function.js';

export * from './hub-props.js';

/** Worker timeout; the queue's visibility timeout is six times this, as AWS advises for SQS sources. */
const WORKER_TIMEOUT = Duration.seconds(60);

/**
 * What an incident needs from each request, as one JSON line (never a header, so no credential):
 * who (source IP, user agent), what (method, route, path), when, the outcome (status, sizes,
 * latencies, integration errors) and the request id the functions' logs also carry.
 */
export const ACCESS_LOG_FIELDS: Record<string, string> = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  httpMethod: '$context.httpMethod',
  routeKey: '$context.routeKey',
  path: '$context.path',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationStatus: '$context.integrationStatus',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  error: '$context.error.message',
  domainName: '$context.domainName',
};

/** Route keys of the console and the public documents (one throttle bucket). */
const CONSOLE_ROUTES: Array<[HttpMethod, string]> = [
  [HttpMethod.GET, '/healthz'],
  [HttpMethod.GET, '/openapi.json'],
  [HttpMethod.GET, '/'],
  [HttpMethod.GET, '/console'],
  [HttpMethod.GET, '/console/{proxy+}'],
];
const ADMIN_ROUTE: [HttpMethod, string] = [HttpMethod.ANY, '/v1/{proxy+}'];
const AGENT_ROUTE: [HttpMethod, string] = [HttpMethod.ANY, '/agent/{proxy+}'];

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
  /** The single table (pk/sk, TTL, sparse gsi1 and gsi2): created, or the existing one given. */
  readonly table: ITableV2;
  /** Lifecycle steps for the worker. */
  readonly queue: Queue;
  /** Steps that failed five times land here; its depth is alarmed. */
  readonly deadLetterQueue: Queue;
  /** The HTTP API: admin routes, console, and the agent routes in the `HttpApi` profile. */
  readonly httpApi: HttpApi;
  /** The HTTP API's `$default` stage (throttles, access logs). */
  readonly stage: HttpStage;
  /** The stage's JSON access log. */
  readonly accessLogGroup: LogGroup;
  readonly adminFunction: TetherFunction;
  readonly agentFunction: TetherFunction;
  readonly workerFunction: TetherFunction;
  readonly schedulerFunction: TetherFunction;
  /** The agent function's URL in the `FunctionUrl` profile. */
  readonly functionUrl?: FunctionUrl;
  /** Custom domains and CloudFront distributions, when `domain` or `webAclArn` is given. */
  readonly edge?: HubEdge;
  /** The table and its backup plan. */
  readonly tableResources: HubTable;
  /** The KMS key of resource sync's envelope encryption (yours from `syncKey`, or one made here). */
  readonly syncKey: IKey;
  /** Base URL of the admin API and console, without a trailing slash. */
  readonly apiUrl: string;
  /** Base URL agents poll, without a trailing slash: the Function URL or {@link apiUrl}. */
  readonly agentUrl: string;
  /** The alarms (rates, queue age, DLQ, DynamoDB, scheduler). */
  readonly alarms: HubAlarms;

  constructor(scope: Construct, id: string, props: TetherHubProps) {
    super(scope, id);
    validateProps(props);
    const agentEndpoint = props.agentEndpoint ?? 'HttpApi';
    const prod = props.stage === 'prod';
    const removalPolicy = prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const projectRoot = props.projectRoot ?? fileURLToPath(new URL('..', import.meta.url));
    const reserved = props.reservedConcurrency === false ? undefined : { ...DEFAULT_RESERVED_CONCURRENCY, ...props.reservedConcurrency };

    this.tableResources = new HubTable(this, 'TableResources', { ...props.table, prod });
    this.table = this.tableResources.table;

    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      removalPolicy,
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason: 'This is the dead-letter queue itself: the end of the line, watched by the DeadLetterQueueDepth alarm.',
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
      ...(props.complianceRetentionDays !== undefined && {
        TETHER_COMPLIANCE_RETENTION_DAYS: String(props.complianceRetentionDays),
      }),
      ...(props.auditRetentionDays !== undefined && {
        TETHER_AUDIT_RETENTION_DAYS: String(props.auditRetentionDays),
      }),
    };
    const common = {
      projectRoot,
      environment,
      logLevel: props.logLevel,
      logRemovalPolicy: removalPolicy,
      logRetention: props.logRetention,
      runtime: props.runtime,
    };
    this.adminFunction = new TetherFunction(this, 'Admin', {
      ...common,
      entry: 'lambdas/handlers/admin.ts',
      // The web console is served by the admin function (see lambdas/capabilities/console/admin-routes.ts).
      assetDirs: ['console/dist'],
      serviceName: 'tether-admin',
      timeout: Duration.seconds(29), // API Gateway's integration limit
      reservedConcurrency: reserved?.admin,
    });
    // Only the admin API verifies ID tokens: the agent API never accepts an admin identity.
    for (const [name, value] of Object.entries(oidcEnvironment(props.oidc))) this.adminFunction.addEnvironment(name, value);
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
      reservedConcurrency: reserved?.agent,
    });
    this.workerFunction = new TetherFunction(this, 'Worker', {
      ...common,
      entry: 'lambdas/handlers/worker.ts',
      serviceName: 'tether-worker',
      timeout: WORKER_TIMEOUT,
      reservedConcurrency: reserved?.worker,
    });
    this.schedulerFunction = new TetherFunction(this, 'Scheduler', {
      ...common,
      entry: 'lambdas/handlers/scheduler.ts',
      serviceName: 'tether-scheduler',
      timeout: Duration.seconds(55), // finish before the next tick starts
      reservedConcurrency: reserved?.scheduler,
    });

    // Resource sync seals Secret data under data keys this key wraps. Only the agent function seals
    // (a source's report) and opens (a destination's desired state); no other function may use it.
    this.syncKey =
      props.syncKey ??
      new Key(this, 'SyncKey', {
        description: 'Tether resource sync: wraps the data keys of synced Secret data',
        enableKeyRotation: true,
        removalPolicy,
      });
    this.syncKey.grant(this.agentFunction, 'kms:GenerateDataKey', 'kms:Decrypt');
    this.agentFunction.addEnvironment('TETHER_SYNC_KEY_ID', this.syncKey.keyArn);

    const functions = {
      Admin: this.adminFunction,
      Agent: this.agentFunction,
      Worker: this.workerFunction,
      Scheduler: this.schedulerFunction,
    };
    grantHubAccess(this.table, this.queue, functions);
    for (const [name, fn] of Object.entries(functions)) {
      acknowledgeFunction(fn, name as keyof typeof functions, { runtime: props.runtime ?? 'nodejs22.x', kms: !!this.table.encryptionKey });
      if (name !== 'Agent' || agentOptions.tracing) acknowledgeXray(fn);
    }
    // The event source grants the worker receive/delete/visibility on the queue, nothing more.
    // maxConcurrency stays within the reserved concurrency, so the poller never picks up messages
    // that Lambda would throttle (they would come back later and count towards the DLQ).
    const workerSource = new SqsEventSource(this.queue, {
      batchSize: 10,
      maxBatchingWindow: Duration.seconds(1),
      reportBatchItemFailures: true,
      maxConcurrency: props.workerMaxConcurrency ?? Math.min(1000, Math.max(2, reserved?.worker ?? 20)),
    });
    this.workerFunction.addEventSource(workerSource);
    Validations.of(this.workerFunction).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason:
        "On-failure destinations are for stream sources; an SQS source's failures go to the queue's own redrive policy (5 receives, then the alarmed DLQ).",
    });

    // A missed tick is covered by the next one a minute later, so a failed tick is never retried:
    // not by EventBridge (retryAttempts 0) and not by Lambda's own async retries (2 by default, for
    // up to 6 hours), which are switched off here.
    this.schedulerFunction.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: Duration.minutes(1) });
    Validations.of(this.schedulerFunction).acknowledge({
      id: 'Serverless-LambdaAsyncFailureDestination',
      reason:
        'A failed tick is dropped on purpose (the next tick redoes its work); SchedulerFailures and SchedulerTicksUndelivered alarm on repeats.',
    });
    const tick = new Rule(this, 'SchedulerTick', {
      description: 'Tether scheduler tick: lease expiry, rollout waves, maintenance windows',
      schedule: Schedule.rate(Duration.minutes(1)),
      targets: [new LambdaFunction(this.schedulerFunction, { retryAttempts: 0, maxEventAge: Duration.minutes(1) })],
    });
    Validations.of(tick).acknowledge({
      id: 'Serverless-EventBusDLQ',
      reason:
        'A tick that could not be delivered is superseded by the next one a minute later; keeping it would only replay stale work. The SchedulerTicksUndelivered alarm counts them.',
    });

    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'Tether hub: admin API, console and agent API',
      createDefaultStage: false,
    });
    this.accessLogGroup = new LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? RetentionDays.THREE_MONTHS,
      removalPolicy,
    });
    // HttpApi has no throttle option for its auto-created stage, so the $default stage is explicit.
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle ?? { rateLimit: 1000, burstLimit: 2000 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogGroup),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
    const throttles = { ...DEFAULT_ROUTE_THROTTLES, ...props.routeThrottles };
    const admin = new HttpLambdaIntegration('AdminIntegration', this.adminFunction);
    const routes: Array<{ route: HttpRoute; key: string; group: keyof typeof throttles }> = [];
    const addRoute = ([method, path]: [HttpMethod, string], integration: HttpLambdaIntegration, group: keyof typeof throttles) => {
      for (const route of this.httpApi.addRoutes({ path, methods: [method], integration })) {
        routes.push({ route, key: `${method} ${path}`, group });
        Validations.of(route).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            group === 'console'
              ? 'Public by design: the console shell, health check and OpenAPI document carry no data; the console calls /v1 with a bearer token.'
              : 'The handler authenticates a bearer token on every request (admin tokens on /v1, cluster credentials on /agent) before it reads the body; agents have no AWS credentials for an IAM authorizer.',
        });
      }
    };
    for (const route of CONSOLE_ROUTES) addRoute(route, admin, 'console');
    addRoute(ADMIN_ROUTE, admin, 'admin');

    let agentMetrics: EndpointMetrics;
    if (agentEndpoint === 'FunctionUrl') {
      this.functionUrl = this.agentFunction.addFunctionUrl({ authType: FunctionUrlAuthType.NONE });
      // The URL attribute ends with '/'; keep only the origin so both profiles look alike.
      this.agentUrl = `https://${Fn.select(2, Fn.split('/', this.functionUrl.url))}`;
      const urlMetric = (metricName: string) =>
        new Metric({
          namespace: 'AWS/Lambda',
          metricName,
          dimensionsMap: { FunctionName: this.agentFunction.functionName },
          statistic: 'Sum',
        });
      agentMetrics = {
        requests: urlMetric('UrlRequestCount'),
        clientErrors: urlMetric('Url4xxCount'),
        serverErrors: urlMetric('Url5xxCount'),
      };
    } else {
      addRoute(AGENT_ROUTE, new HttpLambdaIntegration('AgentIntegration', this.agentFunction), 'agent');
      this.agentUrl = this.httpApi.apiEndpoint;
      // Route-level metrics exist only with detailed metrics, which the route settings turn on.
      const routeMetric = (metricName: string) =>
        new Metric({
          namespace: 'AWS/ApiGateway',
          metricName,
          dimensionsMap: { ApiId: this.httpApi.apiId, Stage: '$default', Method: AGENT_ROUTE[0], Resource: AGENT_ROUTE[1] },
          statistic: 'Sum',
        });
      agentMetrics = { requests: routeMetric('Count'), clientErrors: routeMetric('4xx'), serverErrors: routeMetric('5xx') };
    }
    // One token bucket per route: a flood of agents cannot use up the admins' or the console's share.
    const cfnStage = this.stage.node.defaultChild as CfnStage;
    cfnStage.routeSettings = Object.fromEntries(
      routes.map(({ key, group }) => [
        key,
        // RouteSettings is a JSON map in CloudFormation: its keys are written as CloudFormation spells them.
        {
          ThrottlingRateLimit: throttles[group].rateLimit,
          ThrottlingBurstLimit: throttles[group].burstLimit,
          ...(group === 'agent' && { DetailedMetricsEnabled: true }),
        },
      ]),
    );
    // Route settings name routes by key: the stage must be created after them.
    for (const { route } of routes) this.stage.node.addDependency(route);

    if (props.domain || props.webAclArn) {
      this.edge = new HubEdge(this, 'Edge', {
        httpApi: this.httpApi,
        stage: this.stage,
        functionUrl: this.functionUrl,
        domain: props.domain,
        webAclArn: props.webAclArn,
      });
    }
    this.apiUrl = this.edge?.apiUrl ?? this.httpApi.apiEndpoint;
    if (agentEndpoint === 'HttpApi') this.agentUrl = this.apiUrl;
    else if (this.edge?.agentUrl) this.agentUrl = this.edge.agentUrl;
    // Import manifests must send agents to the Function URL (or its domain), not to the HTTP API.
    // Only the admin function needs it; giving it to the agent function would make it depend on its own URL.
    if (agentEndpoint === 'FunctionUrl') this.adminFunction.addEnvironment('TETHER_AGENT_URL', this.agentUrl);
    // Behind CloudFront the admin function sees the origin's Host, not the public name, so it
    // cannot derive the hub's URL from the request: tell it (unless hubUrl already does).
    else if (this.edge?.apiUrl !== undefined && props.hubUrl === undefined)
      this.adminFunction.addEnvironment('TETHER_HUB_URL', this.apiUrl);

    this.alarms = new HubAlarms(this, 'Alarms', {
      queue: this.queue,
      deadLetterQueue: this.deadLetterQueue,
      table: this.table,
      functions: { Admin: this.adminFunction, Agent: this.agentFunction, Worker: this.workerFunction },
      scheduler: this.schedulerFunction,
      schedulerRule: tick,
      api: {
        requests: this.stage.metricCount({ statistic: 'Sum' }),
        clientErrors: this.stage.metricClientError({ statistic: 'Sum' }),
        serverErrors: this.stage.metricServerError({ statistic: 'Sum' }),
      },
      agent: agentMetrics,
      alarmTopic: props.alarmTopic,
    });
  }
}
