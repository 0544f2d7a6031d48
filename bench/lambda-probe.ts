import { fork } from 'node:child_process';
import { join } from 'node:path';
import { createSqsClient } from '../lambdas/adapters/sqs/client.js';
import { ensureQueues } from '../lambdas/adapters/sqs/queues.js';
import { TetherError } from '../shared/errors.js';
import type { BenchHub } from './hub.js';
import { TETHER_VERSION } from '../shared/version.js';

/**
 * The Lambda-mode probe: runs the deployed handlers (`lambdas/handlers/agent.ts` and
 * `scheduler.ts`, the exact entry points TetherHub bundles) in a child process whose environment
 * is what Lambda gives them, against the bench hub's DynamoDB and SQS. It measures what the cost
 * model cannot count in the local hub: the log bytes per invocation (Powertools lines and EMF
 * metrics, as CloudWatch Logs would ingest them) and the handler's duration.
 */

/** What the child measured for one kind of invocation (per-invocation means). */
export interface ProbeStep {
  invocations: number;
  meanMs: number;
  /** Mean CPU time of the handler's process per invocation, ms (user + system; at most meanMs). */
  cpuMs: number;
  logBytes: number;
  ops: Record<string, number>;
  capacity: Record<string, number>;
  /** HTTP statuses (or `ok` for the scheduler) and how often. */
  statuses: Record<string, number>;
}

/** The probe's answer. */
export interface ProbeResult {
  idlePoll: ProbeStep;
  statusReport: ProbeStep;
  schedulerTick: ProbeStep;
  /** Polls served, unmeasured, before the idle poll was measured. */
  pollWarmup: number;
  /** DynamoDB clients the handlers built (one per handler module). */
  clients: number;
}

/**
 * Polls the probe serves before it measures the idle poll. A warm agent-function instance serves
 * thousands of polls (about 70 a second at 10,000 clusters) and lives for hours, so the poll is
 * priced as it runs then, once the JIT has optimised its path. Its CPU time keeps falling for the
 * first few thousand polls: on the bundled handler, 0.9 ms after 200 polls, 0.53 ms after 1,000,
 * 0.44-0.49 ms from 3,000 on.
 */
export const PROBE_POLL_WARMUP = 5000;

/** What the parent sends the child. */
export interface ProbeRequest {
  credential: string;
  etag: string;
  /** A status report body the agent would send (the child varies a claim so that each one writes). */
  report: Record<string, unknown>;
  polls: number;
  /** Polls served, unmeasured, before the measured ones. */
  pollWarmup: number;
  reports: number;
  ticks: number;
}

/** The probe failed (child crashed, or a handler answered an error). */
export class LambdaProbeError extends TetherError {
  // 500: the probe's own child or handler failed.
  static override readonly status = 500;
  static override readonly title = 'Lambda probe failed';
  readonly code = 'lambda-probe-failed';
}

/** Options of {@link runLambdaProbe}. */
export interface LambdaProbeOptions extends Omit<ProbeRequest, 'polls' | 'pollWarmup' | 'reports' | 'ticks'> {
  polls?: number;
  reports?: number;
  ticks?: number;
  /** Powertools log level of the functions. Default INFO, TetherFunction's default. */
  logLevel?: string;
  /** Memory size the functions report. Default 512, TetherFunction's default. */
  memoryMb?: number;
}

/** Runs the probe against `bench`'s stores; resolves with per-invocation figures. */
export async function runLambdaProbe(bench: BenchHub, opts: LambdaProbeOptions): Promise<ProbeResult> {
  const sqs = createSqsClient({ endpoint: bench.sqsEndpoint });
  let queueUrl: string;
  try {
    queueUrl = (await ensureQueues(sqs, { name: bench.queueName })).queueUrl;
  } finally {
    sqs.destroy();
  }
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('POWERTOOLS_') && k !== 'NODE_OPTIONS') env[k] = v;
  Object.assign(env, {
    AWS_LAMBDA_FUNCTION_NAME: 'tether-agent-api',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(opts.memoryMb ?? 512),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_REGION: 'us-east-1',
    POWERTOOLS_SERVICE_NAME: 'tether-agent-api',
    POWERTOOLS_METRICS_NAMESPACE: 'Tether',
    POWERTOOLS_LOG_LEVEL: opts.logLevel ?? 'INFO',
    // The X-Ray SDK would send UDP segments to a daemon that does not exist here; Lambda records
    // its own segment for active tracing anyway, which the cost model prices separately.
    POWERTOOLS_TRACE_ENABLED: 'false',
    TETHER_TABLE: bench.tableName,
    TETHER_QUEUE_URL: queueUrl,
    TETHER_DYNAMODB_ENDPOINT: bench.dynamodbEndpoint,
    TETHER_SQS_ENDPOINT: bench.sqsEndpoint,
    TETHER_AGENT_IMAGE: 'ghcr.io/tether-dev/tether-agent',
    TETHER_AGENT_VERSION: TETHER_VERSION,
    // The probe replays one credential thousands of times back to back, which the per-credential
    // rate limit (2/s, burst 120) would answer 429; an agent polling every 30 s never meets it. A
    // burst the probe cannot exhaust keeps the limiter's check in every timed poll, refusing none.
    TETHER_AGENT_RATE_LIMIT_BURST: '1000000',
  });
  const child = fork(join(process.cwd(), 'bench', 'lambda-probe-child.ts'), [], {
    cwd: process.cwd(),
    env,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-4000);
  });
  const request: ProbeRequest = {
    credential: opts.credential,
    etag: opts.etag,
    report: opts.report,
    polls: opts.polls ?? 5000,
    pollWarmup: PROBE_POLL_WARMUP,
    reports: opts.reports ?? 100,
    ticks: opts.ticks ?? 10,
  };
  const result = await new Promise<ProbeResult>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new LambdaProbeError(`the probe did not finish within 120 s\n${stderr}`));
    }, 120_000);
    child.on('message', (msg: { ready?: boolean; ok?: boolean; result?: ProbeResult; error?: string }) => {
      if (msg.ready) {
        child.send(request);
        return;
      }
      clearTimeout(timer);
      if (msg.ok && msg.result) resolve(msg.result);
      else reject(new LambdaProbeError(`the probe failed: ${msg.error}\n${stderr}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new LambdaProbeError(`the probe exited with ${code}\n${stderr}`));
    });
  });
  for (const [step, expected] of [
    [result.idlePoll, '304'],
    [result.statusReport, '204'],
  ] as const) {
    if (step.statuses[expected] !== step.invocations)
      throw new LambdaProbeError(`expected only ${expected} answers, got ${JSON.stringify(step.statuses)}`);
  }
  return result;
}
