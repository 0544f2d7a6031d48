import { DEFAULT_ASSUMPTIONS } from '../../bench/cost-model.js';
/**
 * CDK assertions for the production hardening of the deployment: concurrency bounds, per-route
 * throttles, access logs, the scheduler's async invoke settings, per-function IAM, table options,
 * alarms, feature flags, runtime, custom domains and WAF. Templates only, so the apps skip bundling.
 */
import { describe, expect, it } from '@jest/globals';
import { Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { Key } from 'aws-cdk-lib/aws-kms';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CURRENTLY_RECOMMENDED_FLAGS, NEW_PROJECT_DEFAULT_CONTEXT } from 'aws-cdk-lib/cx-api';
import { ADMIN_TOKEN_KEY_PREFIX, ITEM_ACTIONS } from '../../cdk/hub-access.js';
import { HubStack } from '../../cdk/hub-stack.js';
import { TetherHub, type TetherHubProps } from '../../cdk/tether-hub.js';
import { ValidationError } from '../../shared/errors.js';
import { ALARM_COUNT, CDK_JSON_CONTEXT, unbundledApp } from './hub-apps.js';
import { functionByService, logicalId, statementsOfRole, type Resource } from './template-queries.js';

const BASE = { agentImage: 'img', agentVersion: '1.0.0' };
const PROD_CONTEXT = { stage: 'prod', agentEndpoint: 'FunctionUrl', alarmEmail: 'ops@example.com' };
const SERVICES = { Admin: 'tether-admin', Agent: 'tether-agent-api', Worker: 'tether-worker', Scheduler: 'tether-scheduler' } as const;

/** A template of one TetherHub in a stack of its own (optionally with an explicit environment). */
function hub(props: Partial<TetherHubProps> = {}, env?: { account: string; region: string }): Template {
  const stack = new Stack(unbundledApp(), 'Test', env ? { env } : {});
  new TetherHub(stack, 'Hub', { stage: 'dev', ...BASE, ...props });
  return Template.fromStack(stack);
}

const dev = hub();
const prod = Template.fromStack(new HubStack(unbundledApp(PROD_CONTEXT), 'TetherHub'));

describe('concurrency bounds', () => {
  it('every function has reserved concurrency by default: admin 10, agent 100, worker 20, scheduler 2', () => {
    for (const t of [dev, prod]) {
      const expected = { Admin: 10, Agent: 100, Worker: 20, Scheduler: 2 };
      for (const [name, service] of Object.entries(SERVICES)) {
        const [, fn] = functionByService(t, service);
        expect(fn.Properties.ReservedConcurrentExecutions).toBe(expected[name as keyof typeof expected]);
      }
    }
  });

  it('the worker event source runs at most the worker reservation; both are props', () => {
    dev.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 20 } });
    const custom = hub({ reservedConcurrency: { agent: 300, worker: 50 }, workerMaxConcurrency: 40 });
    custom.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 40 } });
    expect(functionByService(custom, 'tether-agent-api')[1].Properties.ReservedConcurrentExecutions).toBe(300);
    expect(functionByService(custom, 'tether-worker')[1].Properties.ReservedConcurrentExecutions).toBe(50);
    // Unchanged defaults for the others.
    expect(functionByService(custom, 'tether-admin')[1].Properties.ReservedConcurrentExecutions).toBe(10);
  });

  it('small accounts: reservedConcurrency false (context reservedConcurrency=false) reserves nothing; the event source stays bounded', () => {
    const none = Template.fromStack(new HubStack(unbundledApp({ reservedConcurrency: 'false' }), 'TetherHub'));
    for (const service of Object.values(SERVICES)) {
      expect(functionByService(none, service)[1].Properties.ReservedConcurrentExecutions).toBeUndefined();
    }
    none.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 20 } });
  });
});

describe('HTTP API stage', () => {
  const stageOf = (t: Template) => Object.values(t.findResources('AWS::ApiGatewayV2::Stage'))[0] as Resource & { DependsOn: string[] };

  it('admin, console and agent routes each have their own throttle bucket; the agent route has detailed metrics', () => {
    const stage = stageOf(dev);
    const console = { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 };
    expect(stage.Properties.RouteSettings).toEqual({
      'GET /healthz': console,
      'GET /openapi.json': console,
      'GET /': console,
      'GET /console': console,
      'GET /console/{proxy+}': console,
      'ANY /v1/{proxy+}': { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      'ANY /agent/{proxy+}': { ThrottlingRateLimit: 1000, ThrottlingBurstLimit: 2000, DetailedMetricsEnabled: true },
    });
    // Route settings name routes by key, so CloudFormation must create the routes first.
    for (const id of Object.keys(dev.findResources('AWS::ApiGatewayV2::Route'))) expect(stage.DependsOn).toContain(id);
    // FunctionUrl profile: no agent route on the API.
    expect(Object.keys(stageOf(prod).Properties.RouteSettings as object)).not.toContain('ANY /agent/{proxy+}');
  });

  it('routeThrottles overrides a group', () => {
    const stage = stageOf(hub({ routeThrottles: { admin: { rateLimit: 5, burstLimit: 10 } } }));
    expect((stage.Properties.RouteSettings as Record<string, unknown>)['ANY /v1/{proxy+}']).toEqual({
      ThrottlingRateLimit: 5,
      ThrottlingBurstLimit: 10,
    });
  });

  it('writes a JSON access log with the fields an incident needs, never a header', () => {
    for (const t of [dev, prod]) {
      const settings = stageOf(t).Properties.AccessLogSettings as { DestinationArn: unknown; Format: string };
      expect(settings.DestinationArn).toEqual({ 'Fn::GetAtt': [logicalId(t, 'AWS::Logs::LogGroup', 'AccessLogs'), 'Arn'] });
      const format = JSON.parse(settings.Format) as Record<string, string>;
      expect(format).toMatchObject({
        requestId: '$context.requestId',
        sourceIp: '$context.identity.sourceIp',
        routeKey: '$context.routeKey',
        status: '$context.status',
        responseLatency: '$context.responseLatency',
        integrationError: '$context.integrationErrorMessage',
      });
      expect(Object.values(format).filter((v) => /header|authorizer/i.test(v))).toEqual([]);
    }
  });

  it('access log and function log retention are props', () => {
    const t = hub({ logRetention: RetentionDays.ONE_YEAR, accessLogRetention: RetentionDays.SIX_MONTHS });
    const accessId = logicalId(t, 'AWS::Logs::LogGroup', 'AccessLogs');
    for (const [id, group] of Object.entries(t.findResources('AWS::Logs::LogGroup'))) {
      expect(group.Properties.RetentionInDays).toBe(id === accessId ? 180 : 365);
    }
    const fromContext = Template.fromStack(new HubStack(unbundledApp({ logRetentionDays: '400' }), 'TetherHub'));
    const [, admin] = functionByService(fromContext, 'tether-admin');
    const groupId = (admin.Properties.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
    expect(fromContext.findResources('AWS::Logs::LogGroup')[groupId].Properties.RetentionInDays).toBe(400);
  });
});

describe('scheduler', () => {
  it("Lambda's own async retries are off and a tick older than a minute is dropped", () => {
    const [id] = functionByService(dev, 'tether-scheduler');
    dev.resourceCountIs('AWS::Lambda::EventInvokeConfig', 1);
    dev.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: id },
      Qualifier: '$LATEST',
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 60,
    });
    dev.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 } })],
    });
  });

  it("an alarm watches EventBridge's FailedInvocations of the tick rule", () => {
    dev.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Events',
      MetricName: 'FailedInvocations',
      Dimensions: [{ Name: 'RuleName', Value: { Ref: logicalId(dev, 'AWS::Events::Rule', 'SchedulerTick') } }],
    });
  });
});

describe('least privilege per function', () => {
  const denyOf = (t: Template, service: string) => statementsOfRole(t, functionByService(t, service)[0]).filter((s) => s.Effect === 'Deny');

  it('every function but admin is denied every item action on admin-token keys (dynamodb:LeadingKeys)', () => {
    const tableId = logicalId(dev, 'AWS::DynamoDB::GlobalTable', 'Table');
    for (const t of [dev, prod]) {
      expect(denyOf(t, 'tether-admin')).toEqual([]);
      for (const service of ['tether-agent-api', 'tether-worker', 'tether-scheduler']) {
        expect(denyOf(t, service)).toEqual([
          {
            Sid: 'DenyAdminTokens',
            Effect: 'Deny',
            Action: [...ITEM_ACTIONS].sort(),
            Resource: { 'Fn::GetAtt': [t === dev ? tableId : logicalId(t, 'AWS::DynamoDB::GlobalTable', 'Table'), 'Arn'] },
            Condition: { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': [`${ADMIN_TOKEN_KEY_PREFIX}*`] } },
          },
        ]);
      }
    }
    // The prefix is the admin-token key shape of the table.
    expect(ADMIN_TOKEN_KEY_PREFIX).toBe('T#');
  });

  it('an existing table is granted by name; its KMS key is granted to every function', () => {
    const key = 'arn:aws:kms:eu-west-1:123456789012:key/abc';
    const stack = new Stack(unbundledApp(), 'Existing');
    new TetherHub(stack, 'Hub', {
      stage: 'prod',
      ...BASE,
      table: { existingTableName: 'tether-restored', encryptionKey: Key.fromKeyArn(stack, 'Key', key) },
    });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::DynamoDB::GlobalTable', 0);
    const [id, admin] = functionByService(t, 'tether-admin');
    expect((admin.Properties.Environment as { Variables: Record<string, unknown> }).Variables.TETHER_TABLE).toBe('tether-restored');
    const items = statementsOfRole(t, id).find((s) => s.Sid === 'TetherTableItems');
    expect(JSON.stringify(items?.Resource)).toContain(':table/tether-restored');
    for (const service of Object.values(SERVICES)) {
      // The table's key, on every function (the agent function also holds the sync key's grant).
      const kms = statementsOfRole(t, functionByService(t, service)[0]).filter((s) => [s.Action].flat().includes('kms:Decrypt'));
      expect(kms.map((s) => s.Resource)).toContain(key);
    }
  });
});

describe('table options', () => {
  it('a customer-managed key, a backup plan and a fixed name', () => {
    const stack = new Stack(unbundledApp(), 'Kms', { env: { account: '123456789012', region: 'eu-west-1' } });
    const key = new Key(stack, 'TableKey', { enableKeyRotation: true });
    new TetherHub(stack, 'Hub', { stage: 'prod', ...BASE, table: { encryptionKey: key, backup: true, tableName: 'tether-prod' } });
    const t = Template.fromStack(stack);
    const keyId = logicalId(t, 'AWS::KMS::Key', 'TableKey');
    t.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      TableName: 'tether-prod',
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
      Replicas: [Match.objectLike({ SSESpecification: { KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } } })],
    });
    t.resourceCountIs('AWS::Backup::BackupPlan', 1);
    t.hasResourceProperties('AWS::Backup::BackupPlan', {
      BackupPlan: { BackupPlanRule: [Match.objectLike({ ScheduleExpression: 'cron(0 3 * * ? *)', Lifecycle: { DeleteAfterDays: 35 } })] },
    });
    t.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: Match.objectLike({ Resources: [{ 'Fn::GetAtt': [logicalId(t, 'AWS::DynamoDB::GlobalTable', 'Table'), 'Arn'] }] }),
    });
    t.hasResource('AWS::Backup::BackupVault', { DeletionPolicy: 'Retain' });
  });

  it('replicas in a second region', () => {
    const t = hub({ table: { replicaRegions: ['eu-central-1'] } }, { account: '123456789012', region: 'eu-west-1' });
    t.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      Replicas: Match.arrayWith([Match.objectLike({ Region: 'eu-central-1' })]),
    });
    t.hasResourceProperties('AWS::DynamoDB::GlobalTable', { Replicas: Match.arrayWith([Match.objectLike({ Region: 'eu-west-1' })]) });
  });

  it('prod without tableName or existingTableName warns at every synth that a redeploy after destroy would start empty', () => {
    const warned = (context: Record<string, unknown>) => {
      const stack = new HubStack(unbundledApp(context), 'TetherHub');
      return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('creates a new, EMPTY table')).length;
    };
    expect(warned({ stage: 'prod' })).toBe(1);
    expect(warned({ stage: 'prod', tableName: 'tether-prod' })).toBe(0);
    expect(warned({ stage: 'prod', existingTableName: 'tether-prod' })).toBe(0);
    expect(warned({})).toBe(0);
  });

  it('context existingTableName re-attaches the stack to a retained or restored table', () => {
    const t = Template.fromStack(new HubStack(unbundledApp({ stage: 'prod', existingTableName: 'tether-restored' }), 'TetherHub'));
    t.resourceCountIs('AWS::DynamoDB::GlobalTable', 0);
    expect(t.findOutputs('TableName').TableName.Value).toBe('tether-restored');
  });
});

describe('alarms', () => {
  const alarms = (t: Template) => Object.values(t.findResources('AWS::CloudWatch::Alarm')) as Resource[];

  it('read as many metrics as the cost model prices (CloudWatch bills an alarm per metric it reads)', () => {
    for (const t of [dev, prod]) {
      const metrics = alarms(t).reduce((n, a) => {
        const list = a.Properties.Metrics as Array<{ MetricStat?: unknown }> | undefined;
        return n + (list ? list.filter((m) => m.MetricStat).length : 1);
      }, 0);
      expect(metrics).toBe(DEFAULT_ASSUMPTIONS.alarms);
    }
  });

  it('page on rates, ages and depths, never on a single function error', () => {
    for (const t of [dev, prod]) {
      expect(alarms(t)).toHaveLength(ALARM_COUNT);
      // No alarm on a raw Lambda Errors count over the fleet-facing functions.
      const raw = alarms(t).filter((a) => a.Properties.MetricName === 'Errors');
      expect(raw.map((a) => JSON.stringify(a.Properties.Dimensions))).toEqual([
        JSON.stringify([{ Name: 'FunctionName', Value: { Ref: functionByService(t, 'tether-scheduler')[0] } }]),
      ]);
      const expressionOf = (a: Resource) =>
        (a.Properties.Metrics as Array<{ Expression?: string }> | undefined)?.find((m) => m.Expression)?.Expression;
      const rates = alarms(t).filter((a) => expressionOf(a)?.startsWith('IF('));
      // API 5xx, agent 5xx and 4xx, and the error and throttle rates of admin, agent and worker.
      expect(rates).toHaveLength(9);
      for (const a of rates) {
        const expr = (a.Properties.Metrics as Array<{ Expression?: string }>).find((m) => m.Expression)?.Expression;
        expect(expr).toMatch(/^IF\(requests >= 20, 100 \* FILL\(errors, 0\) \/ requests, 0\)$/);
        expect(a.Properties.EvaluationPeriods).toBe(3);
      }
    }
  });

  it('the agent endpoint rates read the Function URL metrics, or the /agent route metrics', () => {
    const metricNames = (t: Template) =>
      alarms(t)
        .filter((a) => Array.isArray(a.Properties.Metrics))
        .flatMap((a) =>
          (a.Properties.Metrics as Array<{ MetricStat?: { Metric: { MetricName: string; Dimensions: unknown[] } } }>).flatMap(
            (m) => m.MetricStat?.Metric ?? [],
          ),
        );
    expect(metricNames(prod).map((m) => m.MetricName)).toEqual(expect.arrayContaining(['Url4xxCount', 'Url5xxCount', 'UrlRequestCount']));
    const agentRoute = metricNames(dev).filter((m) => JSON.stringify(m.Dimensions).includes('/agent/{proxy+}'));
    expect(agentRoute.map((m) => m.MetricName).sort()).toEqual(['4xx', '5xx', 'Count', 'Count']);
  });

  it('queue age, DLQ depth, DynamoDB throttles and system errors are watched', () => {
    for (const name of ['ApproximateAgeOfOldestMessage', 'ApproximateNumberOfMessagesVisible']) {
      dev.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/SQS', MetricName: name });
    }
    const expressions = alarms(dev).flatMap(
      (a) => (a.Properties.Metrics as Array<{ Id: string; MetricStat?: { Metric: { MetricName: string } } }> | undefined) ?? [],
    );
    const ddb = new Set(expressions.map((m) => m.MetricStat?.Metric.MetricName).filter(Boolean));
    expect([...ddb]).toEqual(expect.arrayContaining(['ReadThrottleEvents', 'WriteThrottleEvents', 'SystemErrors']));
  });

  it('the alarm topic refuses plain HTTP', () => {
    prod.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
  });
});

describe('cdk.json and runtime', () => {
  it('cdk.json sets every recommended feature flag of the pinned aws-cdk-lib to its recommended value', () => {
    const recommended = { ...NEW_PROJECT_DEFAULT_CONTEXT, ...CURRENTLY_RECOMMENDED_FLAGS };
    expect(CDK_JSON_CONTEXT).toEqual(expect.objectContaining(recommended));
    // The v1-era flag is the default in v2 and is gone.
    expect(CDK_JSON_CONTEXT['@aws-cdk/core:newStyleStackSynthesis']).toBeUndefined();
  });

  it('nodejs22.x by default, nodejs24.x by prop or context', () => {
    for (const service of Object.values(SERVICES)) expect(functionByService(dev, service)[1].Properties.Runtime).toBe('nodejs22.x');
    const t = Template.fromStack(new HubStack(unbundledApp({ runtime: 'nodejs24.x' }), 'TetherHub'));
    for (const service of Object.values(SERVICES)) expect(functionByService(t, service)[1].Properties.Runtime).toBe('nodejs24.x');
  });
});

describe('custom domain and WAF', () => {
  const cert = (stack: Stack) => Certificate.fromCertificateArn(stack, 'Cert', 'arn:aws:acm:us-east-1:123456789012:certificate/abc');

  it('domain: an API Gateway custom domain mapped to the stage', () => {
    const stack = new Stack(unbundledApp(), 'Domain');
    const h = new TetherHub(stack, 'Hub', {
      stage: 'dev',
      ...BASE,
      domain: { domainName: 'tether.example.com', certificate: cert(stack) },
    });
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::ApiGatewayV2::DomainName', { DomainName: 'tether.example.com' });
    t.hasResource('AWS::ApiGatewayV2::ApiMapping', {
      Properties: {
        ApiId: { Ref: logicalId(t, 'AWS::ApiGatewayV2::Api', 'HttpApi') },
        DomainName: { Ref: logicalId(t, 'AWS::ApiGatewayV2::DomainName', 'ApiDomain') },
        Stage: '$default',
      },
      DependsOn: [logicalId(t, 'AWS::ApiGatewayV2::Stage', 'DefaultStage')],
    });
    expect(h.apiUrl).toBe('https://tether.example.com');
    expect(h.agentUrl).toBe('https://tether.example.com');
    t.resourceCountIs('AWS::CloudFront::Distribution', 0);
  });

  it('FunctionUrl profile: CloudFront with the agent domain in front of the Function URL; manifests use it', () => {
    const stack = new Stack(unbundledApp(), 'AgentDomain');
    const c = cert(stack);
    const h = new TetherHub(stack, 'Hub', {
      stage: 'dev',
      ...BASE,
      agentEndpoint: 'FunctionUrl',
      domain: { domainName: 'tether.example.com', certificate: c, agentDomainName: 'agents.example.com', agentCertificate: c },
    });
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::CloudFront::Distribution', 1);
    t.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: ['agents.example.com'],
        DefaultCacheBehavior: Match.objectLike({
          CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
          ViewerProtocolPolicy: 'https-only',
        }),
        Origins: [Match.objectLike({ DomainName: Match.objectLike({ 'Fn::Select': [2, Match.anyValue()] }) })],
      }),
    });
    expect(JSON.stringify(t.toJSON())).toContain(logicalId(t, 'AWS::Lambda::Url', 'Agent'));
    expect(h.agentUrl).toBe('https://agents.example.com');
    const [, admin] = functionByService(t, 'tether-admin');
    expect((admin.Properties.Environment as { Variables: Record<string, unknown> }).Variables.TETHER_AGENT_URL).toBe(
      'https://agents.example.com',
    );
  });

  it('webAclArn: CloudFront distributions carrying the web ACL in front of the HTTP API and the Function URL', () => {
    const acl = 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/tether/0123';
    for (const [endpoint, count] of [
      ['HttpApi', 1],
      ['FunctionUrl', 2],
    ] as const) {
      const stack = new Stack(unbundledApp(), `Waf${endpoint}`);
      const h = new TetherHub(stack, 'Hub', { stage: 'dev', ...BASE, agentEndpoint: endpoint, webAclArn: acl });
      const t = Template.fromStack(stack);
      t.resourceCountIs('AWS::CloudFront::Distribution', count);
      t.allResourcesProperties('AWS::CloudFront::Distribution', { DistributionConfig: Match.objectLike({ WebACLId: acl }) });
      expect(stack.resolve(h.apiUrl)).toEqual({
        'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [expect.stringContaining('ApiDistribution'), 'DomainName'] }]],
      });
      if (endpoint === 'FunctionUrl') {
        expect(stack.resolve(h.agentUrl)).toEqual({
          'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [expect.stringContaining('AgentDistribution'), 'DomainName'] }]],
        });
      } else {
        expect(h.agentUrl).toBe(h.apiUrl);
        // CloudFront sends the origin's Host, so the admin function is told the public URL for manifests.
        const [, admin] = functionByService(t, 'tether-admin');
        expect(stack.resolve((admin.Properties.Environment as { Variables: Record<string, unknown> }).Variables.TETHER_HUB_URL)).toEqual(
          stack.resolve(h.apiUrl),
        );
      }
    }
  });
});

describe('props validation of the deployment options', () => {
  it.each([
    [{ runtime: 'nodejs20.x' }, 'runtime'],
    [{ reservedConcurrency: { agent: 0 } }, 'reservedConcurrency.agent'],
    [{ reservedConcurrency: { worker: 1 } }, 'reservedConcurrency.worker'],
    [{ workerMaxConcurrency: 1 }, 'workerMaxConcurrency'],
    [{ workerMaxConcurrency: 21 }, 'workerMaxConcurrency'],
    [{ table: { existingTableName: 't', replicaRegions: ['eu-central-1'] } }, 'table.replicaRegions'],
    [
      { domain: { domainName: 'a.example.com', certificate: {}, agentDomainName: 'b.example.com', agentCertificate: {} } },
      'domain.agentDomainName',
    ],
    [{ webAclArn: 'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/x/1' }, 'webAclArn'],
    [{ table: { encryptionKey: {} } }, 'table.encryptionKey'],
  ])('rejects %j', (override, field) => {
    const stack = new Stack(unbundledApp(), 'Invalid');
    let caught: unknown;
    try {
      new TetherHub(stack, 'Hub', { stage: 'dev', ...BASE, ...override } as unknown as TetherHubProps);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as ValidationError).fieldErrors.map((e) => e.path)).toEqual([field]);
  });
});
