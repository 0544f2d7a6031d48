import type { Ports } from '../ports/index.js';
import { TETHER_VERSION } from '../../shared/version.js';
import { DEFAULT_COMPLIANCE_RETENTION_DAYS } from '../../shared/compliance.js';
import type { HubRegistry } from './registry.js';

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
};

/** What every domain service receives: the ports, the settings and the composed registry. */
export interface HubContext {
  ports: Ports;
  config: HubConfig;
  /** What the composed capabilities contribute (kinds' behaviour, steps, tasks, ...), built once at start-up. */
  registry: HubRegistry;
}
