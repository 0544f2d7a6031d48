/**
 * Creates the work queue and its dead-letter queue on an SQS endpoint, the way the CDK construct
 * creates them in AWS. Used by the local hub and by tests.
 */
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SetQueueAttributesCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { SqsResponseError } from './errors.js';

/** Queue settings shared by the local hub and the CDK construct, so both behave alike. */
export const WORK_QUEUE_DEFAULTS = {
  /** Receives before SQS moves a message to the DLQ. */
  maxReceiveCount: 5,
  /** Seconds a received message stays invisible; the worker Lambda's timeout must be shorter. */
  visibilityTimeoutSeconds: 60,
  /** DLQ retention: the maximum, so a person has time to look. */
  dlqRetentionSeconds: 14 * 24 * 3600,
  /** Suffix of the DLQ's name. */
  dlqSuffix: '-dlq',
} as const;

/** What {@link ensureQueues} creates. */
export interface EnsureQueuesOptions {
  /** Work queue name; the DLQ is `<name>-dlq`. */
  name: string;
  /** Default {@link WORK_QUEUE_DEFAULTS.maxReceiveCount}. */
  maxReceiveCount?: number;
  /** Default {@link WORK_QUEUE_DEFAULTS.visibilityTimeoutSeconds}. */
  visibilityTimeoutSeconds?: number;
}

/** URLs and ARNs of the queues {@link ensureQueues} made sure of. */
export interface EnsuredQueues {
  queueUrl: string;
  queueArn: string;
  dlqUrl: string;
  dlqArn: string;
}

/**
 * Creates the work queue and its DLQ if they are missing, with a RedrivePolicy that moves a
 * message to the DLQ after `maxReceiveCount` receives. Idempotent: when a queue already exists
 * with other settings (SQS answers QueueNameExists), its settings are updated to these.
 */
export async function ensureQueues(client: SQSClient, options: EnsureQueuesOptions): Promise<EnsuredQueues> {
  const maxReceiveCount = options.maxReceiveCount ?? WORK_QUEUE_DEFAULTS.maxReceiveCount;
  const visibility = options.visibilityTimeoutSeconds ?? WORK_QUEUE_DEFAULTS.visibilityTimeoutSeconds;

  const dlqUrl = await ensureQueue(client, `${options.name}${WORK_QUEUE_DEFAULTS.dlqSuffix}`, {
    MessageRetentionPeriod: String(WORK_QUEUE_DEFAULTS.dlqRetentionSeconds),
  });
  const dlqArn = await queueArn(client, dlqUrl);
  const queueUrl = await ensureQueue(client, options.name, {
    VisibilityTimeout: String(visibility),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount }),
  });
  return { queueUrl, queueArn: await queueArn(client, queueUrl), dlqUrl, dlqArn };
}

async function ensureQueue(client: SQSClient, name: string, attributes: Record<string, string>): Promise<string> {
  try {
    const created = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    if (created.QueueUrl) return created.QueueUrl;
  } catch (error) {
    if (!isQueueNameExists(error)) throw error;
  }
  const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: name }));
  if (!QueueUrl) throw new SqsResponseError(`SQS returned no URL for queue ${name}`);
  await client.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: attributes }));
  return QueueUrl;
}

async function queueArn(client: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await client.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  const arn = Attributes?.QueueArn;
  if (!arn) throw new SqsResponseError(`SQS returned no QueueArn for ${queueUrl}`);
  return arn;
}

/**
 * Recognises "a queue with this name exists with other attributes" by its codes, not by class:
 * the SDK's error classes exist twice (CJS and ESM builds), and with SQS's query-compatible
 * JSON protocol the error's name comes from the legacy query code, which differs by endpoint
 * (`QueueAlreadyExists` on SQS, `AWS.SimpleQueueService.QueueNameExists` on fauxqs).
 */
function isQueueNameExists(error: unknown): boolean {
  const e = error as { name?: unknown; Code?: unknown; __type?: unknown } | null;
  return [e?.name, e?.Code, e?.__type].some((code) => typeof code === 'string' && /(QueueNameExists|QueueAlreadyExists)$/.test(code));
}
