import { ValidationError, type FieldError } from '../../../shared/errors.js';
import { WellKnownClaims } from '../../../shared/protocol/v1.js';
import { ClusterConditions } from '../../../shared/resources/cluster.js';
import { getCondition } from '../../../shared/resources/meta.js';
import { availabilityFor, Reasons, withAvailable, withCondition, type ClusterResource } from './cluster-status.js';
import { withReportedVersion } from './upgrade.js';

/**
 * Pure: how what an agent tells the hub (at join and in status reports) lands on the Cluster
 * record. Claims are validated beyond the wire schema, and a claimed cluster ID never silently
 * replaces the recorded one.
 */

/** A claim as the agent sends it. */
export interface ClaimInput {
  name: string;
  value: string;
}

/** A name, optionally behind a DNS-subdomain prefix and `/` (as label keys): `feature.tether.dev/pci` is one. */
const CLAIM_NAME = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
/** Longest claim name (a DNS subdomain) and value. */
export const CLAIM_NAME_MAX = 253;
export const CLAIM_VALUE_MAX = 1024;

/**
 * Checks claim names and values: names are DNS-subdomain-like (ConfigMap keys), at most 253
 * characters and unique; values are at most 1024 characters without control characters.
 * @throws ValidationError listing every bad claim as `claims.<index>.name|value`.
 */
export function validateClaims(claims: ClaimInput[] | undefined): void {
  if (!claims) return;
  const errors: FieldError[] = [];
  const seen = new Set<string>();
  claims.forEach((c, i) => {
    if (c.name.length === 0 || c.name.length > CLAIM_NAME_MAX || !CLAIM_NAME.test(c.name)) {
      errors.push({
        path: `claims.${i}.name`,
        message: `claim name must be 1-${CLAIM_NAME_MAX} letters, digits, '-', '_' or '.', starting and ending with a letter or digit, optionally after a DNS prefix and '/' (feature.tether.dev/pci)`,
      });
    } else if (seen.has(c.name)) {
      errors.push({ path: `claims.${i}.name`, message: `duplicate claim "${c.name}"` });
    }
    seen.add(c.name);
    // eslint-disable-next-line no-control-regex
    if (c.value.length > CLAIM_VALUE_MAX || /[\u0000-\u001f\u007f]/.test(c.value)) {
      errors.push({
        path: `claims.${i}.value`,
        message: `claim value must be at most ${CLAIM_VALUE_MAX} characters without control characters`,
      });
    }
  });
  if (errors.length)
    throw new ValidationError(
      `claims are invalid: ${errors[0].path}: ${errors[0].message}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`,
      errors,
    );
}

/** A claimed cluster ID that differs from the recorded one. */
export interface ClusterIdConflict {
  recorded: string;
  claimed: string;
}

/** What the agent reports about itself. */
export interface AgentFacts {
  agentVersion: string;
  claims?: ClaimInput[];
}

/**
 * Applies claims and the agent version: `status.claims` (sorted by name, so a reordering is no
 * change), `status.version.kubernetes` from the kubeversion claim, `status.agentVersion`, the
 * AgentUpgraded condition, and ClusterIdConflict when the claimed ID differs from the recorded one
 * (which is kept). Returns the record and the conflict, if any.
 */
export function withAgentFacts(
  res: ClusterResource,
  facts: AgentFacts,
  now: string,
): { record: ClusterResource; conflict?: ClusterIdConflict } {
  let record = res;
  let conflict: ClusterIdConflict | undefined;
  const status = record.status ?? { conditions: [] };
  if (facts.claims) {
    const recorded = status.claims?.find((c) => c.name === WellKnownClaims.id)?.value;
    const claimed = facts.claims.find((c) => c.name === WellKnownClaims.id)?.value;
    let claims = facts.claims.map((c) => ({ name: c.name, value: c.value }));
    if (recorded !== undefined && claimed !== recorded) {
      claims = [...claims.filter((c) => c.name !== WellKnownClaims.id), { name: WellKnownClaims.id, value: recorded }];
    }
    claims.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const kube = claims.find((c) => c.name === WellKnownClaims.kubeVersion)?.value;
    record = { ...record, status: { ...status, claims, ...(kube ? { version: { ...(status.version ?? {}), kubernetes: kube } } : {}) } };
    const flagged = getCondition(status.conditions, ClusterConditions.ClusterIdConflict);
    if (recorded !== undefined && claimed !== undefined && claimed !== recorded) {
      conflict = { recorded, claimed };
      record = withCondition(
        record,
        {
          type: ClusterConditions.ClusterIdConflict,
          status: 'True',
          reason: Reasons.idConflict,
          message: `the agent claims cluster ID ${claimed}, but this cluster was registered with ${recorded}; the recorded ID is kept. If the cluster was rebuilt, detach it (--force) and import it again`,
        },
        now,
      );
    } else if (flagged?.status === 'True' && claimed === recorded) {
      record = withCondition(
        record,
        {
          type: ClusterConditions.ClusterIdConflict,
          status: 'False',
          reason: Reasons.idMatches,
          message: `the agent claims the recorded cluster ID ${recorded}`,
        },
        now,
      );
    }
  }
  record = { ...record, status: { ...(record.status ?? { conditions: [] }), agentVersion: facts.agentVersion } };
  return { record: withReportedVersion(record, facts.agentVersion, now), conflict };
}

/** The Joined condition once an agent has joined with `agentVersion`. */
export function withJoined(res: ClusterResource, agentVersion: string, now: string): ClusterResource {
  const current = getCondition(res.status?.conditions, ClusterConditions.Joined);
  if (current?.status === 'True') return res;
  return withCondition(
    res,
    { type: ClusterConditions.Joined, status: 'True', reason: Reasons.joined, message: `agent ${agentVersion} joined` },
    now,
  );
}

/**
 * Applies the agent's own health. It is remembered in `status.agentHealth`; the Available
 * condition follows only while the lease is live (the lease owns Unknown, and a report must not
 * revive a cluster whose lease the scheduler no longer tracks).
 */
export function withHealth(
  res: ClusterResource,
  healthy: boolean,
  message: string | undefined,
  leaseIsLive: boolean,
  now: string,
): ClusterResource {
  const status = res.status ?? { conditions: [] };
  const agentHealth = { healthy, ...(healthy || !message ? {} : { message }) };
  let record: ClusterResource = { ...res, status: { ...status, agentHealth } };
  if (!leaseIsLive) return record;
  const condition = availabilityFor(record, true);
  if (condition) record = withAvailable(record, condition, now);
  return record;
}
