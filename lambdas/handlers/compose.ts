import { Agent } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { kmsEnvelope, noEnvelope } from '../adapters/envelope/index.js';
import { createDynamoPorts, HEARTBEAT_FLUSH_INTERVAL_MS, MAX_HEARTBEAT_FLUSH_SECONDS } from '../adapters/dynamodb/index.js';
import { createSqsClient } from '../adapters/sqs/client.js';
import { SqsQueue } from '../adapters/sqs/sqs-queue.js';
import { HUB_CAPABILITIES, type Capability } from '../capabilities/index.js';
import { DEFAULT_AGENT_RATE_LIMIT, defaultHubConfig, type HubConfig, type HubContext } from '../core/context.js';
import { buildRegistry } from '../core/registry.js';
import type { AdminContext } from '../http/admin-api.js';
import type { Route } from '../http/router.js';
import { cryptoIds } from '../ports/ids.js';
import { StoredAuditLog } from './audit-log.js';
import { OidcVerifier } from '../adapters/oidc/oidc-verifier.js';
import { oidcSettingsFromEnv } from '../core/identity/oidc.js';
import { systemClock } from '../ports/clock.js';
import type { AuditEvent, Log } from '../ports/log.js';
import type { Envelope } from '../ports/envelope.js';

export interface ComposeOptions {
  tableName: string;
  queueUrl: string;
  dynamodbEndpoint?: string;
  sqsEndpoint?: string;
  region?: string;
  config?: Partial<HubConfig>;
  /** How long heartbeats wait in this process's buffer before they are written, ms. @default 10 s */
  heartbeatFlushMs?: number;
  log: Log;
  /** Extra sink for audit events (the local hub keeps them in a file). */
  auditSink?: (event: AuditEvent) => void;
  /**
   * Let the DynamoDB client build each command's middleware chain once and reuse it (the SDK's
   * `cacheMiddleware`), instead of resolving the whole stack on every request. Middleware added to
   * the client after its first request of a command is then not used for that command, so
   * instrument the client in an {@link onDynamoClientCreated} hook. Lambda handlers set it (see
   * {@link contextFromEnv}); the local hub, which tests instrument at any time, does not.
   */
  cacheSdkHandlers?: boolean;
  /** The capabilities to compose (default: all of the hub's, {@link HUB_CAPABILITIES}). */
  capabilities?: readonly Capability[];
  /** Envelope encryption of synced Secret data (the local hub: its key file). Default: {@link envelopeFromEnv}. */
  envelope?: Envelope;
}

/**
 * The envelope of a Lambda hub: the KMS key in `TETHER_SYNC_KEY_ID` (the TetherHub construct sets
 * it), or none (then syncing a Secret is refused with a clear reason; nothing else needs a key).
 */
export function envelopeFromEnv(region: string): Envelope {
  const keyId = process.env.TETHER_SYNC_KEY_ID;
  return keyId ? kmsEnvelope(new KMSClient({ region, maxAttempts: 5 }), keyId) : noEnvelope;
}

/**
 * A composed hub: the context every domain service receives (ports, settings, registry) and the
 * routes of its two APIs, all from one list of capabilities.
 */
export interface ComposedHub extends HubContext {
  routes: { admin: readonly Route<AdminContext>[]; agent: readonly Route<HubContext>[] };
}

/**
 * Builds the registry and the routes of a list of capabilities. Throws a CompositionError at start-up
 * when the list cannot work (a step declared twice, a desired-state part nobody provides, ...).
 */
export function composeCapabilities(capabilities: readonly Capability[] = HUB_CAPABILITIES): Pick<ComposedHub, 'registry' | 'routes'> {
  return {
    registry: buildRegistry(capabilities),
    routes: { admin: capabilities.flatMap((c) => c.adminRoutes ?? []), agent: capabilities.flatMap((c) => c.agentRoutes ?? []) },
  };
}

/** Name of the SDK's logger middleware, which {@link composeHub} removes from the DynamoDB client. */
export const SDK_LOGGER_MIDDLEWARE = 'loggerMiddleware';

/**
 * HTTP settings of the DynamoDB client when it talks to an endpoint on this machine (the local
 * hub's dynalite or DynamoDB Local), where the SDK's defaults are sized for a Lambda invocation
 * that sends one request at a time: the one hub process sends every poll's requests through one
 * client. More keep-alive sockets than the SDK's 50 let requests reach the store instead of
 * queueing inside the client, and the timeouts turn a wedged store into errors instead of requests
 * that wait for ever. Signing, retries and validation are unchanged.
 */
export const LOCAL_DYNAMODB_HTTP = { maxSockets: 256, connectionTimeoutMs: 2_000, requestTimeoutMs: 15_000 } as const;

function localRequestHandler() {
  return {
    httpAgent: new Agent({ keepAlive: true, maxSockets: LOCAL_DYNAMODB_HTTP.maxSockets }),
    connectionTimeout: LOCAL_DYNAMODB_HTTP.connectionTimeoutMs,
    requestTimeout: LOCAL_DYNAMODB_HTTP.requestTimeoutMs,
  };
}

const dynamoClientHooks = new Set<(client: DynamoDBClient) => void>();

/**
 * Calls `hook` with every DynamoDB client {@link composeHub} creates from now on, so tests and
 * benchmarks can instrument the real client (e.g. countOperations) of a hub they did not build,
 * such as the local hub. Returns a function that removes the hook.
 */
export function onDynamoClientCreated(hook: (client: DynamoDBClient) => void): () => void {
  dynamoClientHooks.add(hook);
  return () => {
    dynamoClientHooks.delete(hook);
  };
}

/**
 * The composition root: builds the hub (ports, config, the capabilities' registry and routes) from
 * explicit options. Lambda handlers call {@link contextFromEnv}; the local hub calls this with its
 * embedded endpoints.
 */
export function composeHub(opts: ComposeOptions): ComposedHub {
  const composed = composeCapabilities(opts.capabilities);
  const region = opts.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const local = Boolean(opts.dynamodbEndpoint);
  const ddb = new DynamoDBClient({
    region,
    ...(opts.dynamodbEndpoint ? { endpoint: opts.dynamodbEndpoint } : {}),
    ...(local ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, requestHandler: localRequestHandler() } : {}),
    maxAttempts: 5,
    ...(opts.cacheSdkHandlers ? { cacheMiddleware: true } : {}),
  });
  // The SDK's logger middleware filters every input and output for a logger that is a no-op here
  // (no `logger` is configured): work on every request for nothing. Errors still propagate.
  ddb.middlewareStack.remove(SDK_LOGGER_MIDDLEWARE);
  for (const hook of dynamoClientHooks) hook(ddb);
  const sqs = createSqsClient({ endpoint: opts.sqsEndpoint, region });
  const config = { ...defaultHubConfig, ...opts.config };
  const stores = createDynamoPorts(ddb, opts.tableName, {
    heartbeats: { flushIntervalMs: opts.heartbeatFlushMs },
    auditRetentionDays: config.auditRetentionDays,
  });
  return {
    ports: {
      ...stores,
      queue: new SqsQueue(sqs, opts.queueUrl),
      clock: systemClock,
      ids: cryptoIds,
      log: opts.log,
      audit: new StoredAuditLog(stores.audits, opts.log, Date.now, opts.auditSink),
      envelope: opts.envelope ?? envelopeFromEnv(region),
    },
    config,
    // One verifier per process: its discovery and key caches are what keep the issuer unbothered.
    ...(config.oidc ? { oidc: new OidcVerifier(config.oidc) } : {}),
    ...composed,
  };
}

function required(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`environment variable ${name} is not set; the TetherHub construct sets it`);
  return v;
}

/**
 * A whole number (of seconds, unless `unit` says otherwise) from the environment, or `def` when the variable is unset. A value that
 * is not one fails loudly, naming the variable, rather than becoming NaN inside the hub.
 */
export function seconds(name: string, def: number, min: number, max = Infinity, unit = 'seconds'): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    const range = max === Infinity ? `at least ${min}` : `from ${min} to ${max}`;
    throw new Error(`environment variable ${name} must be a whole number of ${unit}, ${range}; it is "${raw}"`);
  }
  return n;
}

/** Builds the hub context from the Lambda environment (set by the TetherHub construct). */
export function contextFromEnv(log: Log): ComposedHub {
  return composeHub({
    tableName: required('TETHER_TABLE'),
    queueUrl: required('TETHER_QUEUE_URL'),
    dynamodbEndpoint: process.env.TETHER_DYNAMODB_ENDPOINT,
    sqsEndpoint: process.env.TETHER_SQS_ENDPOINT,
    log,
    // A Lambda client gets no middleware after it is built: resolve each command's stack once.
    cacheSdkHandlers: true,
    heartbeatFlushMs: seconds('TETHER_HEARTBEAT_FLUSH_SECONDS', HEARTBEAT_FLUSH_INTERVAL_MS / 1000, 1, MAX_HEARTBEAT_FLUSH_SECONDS) * 1000,
    config: {
      hubUrl: process.env.TETHER_HUB_URL || undefined,
      agentUrl: process.env.TETHER_AGENT_URL || undefined,
      agentImage: process.env.TETHER_AGENT_IMAGE || defaultHubConfig.agentImage,
      agentVersion: process.env.TETHER_AGENT_VERSION || defaultHubConfig.agentVersion,
      pollIntervalSeconds: seconds('TETHER_POLL_INTERVAL_SECONDS', defaultHubConfig.pollIntervalSeconds, 1),
      bootstrapTokenTtlSeconds: seconds('TETHER_BOOTSTRAP_TTL_SECONDS', defaultHubConfig.bootstrapTokenTtlSeconds, 1),
      credentialMaxAgeSeconds: seconds('TETHER_CREDENTIAL_MAX_AGE_SECONDS', defaultHubConfig.credentialMaxAgeSeconds, 1),
      credentialOverlapSeconds: seconds('TETHER_CREDENTIAL_OVERLAP_SECONDS', defaultHubConfig.credentialOverlapSeconds, 0),
      upgradeDeadlineSeconds: seconds('TETHER_UPGRADE_DEADLINE_SECONDS', defaultHubConfig.upgradeDeadlineSeconds, 1),
      complianceRetentionDays: seconds('TETHER_COMPLIANCE_RETENTION_DAYS', defaultHubConfig.complianceRetentionDays, 1, 36_500, 'days'),
      replayGraceSeconds: seconds('TETHER_REPLAY_GRACE_SECONDS', defaultHubConfig.replayGraceSeconds, 1, 86_400),
      auditRetentionDays: seconds('TETHER_AUDIT_RETENTION_DAYS', defaultHubConfig.auditRetentionDays, 1, 36_500, 'days'),
      agentRateLimit: {
        requestsPerSecond: seconds(
          'TETHER_AGENT_RATE_LIMIT_PER_SECOND',
          DEFAULT_AGENT_RATE_LIMIT.requestsPerSecond,
          0,
          100_000,
          'requests',
        ),
        burst: seconds('TETHER_AGENT_RATE_LIMIT_BURST', DEFAULT_AGENT_RATE_LIMIT.burst, 1, 1_000_000, 'requests'),
        maxCredentials: seconds(
          'TETHER_AGENT_RATE_LIMIT_CREDENTIALS',
          DEFAULT_AGENT_RATE_LIMIT.maxCredentials,
          1,
          10_000_000,
          'credentials',
        ),
      },
      oidc: oidcSettingsFromEnv(process.env),
    },
  });
}

/** Lazily creates a value once (handlers build their context on the first invocation). */
export function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}
