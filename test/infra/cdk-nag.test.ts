/**
 * The AWS Solutions and Serverless rule packs of cdk-nag over the deployment, in both profiles
 * (default; `stage=prod agentEndpoint=FunctionUrl alarmEmail=...`) and with the optional parts
 * (KMS key, backups, custom domains, WAF). Any finding that is not acknowledged next to its
 * resource, with a reason, fails the test; so does an acknowledgement without a real reason.
 *
 * The packs read the construct tree, not the bundles, so these apps skip bundling
 * (`aws:cdk:bundling-stacks`), which keeps this file fast.
 */
import { describe, expect, it } from '@jest/globals';
import { Stack, Validations, type App } from 'aws-cdk-lib';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { HubStack } from '../../cdk/hub-stack.js';
import { TetherHub } from '../../cdk/tether-hub.js';
import { unbundledApp } from './hub-apps.js';

const app = unbundledApp;

/** `rule -> construct paths` of every unacknowledged finding of both packs at `severity`. */
function findings(scope: IConstruct, severity: 'error' | 'warning'): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const pack of [new AwsSolutionsChecks(), new ServerlessChecks()]) {
    for (const v of pack.validateScope(scope).violations) {
      if (v.severity !== severity) continue;
      out[v.ruleName] = v.violatingResources.map((r) => r.constructPath ?? '?');
    }
  }
  return out;
}

/** Every acknowledgement recorded under `scope`, as [construct path, rule id, reason]. */
function acknowledgements(scope: IConstruct): Array<[string, string, string]> {
  return scope.node
    .findAll()
    .flatMap((c) =>
      c.node.metadata
        .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((m) =>
          Object.entries(m.data as Record<string, string>).map(([id, reason]): [string, string, string] => [c.node.path, id, reason]),
        ),
    );
}

function synthesized<T extends Stack>(a: App, make: (a: App) => T): T {
  const stack = make(a);
  a.synth();
  return stack;
}

const PROFILES: Array<[string, Record<string, unknown>]> = [
  ['default', {}],
  ['prod, FunctionUrl, alarm e-mail', { stage: 'prod', agentEndpoint: 'FunctionUrl', alarmEmail: 'ops@example.com' }],
];

describe('cdk-nag (AwsSolutions and Serverless packs)', () => {
  it.each(PROFILES)('the %s profile has no unacknowledged error or warning', (_name, context) => {
    const stack = synthesized(app(context), (a) => new HubStack(a, 'TetherHub'));
    expect(findings(stack, 'error')).toEqual({});
    expect(findings(stack, 'warning')).toEqual({});
  });

  it('nodejs24.x, no reservations and an existing table have none either', () => {
    const stack = synthesized(
      app({ stage: 'prod', runtime: 'nodejs24.x', reservedConcurrency: 'false', existingTableName: 'tether-restored' }),
      (a) => new HubStack(a, 'TetherHub'),
    );
    expect(findings(stack, 'error')).toEqual({});
  });

  it('a KMS key, replicas, a backup plan, custom domains and WAF have none either', () => {
    const stack = synthesized(app(), (a) => {
      const s = new Stack(a, 'Full', { env: { account: '123456789012', region: 'eu-west-1' } });
      const cert = Certificate.fromCertificateArn(s, 'Cert', 'arn:aws:acm:us-east-1:123456789012:certificate/abc');
      new TetherHub(s, 'Hub', {
        stage: 'prod',
        agentImage: 'img',
        agentVersion: '1.0.0',
        agentEndpoint: 'FunctionUrl',
        table: {
          encryptionKey: new Key(s, 'TableKey', { enableKeyRotation: true }),
          replicaRegions: ['eu-central-1'],
          replicaKeyArns: { 'eu-central-1': 'arn:aws:kms:eu-central-1:123456789012:key/replica' },
          backup: true,
        },
        domain: { domainName: 'tether.example.com', certificate: cert, agentDomainName: 'agents.example.com', agentCertificate: cert },
        webAclArn: 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/tether/0123',
      });
      return s;
    });
    expect(findings(stack, 'error')).toEqual({});
  });

  it('the check catches what is not acknowledged', () => {
    // Guards the test itself: an unacknowledged finding must show up.
    const stack = synthesized(app(), (a) => {
      const s = new Stack(a, 'Bare');
      new Queue(s, 'Plain');
      return s;
    });
    expect(Object.keys(findings(stack, 'error'))).toEqual(expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
  });

  it('every acknowledgement sits on a resource of the hub (not the stack or app) and gives a reason', () => {
    const a = app({ stage: 'prod', agentEndpoint: 'FunctionUrl', alarmEmail: 'ops@example.com' });
    const stack = synthesized(a, (x) => new HubStack(x, 'TetherHub'));
    const acks = acknowledgements(a);
    expect(acks.length).toBeGreaterThan(10);
    for (const [path, id, reason] of acks) {
      expect(path).not.toBe(stack.node.path);
      expect(path.split('/').length).toBeGreaterThan(2);
      expect(id).toMatch(/^(Annotation::)?(AwsSolutions|Serverless)-/);
      expect(reason.length).toBeGreaterThan(40);
    }
  });
});
