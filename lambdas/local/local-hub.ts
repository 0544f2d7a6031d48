// First: process settings that must precede the handler modules (see the module).
import './runtime-env.js';
import { appendFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTableIfMissing } from '../adapters/dynamodb/index.js';
import { createSqsClient } from '../adapters/sqs/client.js';
import { ensureQueues } from '../adapters/sqs/queues.js';
import { buildAdminHandler } from '../handlers/admin.js';
import { buildAgentHandler } from '../handlers/agent.js';
import { composeHub, seconds } from '../handlers/compose.js';
import { keyFileEnvelope } from '../adapters/envelope/index.js';
import { log as powertoolsLog } from '../handlers/powertools.js';
import { buildSchedulerHandler } from '../handlers/scheduler.js';
import { buildWorkerHandler } from '../handlers/worker.js';
import { defaultHubConfig, type HubConfig, type HubContext } from '../core/context.js';
import type { AuditEvent, Log } from '../ports/log.js';
import { ensureLocalAdminToken } from './admin-token.js';
import { faultInjectionEnabled, injectFaults, withFaults } from './fault-injection.js';
import { applyDemoFleet } from './demo.js';
import { startDynalite, type DynaliteMode } from './dynamo-embedded.js';
import { lambdaContext, startHttpGateway } from './http-gateway.js';
import { startQueuePoller } from './queue-poller.js';
import { startSqsEmulator } from './sqs-embedded.js';

export interface LocalHubOptions {
  /** Port of the HTTP API; 0 picks a free one. Default 8080. */
  port?: number;
  /** Listen address. Default 127.0.0.1: nothing is reachable from outside unless asked. */
  host?: string;
  /** Data directory (DynamoDB files, the queue file, admin token, audit log). Default `.tether`. */
  dataDir?: string;
  /** Create the demo fleet's objects that are absent, for this many clusters (existing ones are left as they are). */
  demo?: number;
  /** Use this DynamoDB endpoint instead of the embedded dynalite (DynamoDB Local, another emulator). */
  dynamodbEndpoint?: string;
  /** Where the embedded dynalite runs: its own worker thread (default) or the hub's event loop. */
  dynalite?: DynaliteMode;
  /** Use this SQS endpoint instead of the embedded emulator. */
  sqsEndpoint?: string;
  /** Use real AWS DynamoDB and SQS (credentials and region from the environment). */
  aws?: boolean;
  tableName?: string;
  queueName?: string;
  /** Scheduler tick period in ms. Default 5000. */
  schedulerIntervalMs?: number;
  /** Overrides of hub settings (poll interval, agent image, ...). */
  config?: Partial<HubConfig>;
  log?: Log;
}

export interface LocalHub {
  url: string;
  adminToken: string;
  /** True when this start created the admin token (it is shown once). */
  adminTokenCreated: boolean;
  adminTokenFile: string;
  dataDir: string;
  /** Endpoints of the DynamoDB and SQS servers in use (embedded or external). */
  endpoints: { dynamodb?: string; sqs?: string };
  ctx: HubContext;
  /** With `demo`: how many demo objects this start created, and how many it found and left alone. */
  demo?: { created: number; existing: number };
  /** Audit events recorded since start (also appended to `<data>/audit.log`). */
  audit: AuditEvent[];
  /** Runs one scheduler tick now. */
  tick(): Promise<Record<string, number | string>>;
  /**
   * Waits until no step is queued or running. Delayed timer steps (deadlines) are not waited for
   * unless `includeDelayed` is set.
   */
  settle(timeoutMs?: number, opts?: { includeDelayed?: boolean }): Promise<void>;
  /** Graceful stop: refuse new requests, finish queued steps, close the stand-ins. */
  close(): Promise<void>;
}

/**
 * Starts the whole hub in this process: the admin and agent APIs behind a node:http gateway, the
 * worker fed by a queue poller, a scheduler timer, and embedded dynalite (on a worker thread of its
 * own) and SQS emulator — all on 127.0.0.1 — running the same handler functions as Lambda.
 */
export async function startLocalHub(opts: LocalHubOptions = {}): Promise<LocalHub> {
  const dataDir = resolve(opts.dataDir ?? '.tether');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const log = opts.log ?? powertoolsLog;
  const cleanups: (() => Promise<void>)[] = [];
  const closeAll = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  };
  try {
    let dynamodbEndpoint = opts.dynamodbEndpoint;
    let sqsEndpoint = opts.sqsEndpoint;
    if (!opts.aws && !dynamodbEndpoint) {
      const db = await startDynalite({
        path: join(dataDir, 'dynamodb'),
        mode: opts.dynalite,
        onCrash: (error) => log.error('the embedded DynamoDB stopped; the hub cannot serve until restarted', { error: error.message }),
      });
      cleanups.push(() => db.close());
      dynamodbEndpoint = db.endpoint;
    }
    if (!opts.aws && !sqsEndpoint) {
      const sqs = await startSqsEmulator({ dataDir: join(dataDir, 'sqs') });
      cleanups.push(() => sqs.close());
      sqsEndpoint = sqs.endpoint;
    }
    const tableName = opts.tableName ?? 'tether';
    const queueName = opts.queueName ?? 'tether-work';
    const credentials = opts.aws ? undefined : { accessKeyId: 'local', secretAccessKey: 'local' };
    const region = process.env.AWS_REGION ?? 'us-east-1';
    const ddb = new DynamoDBClient({ region, endpoint: dynamodbEndpoint, credentials });
    await createTableIfMissing(ddb, tableName);
    ddb.destroy();
    const sqsClient = createSqsClient({ endpoint: sqsEndpoint, region });
    cleanups.push(async () => sqsClient.destroy());
    const queues = await ensureQueues(sqsClient, { name: queueName });

    const audit: AuditEvent[] = [];
    const auditFile = join(dataDir, 'audit.log');
    const ctx = composeHub({
      tableName,
      queueUrl: queues.queueUrl,
      dynamodbEndpoint,
      sqsEndpoint,
      region,
      log,
      // The one setting the local hub takes from the environment, so that crash tests of `tether dev` can shorten it.
      config: {
        replayGraceSeconds: seconds('TETHER_REPLAY_GRACE_SECONDS', defaultHubConfig.replayGraceSeconds, 1, 86_400),
        ...opts.config,
      },
      // Synced Secret data is sealed under a key file of the data directory (0600; refused when others may read it).
      envelope: keyFileEnvelope(join(dataDir, 'sync.key')),
      auditSink: (e) => {
        const entry = { time: new Date().toISOString(), ...e };
        audit.push(entry);
        if (audit.length > 10_000) audit.shift();
        appendFileSync(auditFile, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
      },
    });
    // Heartbeats still buffered in this process are written on close (the DynamoDB stand-in stops later).
    cleanups.push(() => ctx.ports.heartbeats.flush());
    // So are audit records, the counted denials included.
    cleanups.push(async () => {
      await ctx.ports.audit.flush?.(true);
    });
    const admin = await ensureLocalAdminToken(ctx, dataDir);
    const faults = faultInjectionEnabled();
    if (faults) {
      injectFaults(ctx);
      log.warn('fault injection is on (TETHER_FAULT_INJECTION=1): a request may kill this process; never use it outside tests');
    }

    const worker = buildWorkerHandler(() => ctx);
    const poller = startQueuePoller({
      client: sqsClient,
      queueUrl: queues.queueUrl,
      handler: (event) => worker(event, lambdaContext('tether-worker')),
      waitTimeSeconds: 1,
    });
    cleanups.push(() => poller.stop());

    const gateway = await startHttpGateway({
      host: opts.host ?? '127.0.0.1',
      port: opts.port ?? 8080,
      routes: [
        { prefix: '/agent', functionName: 'tether-agent-api', handler: buildAgentHandler(() => ctx) },
        {
          prefix: '/',
          functionName: 'tether-admin',
          handler: faults ? withFaults(buildAdminHandler(() => ctx)) : buildAdminHandler(() => ctx),
        },
      ],
    });
    // Stopping order on close: the gateway first (refuse new work), then drain the queue.
    cleanups.push(async () => {
      // Delayed steps (deadline timers) cannot run now; they stay in the queue's file for the next start.
      await poller.drain(10_000, { ignoreDelayed: true }).catch(() => undefined);
    });
    cleanups.push(() => gateway.close());
    ctx.config.hubUrl ??= gateway.url;

    const scheduler = buildSchedulerHandler(() => ctx);
    const tick = () => scheduler({}, lambdaContext('tether-scheduler'));
    const timer = setInterval(
      () => void tick().catch((err) => log.error('scheduler tick failed', { error: String(err) })),
      opts.schedulerIntervalMs ?? 5000,
    );
    timer.unref();
    cleanups.push(async () => clearInterval(timer));

    const demo = opts.demo && opts.demo > 0 ? await applyDemoFleet(ctx, opts.demo) : undefined;

    let closed = false;
    return {
      url: gateway.url,
      adminToken: admin.token,
      adminTokenCreated: admin.created,
      adminTokenFile: admin.file,
      dataDir,
      endpoints: { dynamodb: dynamodbEndpoint, sqs: sqsEndpoint },
      ctx,
      demo,
      audit,
      tick,
      settle: (timeoutMs = 15_000, opts = {}) => poller.drain(timeoutMs, { ignoreDelayed: !opts.includeDelayed }),
      close: async () => {
        if (closed) return;
        closed = true;
        await closeAll();
      },
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
