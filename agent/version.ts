import { TETHER_VERSION } from '../shared/version.js';

/**
 * The version this agent reports, e.g. `0.1.0`: the build's, package.json's (compiled into the
 * bundle by the JSON import of shared/version.ts). `--agent-version` overrides what is reported.
 */
export function agentVersion(): string {
  return TETHER_VERSION;
}

/** The image repository the agent is published to, for self-upgrade when the hub names none. */
export const DEFAULT_AGENT_IMAGE = 'ghcr.io/tether-dev/tether-agent';
