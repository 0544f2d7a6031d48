/**
 * Child process of the Lambda-mode probe (see ./lambda-probe.ts). It runs with the environment a
 * deployed TetherHub function has (set by the parent before anything is imported, because the
 * Powertools singletons read it at import time), invokes the real exported `handler`s of the agent
 * API and the scheduler, and measures per invocation: the bytes written to stdout/stderr (what
 * CloudWatch Logs would ingest, EMF metric lines included), the handler's duration, and the
 * DynamoDB operations, counted on the handler's own client.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { countOperations, type OperationCounter } from '../lambdas/adapters/dynamodb/op-counter.js';
import { onDynamoClientCreated } from '../lambdas/handlers/compose.js';
import type { ProbeRequest, ProbeResult, ProbeStep } from './lambda-probe.js';
import { TETHER_VERSION } from '../shared/version.js';

const clients: DynamoDBClient[] = [];
// Counted from creation: a Lambda client caches each command's middleware chain at its first
// request (compose.ts, cacheSdkHandlers), so a counter attached later would never run.
const counters = new Map<DynamoDBClient, OperationCounter>();
onDynamoClientCreated((c) => {
  clients.push(c);
  counters.set(c, countOperations(c));
});
const counterOf = (c: DynamoDBClient): OperationCounter => {
  const counter = counters.get(c);
  if (!counter) throw new Error('no operation counter for this DynamoDB client');
  return counter;
};

let captured = 0;
const swallow =
  () =>
  (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    captured += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    done?.();
    return true;
  };
process.stdout.write = swallow() as typeof process.stdout.write;
process.stderr.write = swallow() as typeof process.stderr.write;

function context(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/11/24/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** The event an HTTP API (payload 2.0) or a Function URL hands the agent function. */
function agentEvent(method: string, path: string, headers: Record<string, string>, body?: string): APIGatewayProxyEventV2 {
  const now = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { host: 'agent.example.com', 'user-agent': `tether-agent/${TETHER_VERSION}`, ...headers },
    isBase64Encoded: false,
    ...(body !== undefined ? { body } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'probe',
      domainName: 'agent.example.com',
      domainPrefix: 'agent',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '198.51.100.7', userAgent: `tether-agent/${TETHER_VERSION}` },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
  };
}

async function measure(
  n: number,
  warmup: number,
  invoke: (i: number) => Promise<number | undefined>,
  counter: () => OperationCounter,
): Promise<ProbeStep> {
  for (let i = 0; i < warmup; i++) await invoke(-1 - i);
  const ops = counter();
  ops.reset();
  captured = 0;
  const statuses: Record<string, number> = {};
  let ms = 0;
  // CPU time of this process (the handler, the SDK, Node): DynamoDB Local runs in its own process.
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    const status = await invoke(i);
    ms += performance.now() - started;
    const key = String(status ?? 'ok');
    statuses[key] = (statuses[key] ?? 0) + 1;
  }
  const cpu = process.cpuUsage(cpuBefore);
  const snap = ops.snapshot();
  return {
    invocations: n,
    meanMs: ms / n,
    cpuMs: Math.min(ms, (cpu.user + cpu.system) / 1000) / n,
    logBytes: captured / n,
    ops: snap.counts,
    capacity: snap.capacity,
    statuses,
  };
}

async function run(req: ProbeRequest): Promise<ProbeResult> {
  const agent = await import('../lambdas/handlers/agent.js');
  const scheduler = await import('../lambdas/handlers/scheduler.js');
  const auth = { authorization: `Bearer ${req.credential}` };
  const poll = async () =>
    (await agent.handler(agentEvent('GET', '/agent/v1/desired', { ...auth, 'if-none-match': req.etag }), context('tether-agent-api')))
      .statusCode;
  // The first invocation builds the context (and so the DynamoDB client) lazily.
  await poll();
  const agentOps = counterOf(clients[0]);
  // Measured as a warm instance runs, after req.pollWarmup polls (see PROBE_POLL_WARMUP).
  const idlePoll = await measure(req.polls, req.pollWarmup, poll, () => agentOps);
  const statusReport = await measure(
    req.reports,
    10,
    async (i) =>
      (
        await agent.handler(
          agentEvent(
            'POST',
            '/agent/v1/status',
            { ...auth, 'content-type': 'application/json' },
            JSON.stringify({
              ...req.report,
              claims: [...(req.report.claims as unknown[]), { name: 'probe.example.com', value: String(i) }],
            }),
          ),
          context('tether-agent-api'),
        )
      ).statusCode,
    () => agentOps,
  );
  const tick = async () => {
    await scheduler.handler({}, context('tether-scheduler'));
    return undefined;
  };
  await tick();
  const schedulerOps = counterOf(clients[clients.length - 1]);
  const schedulerTick = await measure(req.ticks, 1, tick, () => schedulerOps);
  schedulerOps.detach();
  agentOps.detach();
  return { idlePoll, statusReport, schedulerTick, pollWarmup: req.pollWarmup, clients: clients.length };
}

process.once('message', (msg) => {
  run(msg as ProbeRequest).then(
    (result) => process.send?.({ ok: true, result }, () => process.exit(0)),
    (err: Error) => process.send?.({ ok: false, error: `${err.name}: ${err.message}\n${err.stack ?? ''}` }, () => process.exit(1)),
  );
});
process.send?.({ ready: true });
