import { z } from 'zod';
import { canonicalHash } from '../../shared/hash.js';
import { DeletePolicies } from '../../shared/resources/sync-rule.js';
import { TETHER_FIELD_MANAGER, type ClusterApi } from '../kube/cluster-api.js';
import type { KubeObject } from '../kube/types.js';
import type { AgentLog } from '../log.js';
import { packJson, unpackJson } from '../pack.js';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, SYNC_STATE_CONFIGMAP } from '../state-store.js';

/**
 * What the agent remembers of resource sync across restarts, in a ConfigMap of its namespace
 * ({@link SYNC_STATE_CONFIGMAP}): the copies it wrote as a destination (references only, never
 * contents), each destination rule's last delete policy (so that copies of a deleted rule still
 * follow it), and the source rules it last reported Blocked (so that the recovery is reported
 * even after a restart). Written only when it changed.
 */

const CopySchema = z.object({
  rule: z.string(),
  apiVersion: z.string(),
  kind: z.string(),
  namespace: z.string().optional(),
  name: z.string(),
  /** Existed before sync wrote it (taken over with conflictPolicy Overwrite): never deleted by sync. */
  adopted: z.boolean().optional(),
});
/** A copy written by sync on this cluster. */
export type CopyRecord = z.infer<typeof CopySchema>;

const StateSchema = z.object({
  rules: z.record(z.string(), z.object({ uid: z.string(), deletePolicy: z.enum(DeletePolicies) })).default({}),
  copies: z.array(CopySchema).default([]),
  blockedSources: z.record(z.string(), z.string()).default({}),
});
/** The stored sync state. */
export type SyncState = z.infer<typeof StateSchema>;

/** An empty state. */
export function emptySyncState(): SyncState {
  return { rules: {}, copies: [], blockedSources: {} };
}

/** The key of a copy (rule and object). */
export function copyKey(c: Omit<CopyRecord, 'adopted'>): string {
  return `${c.rule}|${c.apiVersion}|${c.kind}|${c.namespace ?? ''}|${c.name}`;
}

/** Loads and saves the sync state. */
export class SyncStore {
  private savedHash?: string;

  constructor(
    private readonly api: ClusterApi,
    private readonly namespace: string,
    private readonly log: AgentLog,
  ) {}

  /** The stored state (empty when none, or unreadable: logged, and then nothing is deleted from it). */
  async load(): Promise<SyncState> {
    const cm = await this.api.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: this.namespace, name: SYNC_STATE_CONFIGMAP });
    let state = emptySyncState();
    if (cm) {
      const data = (cm.data ?? {}) as Record<string, string>;
      try {
        const parsed = StateSchema.safeParse(unpackJson(data.encoding, data.state ?? ''));
        if (parsed.success) state = parsed.data;
        else this.log.warn('ignoring unreadable sync state; no copy is deleted from it', { configMap: SYNC_STATE_CONFIGMAP });
      } catch (err) {
        this.log.warn('ignoring unreadable sync state; no copy is deleted from it', { configMap: SYNC_STATE_CONFIGMAP, error: err });
      }
    }
    this.savedHash = canonicalHash(normalized(state));
    return state;
  }

  /** Saves the state when it differs from what was last loaded or saved. */
  async save(state: SyncState): Promise<void> {
    const norm = normalized(state);
    const hash = canonicalHash(norm);
    if (hash === this.savedHash) return;
    const { encoding, payload } = packJson(norm);
    const cm: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: SYNC_STATE_CONFIGMAP,
        namespace: this.namespace,
        labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, 'tether.dev/agent-state': 'sync' },
      },
      data: { encoding, state: payload },
    };
    await this.api.apply(cm, { fieldManager: TETHER_FIELD_MANAGER, force: true });
    this.savedHash = hash;
  }
}

function normalized(state: SyncState): SyncState {
  return {
    rules: Object.fromEntries(Object.entries(state.rules).sort(([a], [b]) => a.localeCompare(b))),
    copies: [...state.copies].sort((a, b) => copyKey(a).localeCompare(copyKey(b))),
    blockedSources: Object.fromEntries(Object.entries(state.blockedSources).sort(([a], [b]) => a.localeCompare(b))),
  };
}
