import { describe, expect, it } from '@jest/globals';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { PROBLEM_BASE } from '../../../shared/api.js';
import { NotFoundError, ThrottledError, ValidationError } from '../../../shared/errors.js';
import { QueueSendError } from '../../../lambdas/adapters/sqs/errors.js';
import { GENERIC_DETAIL } from '../../../lambdas/http/problem.js';
import { serveApiGateway } from '../../../lambdas/http/serve.js';
import type { Log } from '../../../lambdas/ports/log.js';

/** A log that keeps what was written, by level. */
function recordingLog() {
  const lines: Array<{ level: string; msg: string; data?: Record<string, unknown> }> = [];
  const at = (level: string) => (msg: string, data?: Record<string, unknown>) => lines.push({ level, msg, data });
  const log = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } as unknown as Log;
  return { log, lines, errors: () => lines.filter((l) => l.level === 'error') };
}

const event = (path: string, method = 'GET'): APIGatewayProxyEventV2 =>
  ({
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: {},
    requestContext: { http: { method, path, sourceIp: '127.0.0.1' }, requestId: 'r1' },
    isBase64Encoded: false,
  }) as unknown as APIGatewayProxyEventV2;

describe('serveApiGateway and errors', () => {
  it('logs an unexpected error with its cause chain and answers a 500 with a generic detail', async () => {
    const { log, errors } = recordingLog();
    const root = Object.assign(new Error('connect ECONNREFUSED 10.1.2.3:443'), { code: 'ECONNREFUSED' });
    const middle = new Error('DynamoDB GetItem on tether-prod failed', { cause: root });
    const out = await serveApiGateway(
      async () => {
        throw new TypeError('cannot read the cluster head', { cause: middle });
      },
      event('/v1/clusters/c1'),
      log,
    );

    expect(out.statusCode).toBe(500);
    expect(out.headers?.['content-type']).toBe('application/problem+json');
    expect(JSON.parse(out.body!)).toEqual({
      type: PROBLEM_BASE + 'internal',
      title: 'Internal error',
      status: 500,
      detail: GENERIC_DETAIL,
      instance: '/v1/clusters/c1',
    });
    expect(out.body).not.toMatch(/ECONNREFUSED|tether-prod|cannot read/);

    expect(errors()).toHaveLength(1);
    const [line] = errors();
    expect(line.msg).toBe('request failed');
    expect(line.data).toMatchObject({
      method: 'GET',
      path: '/v1/clusters/c1',
      error: {
        name: 'TypeError',
        message: 'cannot read the cluster head',
        stack: expect.stringContaining('TypeError: cannot read the cluster head'),
        cause: {
          name: 'Error',
          message: 'DynamoDB GetItem on tether-prod failed',
          stack: expect.any(String),
          cause: { name: 'Error', message: 'connect ECONNREFUSED 10.1.2.3:443', stack: expect.any(String) },
        },
      },
    });
  });

  it('logs a thrown non-Error by its value', async () => {
    const { log, errors } = recordingLog();
    const out = await serveApiGateway(
      async () => {
        throw 'boom';
      },
      event('/v1/clusters'),
      log,
    );
    expect(out.statusCode).toBe(500);
    expect(errors()).toEqual([
      expect.objectContaining({ msg: 'request failed', data: expect.objectContaining({ error: { value: 'boom' } }) }),
    ]);
  });

  it('cuts a cause chain that loops', async () => {
    const { log, errors } = recordingLog();
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    await serveApiGateway(
      async () => {
        throw a;
      },
      event('/v1/clusters'),
      log,
    );
    const text = JSON.stringify(errors()[0].data);
    expect(text).toContain('cause chain cut');
  });

  it('a QueueSendError (SQS unreachable) is a 503 with a generic detail, logged with its cause, not a silent 400', async () => {
    const { log, errors } = recordingLog();
    const sqsDown = new Error('connect ECONNREFUSED sqs.internal.example:443');
    const out = await serveApiGateway(
      async () => {
        throw new QueueSendError(
          [{ type: 'membership.recompute-clusters', index: 0, code: 'TimeoutError', message: sqsDown.message, senderFault: false }],
          1,
          { cause: sqsDown },
        );
      },
      event('/agent/v1/desired'),
      log,
    );
    expect(out.statusCode).toBe(503);
    const problem = JSON.parse(out.body!);
    expect(problem).toEqual({
      type: PROBLEM_BASE + 'queue-send-failed',
      title: 'Queue unavailable',
      status: 503,
      detail: GENERIC_DETAIL,
      instance: '/agent/v1/desired',
    });
    expect(out.body).not.toMatch(/sqs\.internal|ECONNREFUSED|membership/);
    expect(errors()).toHaveLength(1);
    expect(errors()[0].data).toMatchObject({
      path: '/agent/v1/desired',
      error: {
        name: 'QueueSendError',
        message: expect.stringContaining('1 of 1 step messages were not sent'),
        cause: { message: sqsDown.message },
      },
    });
  });

  it.each([
    ['NotFoundError', new NotFoundError('Cluster', 'c1'), 404],
    ['ValidationError', new ValidationError('spec.x is required', [{ path: 'spec.x', message: 'required' }]), 422],
    ['ThrottledError', new ThrottledError('slow down', 3), 429],
  ])('a client error (%s) keeps its message and is not logged at error level', async (_name, err, status) => {
    const { log, errors } = recordingLog();
    const out = await serveApiGateway(
      async () => {
        throw err;
      },
      event('/v1/clusters/c1'),
      log,
    );
    expect(out.statusCode).toBe(status);
    expect(JSON.parse(out.body!).detail).toBe(err.message);
    expect(errors()).toEqual([]);
  });
});
