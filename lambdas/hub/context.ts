import type { Ports } from '../ports/index.js';
import type { Resource } from '../../shared/resources/meta.js';
import { TETHER_VERSION } from '../../shared/version.js';

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
};

/** What every domain service receives: the ports and the settings. */
export interface HubContext {
  ports: Ports;
  config: HubConfig;
}

/**
 * Per-kind behaviour the generic resource service calls around its writes. Kinds without an entry
 * are plain stored documents.
 */
export interface KindBehaviour {
  /** Status of a newly created object. */
  initialStatus?(res: Resource, ctx: HubContext): unknown;
  /** Semantic checks beyond the schema (cross-field, references). Throw ValidationError. */
  validate?(next: Resource, prev: Resource | undefined, ctx: HubContext): Promise<void>;
  afterCreate?(res: Resource, ctx: HubContext): Promise<void>;
  afterUpdate?(prev: Resource, next: Resource, ctx: HubContext): Promise<void>;
  /**
   * Custom delete. Return `finalizing` when the object was marked for deletion and a queued step will
   * finish the job; the default deletes the item at once.
   */
  delete?(res: Resource, ctx: HubContext): Promise<{ result: 'deleted' | 'finalizing'; object: Resource }>;
  afterDelete?(res: Resource, ctx: HubContext): Promise<void>;
  /** Read-time decoration (computed status fields such as member counts). */
  decorate?(res: Resource, ctx: HubContext): Promise<Resource>;
}

const behaviours = new Map<string, KindBehaviour>();

/** Registers the behaviour of a kind; later capabilities register theirs the same way. */
export function registerBehaviour(kind: string, behaviour: KindBehaviour): void {
  behaviours.set(kind, behaviour);
}

export function behaviourOf(kind: string): KindBehaviour {
  return behaviours.get(kind) ?? {};
}
