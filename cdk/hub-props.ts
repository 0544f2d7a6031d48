import type { ThrottleSettings } from 'aws-cdk-lib/aws-apigatewayv2';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { MAX_HEARTBEAT_FLUSH_SECONDS } from '../lambdas/adapters/dynamodb/heartbeat-log.js';
import { ValidationError, type FieldError } from '../shared/errors.js';
import type { HubDomainOptions } from './hub-edge.js';
import type { HubTableOptions } from './hub-table.js';
import { NODE_RUNTIMES, type NodeRuntime } from './tether-function.js';

/** Deployment stage: `dev` data is disposable, `prod` data is retained and deletion-protected. */
export type TetherStage = 'dev' | 'prod';

/**
 * How agents reach the hub. `HttpApi`: the `/agent/*` routes of the shared HTTP API.
 * `FunctionUrl`: a Lambda Function URL on the agent function (about a fifth of the per-request
 * price of an HTTP API; the agent still authenticates with its bearer credential in the handler).
 */
export type AgentEndpoint = 'HttpApi' | 'FunctionUrl';

/** Log levels the agent function accepts: the names Powertools and Lambda's log filtering share. */
export const AGENT_LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
/** A log level of the agent function. */
export type AgentLogLevel = (typeof AGENT_LOG_LEVELS)[number];

/** Levels of Lambda's own (platform) log lines. */
export const SYSTEM_LOG_LEVELS = ['DEBUG', 'INFO', 'WARN'] as const;

/**
 * Logging and tracing of the agent function. Every agent poll invokes it, so per-request extras
 * are multiplied by the whole fleet's poll rate: by default it has no X-Ray tracing and uses
 * Lambda's JSON log format without the START/END/REPORT lines. Turn them back on while debugging.
 */
export interface AgentFunctionOptions {
  /** X-Ray active tracing. The other functions are always traced. @default false */
  readonly tracing?: boolean;
  /**
   * Level of the handler's own log lines (Powertools and Lambda's application log level). At
   * `INFO` an ordinary poll or status report writes nothing; denials are logged at WARN, failures
   * at ERROR, and joins and credential rotations as INFO audit lines. `DEBUG` adds one line per
   * request (method, path, status, duration).
   * @default the hub's `logLevel`, else 'INFO'
   */
  readonly logLevel?: AgentLogLevel;
  /**
   * Level of Lambda's own lines. `WARN` drops START, END and REPORT (about 260 bytes per
   * invocation); `INFO` brings them back, with the REPORT line's duration and memory used.
   * @default 'WARN'
   */
  readonly systemLogLevel?: (typeof SYSTEM_LOG_LEVELS)[number];
  /**
   * Memory of the agent function, MB (128 to 10,240). Lambda bills memory × time and gives CPU in
   * proportion to memory, so for a handler that mostly waits on DynamoDB, less memory costs less.
   * The bundled handler holds about 70 MB after loading and under 100 MB after thousands of polls
   * (Node 20 here), which leaves room at 256 MB; 128 MB would be tight.
   * @default 256
   */
  readonly memorySize?: number;
}

/**
 * Reserved concurrency of each function: the most instances it may run AND the share of the
 * account's concurrency kept for it. A flood on the public agent endpoint then throttles only the
 * agent function (429s to callers), never admin, worker, scheduler or other workloads of the
 * account; and they cannot starve the agent function either.
 *
 * Lambda keeps at least 100 of the account's concurrency unreserved, so the sum must stay at or
 * below the account's quota minus 100 or the deploy fails. The defaults sum to 132, which needs a
 * quota of at least 232 (the usual default is 1,000; new accounts may start at 10).
 */
export interface ReservedConcurrency {
  /** @default 10 (people and CI; each admin call lasts milliseconds) */
  readonly admin?: number;
  /** @default 100 (an idle poll takes ~10 ms: 100 instances serve ~10,000 polls/s) */
  readonly agent?: number;
  /** At least 2 (the SQS event source runs at least 2). @default 20 (and the event source never runs more than this) */
  readonly worker?: number;
  /** @default 2 (one tick a minute; a second instance only when a tick overruns) */
  readonly scheduler?: number;
}

/** Default {@link ReservedConcurrency}. */
export const DEFAULT_RESERVED_CONCURRENCY: Required<ReservedConcurrency> = { admin: 10, agent: 100, worker: 20, scheduler: 2 };

/**
 * Throttles of the HTTP API per route group, so that a flood on one cannot use up the others'
 * share: each route has its own token bucket (API Gateway route settings).
 */
export interface RouteThrottles {
  /** `ANY /v1/{proxy+}`. @default 50 requests/s, burst 100 */
  readonly admin?: ThrottleSettings;
  /** The console and the public documents (`GET /`, `/console`, `/console/{proxy+}`, `/healthz`, `/openapi.json`). @default 20/s, burst 40 */
  readonly console?: ThrottleSettings;
  /** `ANY /agent/{proxy+}` (`HttpApi` profile). @default 1,000/s, burst 2,000 */
  readonly agent?: ThrottleSettings;
}

/** Default {@link RouteThrottles}. */
export const DEFAULT_ROUTE_THROTTLES: Required<RouteThrottles> = {
  admin: { rateLimit: 50, burstLimit: 100 },
  console: { rateLimit: 20, burstLimit: 40 },
  agent: { rateLimit: 1000, burstLimit: 2000 },
};

/** Properties of {@link TetherHub}. */
export interface TetherHubProps {
  /** `dev` destroys the table and queues with the stack; `prod` retains them and protects the table. */
  readonly stage: TetherStage;
  /** Container image repository of the agent, e.g. `ghcr.io/acme/tether-agent`; goes into import manifests. */
  readonly agentImage: string;
  /** Agent version (image tag) new clusters get unless their spec asks for another. */
  readonly agentVersion: string;
  /**
   * Public base URL of the hub (for example a custom domain), written into import manifests.
   * When unset, the admin function derives it from the request. With the `FunctionUrl` profile the
   * admin function also gets `TETHER_AGENT_URL`, the Function URL that agents poll.
   */
  readonly hubUrl?: string;
  /** Poll interval the hub tells agents to use, in seconds (5 to 3600). @default the handler's default */
  readonly pollIntervalSeconds?: number;
  /**
   * How long an agent-function instance buffers heartbeats before it writes them, in seconds
   * (1 to 60). Longer means fewer, larger writes and a later Unknown: the interval is added to the
   * silence the sweep allows. @default 10
   */
  readonly heartbeatFlushSeconds?: number;
  /**
   * Days the compliance history is kept (1 to 36,500): reads never reach further back, and events
   * become eligible for TTL clean-up after it. @default 730 (two years)
   */
  readonly complianceRetentionDays?: number;
  /**
   * Days the audit trail is kept (1 to 36,500): reads never reach further back, and events become
   * eligible for TTL clean-up after it. @default 366 (a year)
   */
  readonly auditRetentionDays?: number;
  /**
   * Single sign-on: the OIDC issuer whose ID tokens the admin API accepts (docs/tenancy.md). Passed
   * to the admin function as TETHER_OIDC_* variables; absent, only API tokens are accepted.
   */
  readonly oidc?: TetherHubOidcProps;
  /** SNS topic for alarm and OK notifications. */
  readonly alarmTopic?: ITopic;
  /** @default 'HttpApi' */
  readonly agentEndpoint?: AgentEndpoint;
  /** Default throttling of the HTTP API stage. @default 1000 requests/s, burst 2000 */
  readonly throttle?: ThrottleSettings;
  /** Powertools log level of all functions (the agent function's can be set apart). @default 'INFO' */
  readonly logLevel?: string;
  /** Tracing and logging of the agent function, the one every poll invokes. @default quiet: see {@link AgentFunctionOptions} */
  readonly agentFunction?: AgentFunctionOptions;
  /**
   * Directory holding `lambdas/handlers/*.ts` and `package-lock.json`.
   * @default the Tether checkout or package this construct was loaded from
   */
  readonly projectRoot?: string;
  /** Node runtime of every function: `nodejs22.x` or `nodejs24.x`. @default 'nodejs22.x' */
  readonly runtime?: NodeRuntime;
  /**
   * Reserved concurrency per function (see {@link ReservedConcurrency} for the small-account
   * rule). `false` reserves nothing: for accounts whose quota is too small (the worker's event
   * source still runs at most {@link workerMaxConcurrency}; the agent function is then bounded
   * by nothing but the account).
   * @default {@link DEFAULT_RESERVED_CONCURRENCY}
   */
  readonly reservedConcurrency?: ReservedConcurrency | false;
  /**
   * Most worker instances the SQS event source runs at once (2 to 1000); at most the worker's
   * reserved concurrency, so the poller never takes messages it cannot hand over.
   * @default the worker's reserved concurrency, else 20
   */
  readonly workerMaxConcurrency?: number;
  /** Per-route throttles of the HTTP API. @default {@link DEFAULT_ROUTE_THROTTLES} */
  readonly routeThrottles?: RouteThrottles;
  /** Retention of the functions' log groups (audit lines included). @default one month */
  readonly logRetention?: RetentionDays;
  /** Retention of the HTTP API's access log. @default three months */
  readonly accessLogRetention?: RetentionDays;
  /** The table: an existing one, a KMS key, replicas, backups. @default a new table */
  readonly table?: HubTableOptions;
  /**
   * The KMS key that wraps the data keys of synced Secret data (resource sync's envelope
   * encryption). Only the agent function may use it (GenerateDataKey and Decrypt). Bring your own
   * to control its policy and rotation. @default a new key with yearly rotation, retained with a
   * `prod` stage
   */
  readonly syncKey?: IKey;
  /** Custom domain names (API Gateway custom domain; CloudFront in front of a Function URL). */
  readonly domain?: HubDomainOptions;
  /**
   * ARN of an AWS WAF web ACL with scope CLOUDFRONT (created in us-east-1). HTTP APIs cannot be
   * associated with WAF, so the hub puts a CloudFront distribution carrying the ACL in front of
   * the HTTP API and one in front of the Function URL (see docs/deploy.md for what stays reachable).
   */
  readonly webAclArn?: string;
}

/** Props arrive from CDK context and plain JavaScript too, so check what the types cannot. */
export function validateProps(props: TetherHubProps): void {
  const errors: FieldError[] = [];
  errors.push(...oidcErrors(props.oidc));
  if (props.stage !== 'dev' && props.stage !== 'prod') {
    errors.push({ path: 'stage', message: `must be "dev" or "prod", got ${JSON.stringify(props.stage)}` });
  }
  const endpoint = props.agentEndpoint;
  if (endpoint !== undefined && endpoint !== 'HttpApi' && endpoint !== 'FunctionUrl') {
    errors.push({ path: 'agentEndpoint', message: `must be "HttpApi" or "FunctionUrl", got ${JSON.stringify(endpoint)}` });
  }
  if (!props.agentImage) errors.push({ path: 'agentImage', message: 'must not be empty' });
  if (!props.agentVersion) errors.push({ path: 'agentVersion', message: 'must not be empty' });
  const poll = props.pollIntervalSeconds;
  if (poll !== undefined && (!Number.isInteger(poll) || poll < 5 || poll > 3600)) {
    errors.push({ path: 'pollIntervalSeconds', message: `must be an integer from 5 to 3600, got ${poll}` });
  }
  const flush = props.heartbeatFlushSeconds;
  if (flush !== undefined && (!Number.isInteger(flush) || flush < 1 || flush > MAX_HEARTBEAT_FLUSH_SECONDS)) {
    errors.push({ path: 'heartbeatFlushSeconds', message: `must be an integer from 1 to ${MAX_HEARTBEAT_FLUSH_SECONDS}, got ${flush}` });
  }
  errors.push(...agentFunctionErrors(props));
  errors.push(...deploymentErrors(props));
  if (props.hubUrl !== undefined && !/^https?:\/\/[^/]+/.test(props.hubUrl)) {
    errors.push({ path: 'hubUrl', message: `must be an absolute http(s) URL, got ${JSON.stringify(props.hubUrl)}` });
  }
  if (errors.length > 0) {
    throw new ValidationError(`Invalid TetherHub properties: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, errors);
  }
}

function agentFunctionErrors(props: TetherHubProps): FieldError[] {
  const errors: FieldError[] = [];
  const options: AgentFunctionOptions = props.agentFunction ?? {};
  const oneOf = (path: string, value: unknown, allowed: readonly string[]) => {
    if (value !== undefined && !allowed.includes(String(value).toUpperCase())) {
      errors.push({ path, message: `must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}` });
    }
  };
  if (options.tracing !== undefined && typeof options.tracing !== 'boolean') {
    errors.push({ path: 'agentFunction.tracing', message: `must be true or false, got ${JSON.stringify(options.tracing)}` });
  }
  // The agent function also hands its level to Lambda's log filter, which knows fewer names.
  if (options.logLevel !== undefined) oneOf('agentFunction.logLevel', options.logLevel, AGENT_LOG_LEVELS);
  else oneOf('logLevel', props.logLevel, AGENT_LOG_LEVELS);
  oneOf('agentFunction.systemLogLevel', options.systemLogLevel, SYSTEM_LOG_LEVELS);
  const memory = options.memorySize;
  if (memory !== undefined && !(Number.isInteger(memory) && memory >= 128 && memory <= 10_240)) {
    errors.push({
      path: 'agentFunction.memorySize',
      message: `must be a whole number of MB from 128 to 10240, got ${JSON.stringify(memory)}`,
    });
  }
  return errors;
}

/** Runtime, concurrency, throttles, table and edge options. */
function deploymentErrors(props: TetherHubProps): FieldError[] {
  const errors: FieldError[] = [];
  if (props.runtime !== undefined && !(NODE_RUNTIMES as readonly string[]).includes(props.runtime)) {
    errors.push({ path: 'runtime', message: `must be one of ${NODE_RUNTIMES.join(', ')}, got ${JSON.stringify(props.runtime)}` });
  }
  const reserved = props.reservedConcurrency;
  if (reserved !== undefined && reserved !== false) {
    for (const [name, value] of Object.entries(reserved)) {
      // The worker's SQS event source runs at least 2 instances, so the worker needs room for them.
      const min = name === 'worker' ? 2 : 1;
      if (value !== undefined && !(Number.isInteger(value) && value >= min)) {
        errors.push({
          path: `reservedConcurrency.${name}`,
          message: `must be a whole number of at least ${min}, got ${JSON.stringify(value)}`,
        });
      }
    }
  }
  const max = props.workerMaxConcurrency;
  const workerReserved = reserved === false ? undefined : (reserved?.worker ?? DEFAULT_RESERVED_CONCURRENCY.worker);
  if (max !== undefined && !(Number.isInteger(max) && max >= 2 && max <= 1000)) {
    errors.push({ path: 'workerMaxConcurrency', message: `must be a whole number from 2 to 1000, got ${JSON.stringify(max)}` });
  } else if (max !== undefined && workerReserved !== undefined && max > workerReserved) {
    errors.push({
      path: 'workerMaxConcurrency',
      message: `must not exceed the worker's reserved concurrency (${workerReserved}), got ${max}`,
    });
  }
  const table = props.table ?? {};
  if (table.existingTableName !== undefined) {
    for (const field of ['tableName', 'replicaRegions', 'replicaKeyArns'] as const) {
      if (table[field] !== undefined)
        errors.push({ path: `table.${field}`, message: 'applies to a new table, not with existingTableName' });
    }
  }
  if (table.encryptionKey && table.replicaRegions?.length) {
    const missing = table.replicaRegions.filter((r) => !table.replicaKeyArns?.[r]);
    if (missing.length) errors.push({ path: 'table.replicaKeyArns', message: `needs a KMS key ARN for ${missing.join(', ')}` });
  }
  const domain = props.domain;
  if (domain?.agentDomainName !== undefined && props.agentEndpoint !== 'FunctionUrl') {
    errors.push({ path: 'domain.agentDomainName', message: 'only with agentEndpoint "FunctionUrl" (agents use domainName otherwise)' });
  }
  if (domain?.agentDomainName !== undefined && !domain.agentCertificate) {
    errors.push({ path: 'domain.agentCertificate', message: 'is required with agentDomainName (an ACM certificate in us-east-1)' });
  }
  if (props.webAclArn !== undefined && !/^arn:aws[a-z-]*:wafv2:us-east-1:\d{12}:global\/webacl\//.test(props.webAclArn)) {
    errors.push({
      path: 'webAclArn',
      message: `must be the ARN of a CLOUDFRONT-scope web ACL (arn:aws:wafv2:us-east-1:ACCOUNT:global/webacl/...), got ${JSON.stringify(props.webAclArn)}`,
    });
  }
  return errors;
}

/** The OIDC issuer of {@link TetherHubProps.oidc}. */
export interface TetherHubOidcProps {
  /** Issuer URL, exactly as the tokens' `iss` (e.g. `https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC123`). */
  readonly issuer: string;
  /** Public client id the CLI and console sign in with. */
  readonly clientId: string;
  /** The `aud` the hub requires. @default clientId */
  readonly audience?: string;
  /** @default 'email' (then `sub`) */
  readonly usernameClaim?: string;
  /** @default 'groups' (Cognito: 'cognito:groups'; Entra ID: 'groups' or 'roles') */
  readonly groupsClaim?: string;
  /** Put before OIDC user names. @default 'oidc:' */
  readonly usernamePrefix?: string;
  /** @default 60 */
  readonly clockToleranceSeconds?: number;
  /** Scopes the CLI and console ask for. @default 'openid email profile offline_access' */
  readonly scopes?: string;
}

function oidcErrors(oidc: TetherHubOidcProps | undefined): FieldError[] {
  if (!oidc) return [];
  const errors: FieldError[] = [];
  if (!/^https:\/\/[^\s?#]+$/.test(oidc.issuer ?? ''))
    errors.push({ path: 'oidc.issuer', message: `must be an https URL without query or fragment, got ${JSON.stringify(oidc.issuer)}` });
  if (!oidc.clientId) errors.push({ path: 'oidc.clientId', message: 'must not be empty' });
  const tol = oidc.clockToleranceSeconds;
  if (tol !== undefined && (!Number.isInteger(tol) || tol < 0 || tol > 600)) {
    errors.push({ path: 'oidc.clockToleranceSeconds', message: `must be an integer from 0 to 600, got ${tol}` });
  }
  return errors;
}

/** The admin function's TETHER_OIDC_* variables for {@link TetherHubProps.oidc} (none without it). */
export function oidcEnvironment(oidc: TetherHubOidcProps | undefined): Record<string, string> {
  if (!oidc) return {};
  const env: Record<string, string> = {
    TETHER_OIDC_ISSUER: oidc.issuer,
    TETHER_OIDC_CLIENT_ID: oidc.clientId,
    TETHER_OIDC_AUDIENCE: oidc.audience ?? oidc.clientId,
  };
  if (oidc.usernameClaim) env.TETHER_OIDC_USERNAME_CLAIM = oidc.usernameClaim;
  if (oidc.groupsClaim) env.TETHER_OIDC_GROUPS_CLAIM = oidc.groupsClaim;
  if (oidc.usernamePrefix !== undefined) env.TETHER_OIDC_USERNAME_PREFIX = oidc.usernamePrefix === '' ? '-' : oidc.usernamePrefix;
  if (oidc.clockToleranceSeconds !== undefined) env.TETHER_OIDC_CLOCK_TOLERANCE_SECONDS = String(oidc.clockToleranceSeconds);
  if (oidc.scopes) env.TETHER_OIDC_SCOPES = oidc.scopes;
  return env;
}
