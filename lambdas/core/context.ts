import type { Principal } from '../../shared/tenancy.js';
import type { Ports } from '../ports/index.js';
import { TETHER_VERSION } from '../../shared/version.js';
import { DEFAULT_COMPLIANCE_RETENTION_DAYS } from '../../shared/compliance.js';
import { AUDIT_RETENTION_DAYS } from '../ports/audit-store.js';
import type { HubRegistry } from './registry.js';
import type { OidcSettings } from './identity/oidc.js';

/** Settings of the agent API's per-credential rate limiter (lambdas/http/rate-limit.ts). */
export interface RateLimitSettings {
  /** Sustained requests per second one credential may make; 0 turns the limiter off. */
  requestsPerSecond: number;
  /** Requests one credential may make at once before the sustained rate applies. */
  burst: number;
  /** Credentials tracked at most per process; the least recently seen is forgotten first. */
  maxCredentials: number;
}

/**
 * The rate limiter's defaults: far above a normal agent (a poll every 30 s, a status report when
 * something changes, a join and a few retries at start-up), so that only a client that floods is
 * refused. 20,000 tracked credentials take a few MB.
 */
export const DEFAULT_AGENT_RATE_LIMIT: RateLimitSettings = { requestsPerSecond: 2, burst: 120, maxCredentials: 20_000 };

/** Settings of the admin API's per-source limiting of failed authentications (lambdas/http/auth-failure-limit.ts). */
export interface AuthFailureLimitSettings {
  /** Failed authentications one source may add per second once its burst is spent; 0 turns the limiter off. */
  failuresPerSecond: number;
  /** Failed authentications one source may make at once. */
  burst: number;
  /** Sources tracked at most; the least recently seen is forgotten first. */
  maxSources: number;
  /** Credentials remembered as recently good at most. */
  maxKnownGood: number;
  /** How long a credential stays known good after its last success, ms. */
  knownGoodMs: number;
}

/** Defaults: far above a person mistyping a token or a CLI with an expired sign-in, far below a flood. */
export const DEFAULT_AUTH_FAILURE_LIMIT: AuthFailureLimitSettings = {
  failuresPerSecond: 2,
  burst: 30,
  maxSources: 10_000,
  maxKnownGood: 10_000,
  knownGoodMs: 15 * 60_000,
};

/** Hub-wide settings, read once from the environment by the composition root. */
export interface HubConfig {
  /** Public base URL of the hub that agents reach (for import manifests), if known. */
  hubUrl?: string;
  /** Base URL of the agent API when it differs from hubUrl (Function URL profile). */
  agentUrl?: string;
  agentImage: string;
  agentVersion: string;
  /** Poll interval handed to agents, seconds. */
  pollIntervalSeconds: number;
  /** Clusters per fan-out message. */
  fanOutBatchSize: number;
  /** Default lifetime of a bootstrap token minted by import, seconds (import's `ttlSeconds` overrides). */
  bootstrapTokenTtlSeconds: number;
  /** Age after which the hub asks an agent to rotate its credential, seconds. */
  credentialMaxAgeSeconds: number;
  /** How long a rotated-out credential keeps working, seconds. */
  credentialOverlapSeconds: number;
  /** Time an agent has to report a requested version before the upgrade counts as failed, seconds. */
  upgradeDeadlineSeconds: number;
  /**
   * How long the compliance history is kept, days (default 730, two years): reads never reach
   * further back, and events become eligible for TTL clean-up after it.
   */
  complianceRetentionDays: number;
  /**
   * How long the audit trail is kept, days (default 366: a year, with a leap day to spare): reads
   * never reach further back, and events become eligible for TTL clean-up after it.
   */
  auditRetentionDays: number;
  /**
   * Per-credential rate limit of the agent API, per process (each Lambda container): see
   * lambdas/http/rate-limit.ts and docs/security.md. `requestsPerSecond: 0` turns it off.
   */
  agentRateLimit: RateLimitSettings;
  /**
   * How long an admin write's follow-up may stay unfinished before the scheduler replays it,
   * seconds (lambdas/core/pending-changes.ts). Longer than any admin request takes.
   */
  replayGraceSeconds: number;
  /**
   * Per-source limiting of failed admin authentications (lambdas/http/auth-failure-limit.ts);
   * absent: its defaults. `failuresPerSecond: 0` turns it off.
   */
  authFailureLimit?: AuthFailureLimitSettings;
  /** Single sign-on: the OIDC issuer whose ID tokens the admin API accepts (docs/tenancy.md); absent, it is off. */
  oidc?: OidcSettings;
}

export const defaultHubConfig: HubConfig = {
  agentImage: 'ghcr.io/tether-dev/tether-agent',
  agentVersion: TETHER_VERSION,
  pollIntervalSeconds: 30,
  fanOutBatchSize: 100,
  bootstrapTokenTtlSeconds: 24 * 3600,
  credentialMaxAgeSeconds: 30 * 24 * 3600,
  credentialOverlapSeconds: 300,
  upgradeDeadlineSeconds: 600,
  complianceRetentionDays: DEFAULT_COMPLIANCE_RETENTION_DAYS,
  auditRetentionDays: AUDIT_RETENTION_DAYS,
  agentRateLimit: DEFAULT_AGENT_RATE_LIMIT,
  replayGraceSeconds: 60,
};

/** What every domain service receives: the ports, the settings and the composed registry. */
export interface HubContext {
  ports: Ports;
  config: HubConfig;
  /** What the composed capabilities contribute (kinds' behaviour, steps, tasks, ...), built once at start-up. */
  registry: HubRegistry;
  /**
   * The OIDC verifier, when the hub trusts an issuer: a bearer token shaped like a JWT is handed to
   * it, and it answers the principal (source `oidc`) or throws UnauthenticatedError.
   */
  oidc?: OidcVerifier;
}

/** Verifies an OIDC ID/access token (a JWT) into a principal; throws UnauthenticatedError when it is not valid. */
export interface OidcVerifier {
  verify(token: string): Promise<Principal>;
}
