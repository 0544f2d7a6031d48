/**
 * What Lambda's SQS event source mapping hands a function, rebuilt from ReceiveMessage output:
 * the SQSEvent, the invocation Context, and the reading of the function's batch response under
 * ReportBatchItemFailures. The local queue poller uses these so the worker handler cannot tell
 * whether it runs in Lambda or in the local hub.
 */
import { randomUUID } from 'node:crypto';
import type { Message, MessageAttributeValue } from '@aws-sdk/client-sqs';
import type { Context, SQSEvent, SQSMessageAttributes, SQSRecord, SQSRecordAttributes } from 'aws-lambda';
import { UnsupportedLambdaApiError } from './errors.js';

/** The queue a batch came from, as Lambda names it in each record. */
export interface EventSourceQueue {
  /** The queue's ARN, e.g. `arn:aws:sqs:us-east-1:000000000000:tether-work`. */
  arn: string;
  /** The region named in the ARN. */
  region: string;
}

/** Record attributes Lambda passes through when SQS returns them. */
const OPTIONAL_ATTRIBUTES = [
  'AWSTraceHeader',
  'SequenceNumber',
  'MessageGroupId',
  'MessageDeduplicationId',
  'DeadLetterQueueSourceArn',
] as const;

/** Derives the event source from a queue ARN (`arn:aws:sqs:<region>:<account>:<name>`). */
export function eventSourceOf(queueArn: string): EventSourceQueue {
  return { arn: queueArn, region: queueArn.split(':')[3] ?? 'us-east-1' };
}

/**
 * Converts received messages into the SQSEvent Lambda would deliver. The messages must have been
 * received with `MessageSystemAttributeNames: ['All']` and `MessageAttributeNames: ['All']`.
 */
export function toSqsEvent(messages: Message[], source: EventSourceQueue): SQSEvent {
  return { Records: messages.map((message) => toSqsRecord(message, source)) };
}

/** Converts one received message into a Lambda SQS record. */
export function toSqsRecord(message: Message, source: EventSourceQueue): SQSRecord {
  const received = message.Attributes ?? {};
  const attributes: SQSRecordAttributes = {
    ApproximateReceiveCount: received.ApproximateReceiveCount ?? '1',
    SentTimestamp: received.SentTimestamp ?? '',
    SenderId: received.SenderId ?? '',
    ApproximateFirstReceiveTimestamp: received.ApproximateFirstReceiveTimestamp ?? '',
  };
  for (const name of OPTIONAL_ATTRIBUTES) {
    const value = received[name];
    if (value !== undefined) attributes[name] = value;
  }
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes,
    messageAttributes: toRecordMessageAttributes(message.MessageAttributes),
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: 'aws:sqs',
    eventSourceARN: source.arn,
    awsRegion: source.region,
  };
}

/** Lambda spells message attributes in camelCase, with binary values in base64. */
function toRecordMessageAttributes(values: Record<string, MessageAttributeValue> | undefined): SQSMessageAttributes {
  const out: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(values ?? {})) {
    out[name] = {
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') } : {}),
      stringListValues: value.StringListValues ?? [],
      binaryListValues: (value.BinaryListValues ?? []).map((b) => Buffer.from(b).toString('base64')),
      dataType: value.DataType ?? 'String',
    };
  }
  return out;
}

/**
 * Which records must stay on the queue after the handler returned `result`, following Lambda's
 * ReportBatchItemFailures rules: no result, or no or an empty `batchItemFailures`, means every
 * record succeeded; listed identifiers failed; a malformed response, or an identifier that is
 * empty or not in the batch, fails the whole batch.
 */
export function failedMessageIds(result: unknown, records: SQSRecord[]): Set<string> {
  const all = new Set(records.map((r) => r.messageId));
  if (result === undefined || result === null) return new Set();
  if (typeof result !== 'object') return all;
  const failures = (result as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return new Set();
  if (!Array.isArray(failures)) return all;
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== 'string' || !all.has(id)) return all;
    failed.add(id);
  }
  return failed;
}

/** Identity of the function the local runtime pretends to be. */
export interface LambdaContextOptions {
  functionName: string;
  /** Function timeout; drives `getRemainingTimeInMillis()`. */
  timeoutSeconds: number;
  region: string;
  memoryLimitInMB?: number;
}

/** A Lambda invocation Context for one local invocation, with a fresh request id. */
export function createLambdaContext(options: LambdaContextOptions): Context {
  const deadline = Date.now() + options.timeoutSeconds * 1000;
  const unsupported = (name: string) => () => {
    throw new UnsupportedLambdaApiError(`context.${name}() is the pre-async Lambda API; return or throw from the handler instead`);
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: options.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${options.region}:000000000000:function:${options.functionName}`,
    memoryLimitInMB: String(options.memoryLimitInMB ?? 1024),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${options.functionName}`,
    logStreamName: `local/[$LATEST]${randomUUID().replaceAll('-', '')}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported('done'),
    fail: unsupported('fail'),
    succeed: unsupported('succeed'),
  };
}
