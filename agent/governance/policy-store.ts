import { z } from 'zod';
import { canonicalHash } from '../../shared/hash.js';
import { PruneObjectBehaviors, RemediationActions } from '../../shared/resources/policy.js';
import { TETHER_FIELD_MANAGER, type ClusterApi } from '../kube/cluster-api.js';
import type { KubeObject } from '../kube/types.js';
import type { AgentLog } from '../log.js';
import { packJson, unpackJson } from '../pack.js';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, POLICY_STATE_CONFIGMAP } from '../state-store.js';

/**
 * What the agent remembers of each policy it holds, so that pruning works after a restart and
 * after the policy is gone from the desired state: its last remediation action and, per template,
 * the prune behaviour, the objects enforcement created, and the objects its musthave/mustonlyhave
 * templates named. Only references, never object contents, so a ConfigMap in the agent's namespace
 * ({@link POLICY_STATE_CONFIGMAP}) holds it; it is written only when it changed.
 */

const RefSchema = z.object({ apiVersion: z.string(), kind: z.string(), namespace: z.string().optional(), name: z.string() });

export const TemplateRecordSchema = z.object({
  name: z.string(),
  pruneObjectBehavior: z.enum(PruneObjectBehaviors),
  created: z.array(RefSchema),
  named: z.array(RefSchema),
});
export type TemplateRecord = z.infer<typeof TemplateRecordSchema>;

export const PolicyRecordSchema = z.object({
  name: z.string(),
  uid: z.string(),
  remediationAction: z.enum(RemediationActions),
  templates: z.array(TemplateRecordSchema),
});
export type PolicyRecord = z.infer<typeof PolicyRecordSchema>;

const StateSchema = z.object({ policies: z.array(PolicyRecordSchema) });

/** Loads and saves the policy records. */
export class PolicyStore {
  private savedHash?: string;

  constructor(
    private readonly api: ClusterApi,
    private readonly namespace: string,
    private readonly log: AgentLog,
  ) {}

  /** The stored records by policy name (empty when none, or unreadable: logged, and nothing is pruned from it). */
  async load(): Promise<Map<string, PolicyRecord>> {
    const cm = await this.api.get({ apiVersion: 'v1', kind: 'ConfigMap', namespace: this.namespace, name: POLICY_STATE_CONFIGMAP });
    const out = new Map<string, PolicyRecord>();
    if (!cm) return out;
    const data = (cm.data ?? {}) as Record<string, string>;
    try {
      const parsed = StateSchema.safeParse(unpackJson(data.encoding, data.state ?? ''));
      if (parsed.success) for (const p of parsed.data.policies) out.set(p.name, p);
      else this.log.warn('ignoring unreadable policy state; nothing is pruned from it', { configMap: POLICY_STATE_CONFIGMAP });
    } catch (err) {
      this.log.warn('ignoring unreadable policy state; nothing is pruned from it', { configMap: POLICY_STATE_CONFIGMAP, error: err });
    }
    this.savedHash = canonicalHash(sorted(out));
    return out;
  }

  /** Saves the records when they differ from what was last loaded or saved. */
  async save(records: ReadonlyMap<string, PolicyRecord>): Promise<void> {
    const state = sorted(records);
    const hash = canonicalHash(state);
    if (hash === this.savedHash) return;
    const { encoding, payload } = packJson(state);
    const cm: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: POLICY_STATE_CONFIGMAP,
        namespace: this.namespace,
        labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE, 'tether.dev/agent-state': 'policies' },
      },
      data: { encoding, state: payload },
    };
    await this.api.apply(cm, { fieldManager: TETHER_FIELD_MANAGER, force: true });
    this.savedHash = hash;
  }
}

function sorted(records: ReadonlyMap<string, PolicyRecord>): { policies: PolicyRecord[] } {
  return { policies: [...records.values()].sort((a, b) => a.name.localeCompare(b.name)) };
}
