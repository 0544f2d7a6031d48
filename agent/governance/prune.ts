import type { ClusterApi } from '../kube/cluster-api.js';
import { describeRef, type ObjectRef } from '../kube/types.js';
import type { AgentLog } from '../log.js';
import type { PolicyRecord, TemplateRecord } from './policy-store.js';

/**
 * Pruning, when a policy (or one of its templates) is gone from this cluster: deleted on the hub,
 * no longer placed here, or the template removed from the policy. Only a policy that was `enforce`
 * prunes, after each template's `pruneObjectBehavior`:
 *
 * - `None`: everything stays;
 * - `DeleteIfCreated`: the objects enforcement created (recorded when it created them) are deleted;
 * - `DeleteAll`: every object the musthave/mustonlyhave templates named is deleted too.
 *
 * A pending policy (unmet dependencies), a disabled one, or one that failed to render is still on
 * the cluster: nothing of it is pruned. Deletes are Background propagation, and an object already
 * gone counts as deleted.
 */

/** The refs a template's prune deletes (none for None). */
export function pruneTargets(template: TemplateRecord): ObjectRef[] {
  if (template.pruneObjectBehavior === 'None') return [];
  const refs = template.pruneObjectBehavior === 'DeleteAll' ? [...template.created, ...template.named] : template.created;
  const seen = new Set<string>();
  return refs.filter((r) => {
    const key = `${r.apiVersion}|${r.kind}|${r.namespace ?? ''}|${r.name}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Prunes templates of a policy record.
 * @returns the templates with objects that could not be deleted (to retry), else an empty list.
 */
export async function pruneTemplates(
  api: ClusterApi,
  policy: Pick<PolicyRecord, 'name' | 'remediationAction'>,
  templates: readonly TemplateRecord[],
  log: AgentLog,
): Promise<TemplateRecord[]> {
  if (policy.remediationAction !== 'enforce') return [];
  const left: TemplateRecord[] = [];
  for (const t of templates) {
    const failed: ObjectRef[] = [];
    for (const ref of pruneTargets(t)) {
      try {
        const existed = await api.delete(ref, { propagationPolicy: 'Background' });
        if (existed) log.info('pruned an object of a removed policy', { policy: policy.name, template: t.name, object: describeRef(ref) });
      } catch (err) {
        failed.push(ref);
        log.warn('could not prune an object of a removed policy; will retry', {
          policy: policy.name,
          template: t.name,
          object: describeRef(ref),
          error: err,
        });
      }
    }
    if (failed.length)
      left.push({ ...t, created: t.created.filter((r) => failed.includes(r)), named: t.named.filter((r) => failed.includes(r)) });
  }
  return left;
}
