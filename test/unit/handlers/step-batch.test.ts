import { describe, expect, it } from '@jest/globals';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { z } from 'zod';
import { decodeStepRecord, processBatch } from '../../../lambdas/handlers/step-batch.js';
import type { HubContext } from '../../../lambdas/core/context.js';
import { buildRegistry } from '../../../lambdas/core/registry.js';
import { defineStep, PoisonMessageError } from '../../../lambdas/core/steps.js';
import { QueueSendError } from '../../../lambdas/adapters/sqs/errors.js';
import type { Log } from '../../../lambdas/ports/log.js';

/** SQS records in, step messages to the domain, the partial-batch answer out. */

const ran: string[] = [];
const okStep = defineStep({
  type: 'test.step-batch.ok',
  payload: z.object({ id: z.string() }),
  run: async ({ id }) => {
    ran.push(id);
  },
});
const failingStep = defineStep({
  type: 'test.step-batch.fails',
  payload: z.object({}),
  run: async () => {
    throw new QueueSendError([{ type: 'x', index: 0, code: 'InternalError', message: 'SQS failed', senderFault: false }], 1);
  },
});

const record = (messageId: string, body: string): SQSRecord =>
  ({
    messageId,
    body,
    attributes: { ApproximateReceiveCount: '2' },
    receiptHandle: 'r',
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn',
    awsRegion: 'us-east-1',
  }) as unknown as SQSRecord;

function context() {
  const lines: Array<{ level: string; msg: string; data?: Record<string, unknown> }> = [];
  const at = (level: string) => (msg: string, data?: Record<string, unknown>) => lines.push({ level, msg, data });
  const log = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } as unknown as Log;
  return {
    ctx: { ports: { log }, registry: buildRegistry([{ name: 'test', steps: [okStep, failingStep] }]) } as unknown as HubContext,
    lines,
  };
}

describe('decodeStepRecord', () => {
  it('decodes {type, payload}, dropping anything else', () => {
    expect(decodeStepRecord(record('m1', JSON.stringify({ type: 't', payload: { a: 1 }, extra: true })))).toEqual({
      type: 't',
      payload: { a: 1 },
    });
  });

  it.each([
    ['not JSON', '{nope', /m1 is not JSON/],
    ['no type', JSON.stringify({ payload: {} }), /m1 is not a step message/],
    ['a null payload', JSON.stringify({ type: 't', payload: null }), /m1 is not a step message/],
    ['null', 'null', /m1 is not a step message/],
  ])('refuses %s as a poison message', (_label, body, message) => {
    expect(() => decodeStepRecord(record('m1', body))).toThrow(PoisonMessageError);
    expect(() => decodeStepRecord(record('m1', body))).toThrow(message);
  });
});

describe('processBatch', () => {
  it('runs every record and reports only the failed ones; poison is logged as an error, a failed step as a warning', async () => {
    const { ctx, lines } = context();
    ran.length = 0;
    const event: SQSEvent = {
      Records: [
        record('ok-1', JSON.stringify({ type: 'test.step-batch.ok', payload: { id: 'a' } })),
        record('poison-1', 'not json'),
        record('unknown-1', JSON.stringify({ type: 'test.step-batch.nope', payload: {} })),
        record('fails-1', JSON.stringify({ type: 'test.step-batch.fails', payload: {} })),
        record('ok-2', JSON.stringify({ type: 'test.step-batch.ok', payload: { id: 'b' } })),
      ],
    };
    const result = await processBatch(event, ctx);
    expect(result.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(['fails-1', 'poison-1', 'unknown-1']);
    expect(ran.sort()).toEqual(['a', 'b']);
    const byId = (id: string) => lines.find((l) => l.data?.messageId === id);
    expect(byId('poison-1')).toMatchObject({
      level: 'error',
      msg: 'step failed',
      data: { poison: true, receiveCount: '2', error: expect.stringMatching(/^PoisonMessageError: /) },
    });
    expect(byId('unknown-1')).toMatchObject({
      level: 'error',
      data: { poison: true, error: expect.stringContaining('unknown step type "test.step-batch.nope"') },
    });
    expect(byId('fails-1')).toMatchObject({ level: 'warn', data: { poison: false, error: expect.stringMatching(/^QueueSendError: /) } });
  });

  it('answers an empty failure list when every record succeeded', async () => {
    const { ctx } = context();
    expect(
      await processBatch({ Records: [record('ok-3', JSON.stringify({ type: 'test.step-batch.ok', payload: { id: 'c' } }))] }, ctx),
    ).toEqual({ batchItemFailures: [] });
  });
});
