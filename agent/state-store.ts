import { DesiredStateSchema, type DesiredState } from '../shared/protocol/v1.js';
import { TETHER_FIELD_MANAGER, type ClusterApi } from './kube/cluster-api.js';
import type { KubeObject, ObjectRef } from './kube/types.js';
import type { AgentLog } from './log.js';
import { packJson, unpackJson } from './pack.js';

/**
 * What the agent keeps about itself in its own namespace, so that a restarted agent needs neither
 * its bootstrap token nor the hub: its credential, and the last desired state it received.
 *
 * Both are Secrets. The desired state holds every work's manifests, Secrets included, and a
 * ConfigMap would show them to anyone with the common `view` role.
 */

/** Secret holding the cluster credential, key {@link CREDENTIAL_KEY}. */
export const CREDENTIAL_SECRET = 'tether-agent-credential';
/** Key of the credential in {@link CREDENTIAL_SECRET}. */
export const CREDENTIAL_KEY = 'credential';
/** Secret holding the last desired state. */
export const DESIRED_STATE_SECRET = 'tether-agent-desired';

/** ConfigMap holding what policy enforcement created and named, for pruning (agent/governance/policy-store.ts). */
export const POLICY_STATE_CONFIGMAP = 'tether-agent-policies';

/** ConfigMap holding what resource sync wrote and each destination rule's delete policy (agent/sync/sync-store.ts). */
export const SYNC_STATE_CONFIGMAP = 'tether-agent-sync';

/** Label on every object the agent creates for its own bookkeeping. */
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'tether-agent';

/** The Secrets and ConfigMap of the agent's own state, for cleanup on detach. */
export function stateRefs(namespace: string): ObjectRef[] {
  return [
    { apiVersion: 'v1', kind: 'Secret', namespace, name: DESIRED_STATE_SECRET },
    { apiVersion: 'v1', kind: 'ConfigMap', namespace, name: POLICY_STATE_CONFIGMAP },
    { apiVersion: 'v1', kind: 'ConfigMap', namespace, name: SYNC_STATE_CONFIGMAP },
    { apiVersion: 'v1', kind: 'Secret', namespace, name: CREDENTIAL_SECRET },
  ];
}

/** Reads and writes the agent's credential and last desired state through the ClusterApi. */
export class AgentStateStore {
  constructor(
    private readonly api: ClusterApi,
    private readonly namespace: string,
    private readonly log: AgentLog,
  ) {}

  /** Creates the agent's namespace when it is missing (simulation; in a cluster the import manifest made it). */
  async ensureNamespace(): Promise<void> {
    const ref = { apiVersion: 'v1', kind: 'Namespace', name: this.namespace };
    if (await this.api.get(ref)) return;
    await this.api.apply(
      { ...ref, metadata: { name: this.namespace, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE } } },
      { fieldManager: TETHER_FIELD_MANAGER, force: true },
    );
  }

  /** The stored credential, or undefined when the agent has not joined yet. */
  async loadCredential(): Promise<string | undefined> {
    const secret = await this.api.get({ apiVersion: 'v1', kind: 'Secret', namespace: this.namespace, name: CREDENTIAL_SECRET });
    return secret ? secretValue(secret, CREDENTIAL_KEY) : undefined;
  }

  /** Stores the credential (replacing any previous one). */
  async saveCredential(credential: string): Promise<void> {
    await this.api.apply(secretObject(this.namespace, CREDENTIAL_SECRET, { [CREDENTIAL_KEY]: credential }, 'credential'), {
      fieldManager: TETHER_FIELD_MANAGER,
      force: true,
    });
  }

  /** The last desired state stored, or undefined (none yet, or unreadable: logged). */
  async loadDesired(): Promise<DesiredState | undefined> {
    const secret = await this.api.get({ apiVersion: 'v1', kind: 'Secret', namespace: this.namespace, name: DESIRED_STATE_SECRET });
    if (!secret) return undefined;
    const payload = secretValue(secret, 'state');
    if (payload === undefined) return undefined;
    try {
      const parsed = DesiredStateSchema.safeParse(unpackJson(secretValue(secret, 'encoding'), payload));
      if (parsed.success) return parsed.data;
      this.log.warn('ignoring the stored desired state: it does not match the protocol', { secret: DESIRED_STATE_SECRET });
    } catch (err) {
      this.log.warn('ignoring the stored desired state: it is unreadable', { secret: DESIRED_STATE_SECRET, error: err });
    }
    return undefined;
  }

  /** Stores the desired state (compressed when large). */
  async saveDesired(state: DesiredState): Promise<void> {
    const { encoding, payload } = packJson(state);
    await this.api.apply(
      secretObject(this.namespace, DESIRED_STATE_SECRET, { encoding, revision: state.revision, state: payload }, 'desired-state'),
      { fieldManager: TETHER_FIELD_MANAGER, force: true },
    );
  }
}

function secretObject(namespace: string, name: string, values: Record<string, string>, role: string): KubeObject {
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) data[k] = Buffer.from(v, 'utf8').toString('base64');
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, 'tether.dev/agent-state': role } },
    type: 'Opaque',
    data,
  };
}

/** A Secret's value by key: `data` (base64) first, then `stringData` (what some stores return unconverted). */
function secretValue(secret: KubeObject, key: string): string | undefined {
  const data = secret.data as Record<string, string> | undefined;
  if (data && typeof data[key] === 'string') return Buffer.from(data[key], 'base64').toString('utf8');
  const stringData = secret.stringData as Record<string, string> | undefined;
  if (stringData && typeof stringData[key] === 'string') return stringData[key];
  return undefined;
}
