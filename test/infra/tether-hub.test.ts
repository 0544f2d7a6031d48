/**
 * CDK assertions for the TetherHub construct and HubStack.
 *
 * Bundling runs the real esbuild on the real handlers while the stacks are built, so all stacks
 * live in ONE App built once in beforeAll: the default profile (dev, agents on the HTTP API, the
 * construct inside a plain Stack), the other one (HubStack from context: prod, Function URL,
 * alarm e-mail), and that same HubStack with the agent function's debugging context
 * (`agentTracing`, `agentLogLevel`). Every assertion reads those templates.
 */
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { App, Stack } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { build } from 'esbuild';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { HubStack } from '../../cdk/hub-stack.js';
import { TetherHub } from '../../cdk/tether-hub.js';
import { TABLE } from '../../lambdas/adapters/dynamodb/table.js';
import { ValidationError } from '../../shared/errors.js';
import { ITEM_ACTIONS } from '../../cdk/hub-access.js';
import { ALARM_COUNT, CDK_JSON_CONTEXT } from './hub-apps.js';
import {
  actionsOfRole,
  envOf,
  functionByService,
  functions,
  logicalId,
  routes,
  statementsOfRole,
  type Resource,
} from './template-queries.js';

jest.setTimeout(120_000);

const execFileAsync = promisify(execFile);

const SERVICES = ['tether-admin', 'tether-agent-api', 'tether-worker', 'tether-scheduler'];

let app: App;
let devStack: Stack;
let dev: Template;
let prod: Template;
let debug: Template;
let assemblyDir: string;

beforeAll(() => {
  app = new App({
    context: {
      ...CDK_JSON_CONTEXT,
      stage: 'prod',
      agentEndpoint: 'FunctionUrl',
      agentImage: 'registry.example.com/tether-agent',
      agentVersion: '1.2.3',
      pollIntervalSeconds: '30',
      heartbeatFlushSeconds: '20',
      alarmEmail: 'ops@example.com',
    },
  });
  devStack = new Stack(app, 'Dev');
  new TetherHub(devStack, 'Hub', { stage: 'dev', agentImage: 'ghcr.io/acme/agent', agentVersion: '0.9.0' });
  const prodStack = new HubStack(app, 'Prod');
  // Context set on a scope applies to the stacks below it, on top of the app's.
  const debugScope = new Construct(app, 'Debugging');
  debugScope.node.setContext('agentTracing', 'true');
  debugScope.node.setContext('agentLogLevel', 'debug');
  debugScope.node.setContext('agentMemorySize', '1024');
  const debugStack = new HubStack(debugScope, 'Debug');
  assemblyDir = app.synth().directory;
  dev = Template.fromStack(devStack);
  prod = Template.fromStack(prodStack);
  debug = Template.fromStack(debugStack);
});

afterAll(() => {
  rmSync(assemblyDir, { recursive: true, force: true });
});

describe('table', () => {
  it('is a TableV2 with pk/sk, on-demand billing, PITR, TTL and the sparse gsi1 and gsi2', () => {
    dev.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    dev.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [
        { AttributeName: TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE.sortKey, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'gsi1pk', AttributeType: 'S' },
        { AttributeName: 'gsi1sk', AttributeType: 'S' },
        { AttributeName: 'gsi2pk', AttributeType: 'S' },
        { AttributeName: 'gsi2sk', AttributeType: 'S' },
      ]),
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      GlobalSecondaryIndexes: [
        {
          IndexName: 'gsi1',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
        // The compliance history by policy. Added alone: CloudFormation creates one GSI per update.
        {
          IndexName: 'gsi2',
          KeySchema: [
            { AttributeName: 'gsi2pk', KeyType: 'HASH' },
            { AttributeName: 'gsi2sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
      Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
    });
  });

  it('dev: is destroyed with the stack and has no deletion protection', () => {
    dev.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
      Properties: Match.objectLike({ Replicas: [Match.objectLike({ DeletionProtectionEnabled: false })] }),
    });
  });

  it('prod: is retained and deletion-protected, and so are the queues', () => {
    prod.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({ Replicas: [Match.objectLike({ DeletionProtectionEnabled: true })] }),
    });
    const queues = Object.values(prod.findResources('AWS::SQS::Queue')) as Resource[];
    expect(queues).toHaveLength(2);
    for (const q of queues) expect(q.DeletionPolicy).toBe('Retain');
    for (const q of Object.values(dev.findResources('AWS::SQS::Queue')) as Resource[]) {
      expect(q.DeletionPolicy).toBe('Delete');
    }
  });
});

describe('queues', () => {
  it('the work queue redrives to the DLQ after 5 receives, both encrypted', () => {
    const dlqId = logicalId(dev, 'AWS::SQS::Queue', 'DeadLetterQueue');
    dev.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 5 },
      SqsManagedSseEnabled: true,
    });
    expect(dev.findResources('AWS::SQS::Queue')[dlqId].Properties.SqsManagedSseEnabled).toBe(true);
  });

  it('visibility timeout is at least six times the worker timeout', () => {
    const workQueueId = logicalId(dev, 'AWS::SQS::Queue', 'WorkQueue');
    const visibility = dev.findResources('AWS::SQS::Queue')[workQueueId].Properties.VisibilityTimeout as number;
    const [, worker] = functionByService(dev, 'tether-worker');
    expect(visibility).toBeGreaterThanOrEqual(6 * (worker.Properties.Timeout as number));
  });

  it('the queues refuse plain-HTTP access', () => {
    dev.resourceCountIs('AWS::SQS::QueuePolicy', 2);
    dev.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });
});

/** Lambda's JSON log format without platform lines, and Powertools at the same level as Lambda's filter. */
function expectJsonLogging(fn: Resource, level: string): void {
  expect(fn.Properties.LoggingConfig).toEqual({
    LogFormat: 'JSON',
    SystemLogLevel: 'WARN',
    ApplicationLogLevel: level,
    LogGroup: { Ref: expect.any(String) },
  });
  expect(envOf(fn).POWERTOOLS_LOG_LEVEL).toBe(level);
}

describe('functions', () => {
  it('there are four, one per service, each nodejs22.x on arm64 with a log group', () => {
    for (const t of [dev, prod, debug]) {
      const fns = functions(t);
      expect(fns).toHaveLength(4);
      const services = fns.map((f) => envOf(f).POWERTOOLS_SERVICE_NAME);
      expect(services.sort()).toEqual([...SERVICES].sort());
      for (const f of fns) {
        expect(f.Properties).toMatchObject({
          Runtime: 'nodejs22.x',
          Architectures: ['arm64'],
          Handler: 'index.handler',
          LoggingConfig: { LogGroup: { Ref: expect.any(String) } },
        });
      }
    }
    // Memory: 256 MB for the agent function every poll invokes (less memory, less billed time
    // while it waits on DynamoDB), 512 MB for the others; context agentMemorySize changes the first.
    for (const [t, agentMb] of [
      [dev, 256],
      [prod, 256],
      [debug, 1024],
    ] as const) {
      for (const f of functions(t))
        expect(f.Properties.MemorySize).toBe(envOf(f).POWERTOOLS_SERVICE_NAME === 'tether-agent-api' ? agentMb : 512);
    }
    // One per function (30 days by default, `logRetention`), and the API's access log (90 days).
    dev.resourceCountIs('AWS::Logs::LogGroup', 5);
    const accessLogs = logicalId(dev, 'AWS::Logs::LogGroup', 'AccessLogs');
    for (const [id, group] of Object.entries(dev.findResources('AWS::Logs::LogGroup'))) {
      expect(group.Properties.RetentionInDays).toBe(id === accessLogs ? 90 : 30);
    }
  });

  it("admin, worker and scheduler are traced with X-Ray and keep Lambda's text logs", () => {
    for (const t of [dev, prod, debug]) {
      for (const service of SERVICES.filter((s) => s !== 'tether-agent-api')) {
        const [id, f] = functionByService(t, service);
        expect(f.Properties.TracingConfig).toEqual({ Mode: 'Active' });
        expect(f.Properties.LoggingConfig).toEqual({ LogGroup: { Ref: expect.any(String) } });
        expect(actionsOfRole(t, id)).toEqual(expect.arrayContaining(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']));
      }
    }
  });

  it('the agent function is quiet by default in both profiles: no tracing, JSON logs, no platform lines', () => {
    for (const t of [dev, prod]) {
      const [id, agent] = functionByService(t, 'tether-agent-api');
      expect(agent.Properties.TracingConfig).toBeUndefined();
      expect(actionsOfRole(t, id).filter((a) => a.startsWith('xray:'))).toEqual([]);
      expectJsonLogging(agent, 'INFO');
    }
  });

  it("agentTracing and agentLogLevel turn the agent function's tracing and debug lines back on", () => {
    const [id, agent] = functionByService(debug, 'tether-agent-api');
    expect(agent.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    expect(actionsOfRole(debug, id)).toEqual(expect.arrayContaining(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']));
    expectJsonLogging(agent, 'DEBUG');
    // Only the agent function changes.
    const [, admin] = functionByService(debug, 'tether-admin');
    expect(envOf(admin).POWERTOOLS_LOG_LEVEL).toBe('INFO');
  });

  it('every function has the table, queue, agent and Powertools environment', () => {
    const tableId = logicalId(dev, 'AWS::DynamoDB::GlobalTable', 'Table');
    const queueId = logicalId(dev, 'AWS::SQS::Queue', 'WorkQueue');
    for (const f of functions(dev)) {
      expect(envOf(f)).toMatchObject({
        TETHER_TABLE: { Ref: tableId },
        TETHER_QUEUE_URL: { Ref: queueId },
        TETHER_AGENT_IMAGE: 'ghcr.io/acme/agent',
        TETHER_AGENT_VERSION: '0.9.0',
        POWERTOOLS_METRICS_NAMESPACE: 'Tether',
        POWERTOOLS_LOG_LEVEL: 'INFO',
      });
    }
  });

  it('HubStack takes its settings from context', () => {
    for (const f of functions(prod)) {
      expect(envOf(f)).toMatchObject({
        TETHER_AGENT_IMAGE: 'registry.example.com/tether-agent',
        TETHER_AGENT_VERSION: '1.2.3',
        TETHER_POLL_INTERVAL_SECONDS: '30',
        // Every function: the agent function flushes with it, the scheduler's sweep allows for it.
        TETHER_HEARTBEAT_FLUSH_SECONDS: '20',
      });
    }
    // Unset, the handlers' default applies.
    for (const f of functions(dev)) expect(envOf(f).TETHER_HEARTBEAT_FLUSH_SECONDS).toBeUndefined();
  });

  it('bundles are ESM with a require shim and import nothing but Node built-ins', async () => {
    for (const f of functions(dev)) {
      const key = (f.Properties.Code as { S3Key: string }).S3Key.replace(/\.zip$/, '');
      const file = join(assemblyDir, `asset.${key}`, 'index.mjs');
      const code = readFileSync(file, 'utf8');
      expect(code).toMatch(/^import \{ createRequire as \w+ \} from 'node:module'; const require = \w+\(import\.meta\.url\);/);
      expect(code).toMatch(/export\s*\{[^}]*\bhandler\b[^}]*\}/);
      // Lambda has no node_modules next to the bundle: any external package import would fail at cold start.
      const result = await build({
        entryPoints: [file],
        bundle: true,
        write: false,
        metafile: true,
        packages: 'external',
        logLevel: 'silent',
        format: 'esm',
        platform: 'node',
      });
      const imports = Object.values(result.metafile.inputs).flatMap((i) => i.imports.map((imp) => imp.path));
      expect(imports.filter((p) => !isBuiltin(p))).toEqual([]);
    }
  });

  it('the agent function, on the poll path, bundles neither the X-Ray SDK nor the metrics writer; the traced functions do', () => {
    // The bundles' source maps list every source they were built from.
    const sourcesOf = (service: string): string[] => {
      const [, f] = functionByService(dev, service);
      const key = (f.Properties.Code as { S3Key: string }).S3Key.replace(/\.zip$/, '');
      return (JSON.parse(readFileSync(join(assemblyDir, `asset.${key}`, 'index.mjs.map'), 'utf8')) as { sources: string[] }).sources;
    };
    const packagesOf = (service: string) =>
      new Set(sourcesOf(service).flatMap((s) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(s)?.[1] ?? []));
    const agent = packagesOf('tether-agent-api');
    expect(agent.has('@aws-sdk/client-dynamodb')).toBe(true);
    expect(agent.has('@aws-lambda-powertools/logger')).toBe(true);
    for (const pkg of ['aws-xray-sdk-core', '@aws-lambda-powertools/tracer', '@aws-lambda-powertools/metrics'])
      expect(agent.has(pkg)).toBe(false);
    const worker = packagesOf('tether-worker');
    for (const pkg of ['aws-xray-sdk-core', '@aws-lambda-powertools/tracer', '@aws-lambda-powertools/metrics'])
      expect(worker.has(pkg)).toBe(true);
    expect(packagesOf('tether-admin').has('@aws-lambda-powertools/metrics')).toBe(false);
  });

  it('every bundle loads as ESM on this Node and exports a handler function', async () => {
    // A fresh process with only what Lambda would provide: no node_modules in reach, no jest flags.
    const env = {
      PATH: process.env.PATH ?? '',
      AWS_REGION: 'us-east-1',
      TETHER_TABLE: 't',
      TETHER_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/1/q',
    };
    const loads = functions(dev).map(async (f) => {
      const key = (f.Properties.Code as { S3Key: string }).S3Key.replace(/\.zip$/, '');
      const url = pathToFileURL(join(assemblyDir, `asset.${key}`, 'index.mjs')).href;
      const script = `const m = await import(${JSON.stringify(url)}); process.stdout.write(typeof m.handler);`;
      const { stdout } = await execFileAsync(process.execPath, ['--input-type=module', '-e', script], { env, cwd: assemblyDir });
      return stdout;
    });
    expect(await Promise.all(loads)).toEqual(['function', 'function', 'function', 'function']);
  });
});

describe('least privilege', () => {
  // Each function's policy as it should be, statement by statement (test/infra/hardening.test.ts
  // covers the deny of the admin-token prefix and the KMS variant).
  it('every function gets the item actions its code sends on the table, SendMessage, and nothing table-wide', () => {
    const tableId = logicalId(dev, 'AWS::DynamoDB::GlobalTable', 'Table');
    for (const service of SERVICES) {
      const [id] = functionByService(dev, service);
      const actions = actionsOfRole(dev, id);
      expect(actions).toEqual(expect.arrayContaining([...ITEM_ACTIONS, 'sqs:SendMessage']));
      for (const absent of [
        'dynamodb:Scan',
        'dynamodb:DescribeTable',
        'dynamodb:ConditionCheckItem',
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
        'dynamodb:DescribeStream',
        'dynamodb:ListStreams',
      ])
        expect(actions).not.toContain(absent);
      expect(actions.includes('sqs:ReceiveMessage')).toBe(service === 'tether-worker');
      expect(actions.includes('sqs:DeleteMessage')).toBe(service === 'tether-worker');
      expect(actions.filter((a) => a.includes('*'))).toEqual([]);
      const allows = statementsOfRole(dev, id).filter(
        (st) => st.Effect === 'Allow' && [st.Action].flat().some((a) => a.startsWith('dynamodb:')),
      );
      // Item actions on the table itself; Query alone on the two named indexes (no index/* wildcard).
      expect(allows.map((st) => st.Resource)).toEqual(
        service === 'tether-agent-api'
          ? [{ 'Fn::GetAtt': [tableId, 'Arn'] }]
          : [
              { 'Fn::GetAtt': [tableId, 'Arn'] },
              ['gsi1', 'gsi2'].map((index) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId, 'Arn'] }, `/index/${index}`]] })),
            ],
      );
    }
  });

  it('roles write only to their own log group, without the AWSLambdaBasicExecutionRole managed policy', () => {
    for (const service of SERVICES) {
      const [id, fn] = functionByService(dev, service);
      const role = dev.findResources('AWS::IAM::Role')[(fn.Properties.Role as { 'Fn::GetAtt': [string] })['Fn::GetAtt'][0]];
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      const logs = statementsOfRole(dev, id).find((st) => [st.Action].flat().includes('logs:PutLogEvents'));
      const logGroupRef = (fn.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
      expect(logs?.Resource).toEqual({ 'Fn::GetAtt': [logGroupRef, 'Arn'] });
    }
  });
});

describe('resource sync key', () => {
  it('a KMS key with rotation, destroyed with a dev stack and retained with a prod one', () => {
    const keys = Object.values(dev.findResources('AWS::KMS::Key'));
    expect(keys).toHaveLength(1);
    expect(keys[0].Properties).toMatchObject({ EnableKeyRotation: true });
    expect(keys[0].DeletionPolicy).toBe('Delete');
    expect(Object.values(prod.findResources('AWS::KMS::Key')).map((k) => k.DeletionPolicy)).toEqual(['Retain']);
  });

  it('only the agent function may use it, to generate and decrypt data keys; its ARN is in its environment alone', () => {
    const keyId = logicalId(dev, 'AWS::KMS::Key', 'SyncKey');
    for (const service of SERVICES) {
      const [id, fn] = functionByService(dev, service);
      const kms = statementsOfRole(dev, id).filter((st) => [st.Action].flat().some((a) => a.startsWith('kms:')));
      if (service === 'tether-agent-api') {
        expect(kms).toEqual([
          expect.objectContaining({
            Effect: 'Allow',
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Resource: { 'Fn::GetAtt': [keyId, 'Arn'] },
          }),
        ]);
        expect(envOf(fn).TETHER_SYNC_KEY_ID).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
      } else {
        expect(kms).toEqual([]);
        expect(envOf(fn).TETHER_SYNC_KEY_ID).toBeUndefined();
      }
    }
  });

  it('takes your key instead of making one', () => {
    const own = new App({ context: CDK_JSON_CONTEXT });
    const stack = new Stack(own, 'Own');
    const key = new Key(stack, 'Mine', { enableKeyRotation: true });
    const hubConstruct = new TetherHub(stack, 'Hub', {
      stage: 'dev',
      agentImage: 'ghcr.io/acme/agent',
      agentVersion: '0.9.0',
      syncKey: key,
    });
    expect(hubConstruct.syncKey).toBe(key);
    const t = Template.fromStack(stack);
    expect(Object.keys(t.findResources('AWS::KMS::Key'))).toEqual([stack.getLogicalId(key.node.defaultChild as never)]);
  });
});

describe('worker and scheduler triggers', () => {
  it('the worker consumes the work queue in batches of 10 with partial batch failures', () => {
    const [workerId] = functionByService(dev, 'tether-worker');
    const queueId = logicalId(dev, 'AWS::SQS::Queue', 'WorkQueue');
    dev.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    dev.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: workerId },
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      BatchSize: 10,
      MaximumBatchingWindowInSeconds: Match.anyValue(),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('an EventBridge rule runs the scheduler every minute', () => {
    const [schedulerId] = functionByService(dev, 'tether-scheduler');
    dev.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [schedulerId, 'Arn'] } })],
    });
    dev.hasResourceProperties('AWS::Lambda::Permission', {
      FunctionName: { 'Fn::GetAtt': [schedulerId, 'Arn'] },
      Principal: 'events.amazonaws.com',
    });
  });
});

describe('HTTP API', () => {
  it('HttpApi profile: admin, console and agent routes go to their functions', () => {
    const [adminId] = functionByService(dev, 'tether-admin');
    const [agentId] = functionByService(dev, 'tether-agent-api');
    expect(routes(dev)).toEqual({
      'GET /healthz': adminId,
      'GET /openapi.json': adminId,
      'ANY /v1/{proxy+}': adminId,
      'GET /': adminId,
      'GET /console': adminId,
      'GET /console/{proxy+}': adminId,
      'ANY /agent/{proxy+}': agentId,
    });
    dev.resourceCountIs('AWS::Lambda::Url', 0);
    dev.hasResourceProperties('AWS::ApiGatewayV2::Integration', { PayloadFormatVersion: '2.0' });
  });

  it('the $default stage auto-deploys with throttling defaults', () => {
    dev.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 2000 },
    });
  });

  it('FunctionUrl profile: the agent gets a public Function URL and no /agent route', () => {
    const [agentId] = functionByService(prod, 'tether-agent-api');
    prod.resourceCountIs('AWS::Lambda::Url', 1);
    prod.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE', TargetFunctionArn: { 'Fn::GetAtt': [agentId, 'Arn'] } });
    const keys = Object.keys(routes(prod));
    expect(keys.some((k) => k.includes('/agent'))).toBe(false);
    expect(keys).toContain('ANY /v1/{proxy+}');
    expect(Object.values(routes(prod))).not.toContain(agentId);
  });

  it('FunctionUrl profile: import manifests point agents at the Function URL', () => {
    const urlId = logicalId(prod, 'AWS::Lambda::Url', 'Agent');
    const [, admin] = functionByService(prod, 'tether-admin');
    const adminEnv = envOf(admin);
    expect(JSON.stringify(adminEnv.TETHER_AGENT_URL)).toContain(urlId);
    expect(adminEnv.TETHER_HUB_URL).toBeUndefined();
    const [, agent] = functionByService(prod, 'tether-agent-api');
    expect(envOf(agent).TETHER_AGENT_URL).toBeUndefined();
    const outputs = prod.findOutputs('*');
    expect(JSON.stringify(outputs.AgentUrl.Value)).toContain(urlId);
    expect(outputs.ApiUrl.Value).toEqual({ 'Fn::GetAtt': [logicalId(prod, 'AWS::ApiGatewayV2::Api', 'HttpApi'), 'ApiEndpoint'] });
    // In the HttpApi profile the handler derives the URL from the request instead.
    const [, devAdmin] = functionByService(dev, 'tether-admin');
    expect(envOf(devAdmin).TETHER_AGENT_URL).toBeUndefined();
  });
});

describe('alarms', () => {
  it('the DLQ depth alarms above zero', () => {
    const dlqId = logicalId(dev, 'AWS::SQS::Queue', 'DeadLetterQueue');
    dev.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
    });
  });

  it('alarms notify the alarm topic when one is given, and nothing otherwise', () => {
    const topicId = logicalId(prod, 'AWS::SNS::Topic', 'AlarmTopic');
    prod.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    const alarms = Object.values(prod.findResources('AWS::CloudWatch::Alarm')) as Resource[];
    expect(alarms).toHaveLength(ALARM_COUNT);
    for (const a of alarms) {
      expect(a.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(a.Properties.OKActions).toEqual([{ Ref: topicId }]);
    }
    for (const a of Object.values(dev.findResources('AWS::CloudWatch::Alarm')) as Resource[]) {
      expect(a.Properties.AlarmActions).toBeUndefined();
    }
  });
});

describe('HubStack outputs', () => {
  it('exports ApiUrl, AgentUrl, TableName and QueueUrl', () => {
    const outputs = prod.findOutputs('*');
    expect(Object.keys(outputs).sort()).toEqual(['AgentUrl', 'ApiUrl', 'QueueUrl', 'TableName']);
    expect(outputs.TableName.Value).toEqual({ Ref: logicalId(prod, 'AWS::DynamoDB::GlobalTable', 'Table') });
    expect(outputs.QueueUrl.Value).toEqual({ Ref: logicalId(prod, 'AWS::SQS::Queue', 'WorkQueue') });
  });
});

describe('props validation', () => {
  // These throw before any function is created, so they cost no bundling. An App without an
  // outdir makes its own temporary directory, so give them one that is cleaned up.
  let outdir: string;
  beforeAll(() => {
    outdir = mkdtempSync(join(tmpdir(), 'tether-cdk-invalid-'));
  });
  afterAll(() => {
    rmSync(outdir, { recursive: true, force: true });
  });
  it.each([
    [{ stage: 'staging' }, 'stage'],
    [{ agentEndpoint: 'Alb' }, 'agentEndpoint'],
    [{ pollIntervalSeconds: 1 }, 'pollIntervalSeconds'],
    [{ heartbeatFlushSeconds: 0 }, 'heartbeatFlushSeconds'],
    [{ heartbeatFlushSeconds: 61 }, 'heartbeatFlushSeconds'],
    [{ hubUrl: 'hub.example.com' }, 'hubUrl'],
    [{ agentImage: '' }, 'agentImage'],
    [{ agentFunction: { tracing: 'yes' } }, 'agentFunction.tracing'],
    [{ agentFunction: { logLevel: 'VERBOSE' } }, 'agentFunction.logLevel'],
    [{ agentFunction: { systemLogLevel: 'ERROR' } }, 'agentFunction.systemLogLevel'],
    [{ agentFunction: { memorySize: 64 } }, 'agentFunction.memorySize'],
    [{ agentFunction: { memorySize: 'big' } }, 'agentFunction.memorySize'],
    [{ logLevel: 'CRITICAL' }, 'logLevel'],
  ])('rejects %j', (override, field) => {
    const stack = new Stack(new App({ outdir }), 'Invalid');
    const props = { stage: 'dev', agentImage: 'img', agentVersion: '1.0.0', ...override } as unknown as ConstructorParameters<
      typeof TetherHub
    >[2];
    let caught: unknown;
    try {
      new TetherHub(stack, 'Hub', props);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).fieldErrors.map((e) => e.path)).toEqual([field]);
  });

  it('says where it looked when the handler sources are missing', () => {
    const stack = new Stack(new App({ outdir }), 'NoSources');
    expect(() => new TetherHub(stack, 'Hub', { stage: 'dev', agentImage: 'img', agentVersion: '1', projectRoot: '/nonexistent' })).toThrow(
      /not found under \/nonexistent/,
    );
  });
});
