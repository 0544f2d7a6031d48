import { readFileSync } from 'node:fs';

/**
 * The agent's version. The bundle has it compiled in (esbuild `define`, see agent/build.ts); from
 * a checkout it is package.json's version.
 */
declare const TETHER_AGENT_VERSION: string | undefined;

let cached: string | undefined;

/** The version this agent reports, e.g. `0.1.0`. */
export function agentVersion(): string {
  if (cached) return cached;
  if (typeof TETHER_AGENT_VERSION === 'string') return (cached = TETHER_AGENT_VERSION);
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
    cached = pkg.version ?? '0.0.0';
  } catch {
    cached = '0.0.0';
  }
  return cached;
}

/** The image repository the agent is published to, for self-upgrade when the hub names none. */
export const DEFAULT_AGENT_IMAGE = 'ghcr.io/tether-dev/tether-agent';
