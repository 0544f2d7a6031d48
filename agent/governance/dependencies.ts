import type { ComplianceState } from '../../shared/resources/policy.js';
import type { DesiredPolicy } from '../../shared/protocol/v1.js';

/**
 * Policy dependencies on one cluster: the order policies are evaluated in (each after the policies
 * it depends on, so one pass sees their fresh compliance), cycles, and which dependencies are unmet.
 * A policy with unmet dependencies is Pending and is neither evaluated nor enforced; nothing of it
 * is ever deleted because of that.
 */

/** Evaluation order as levels: every policy comes after the policies it depends on; a level may run concurrently. */
export interface DependencyPlan {
  levels: string[][];
  /** Policies on a dependency cycle (or depending on one), with a message naming the cycle. */
  cyclic: Map<string, string>;
}

type Node = Pick<DesiredPolicy, 'name' | 'dependencies'>;

/** Plans the evaluation order of the policies (dependencies on policies not in the list are ignored here). */
export function planDependencies(policies: readonly Node[]): DependencyPlan {
  const byName = new Map(policies.map((p) => [p.name, p]));
  const level = new Map<string, number>();
  const cyclic = new Map<string, string>();
  const visiting: string[] = [];

  const visit = (name: string): number | undefined => {
    if (level.has(name)) return level.get(name);
    if (cyclic.has(name)) return undefined;
    const at = visiting.indexOf(name);
    if (at >= 0) {
      const cycle = [...visiting.slice(at), name];
      const message = `dependency cycle: ${cycle.join(' → ')}`;
      for (const n of cycle) if (!cyclic.has(n)) cyclic.set(n, message);
      return undefined;
    }
    visiting.push(name);
    let depth = 0;
    let broken: string | undefined;
    for (const d of byName.get(name)!.dependencies) {
      if (!byName.has(d.name)) continue;
      const l = visit(d.name);
      if (l === undefined) broken ??= cyclic.get(d.name) ?? `depends on ${d.name}, which is on a dependency cycle`;
      else depth = Math.max(depth, l + 1);
    }
    visiting.pop();
    if (cyclic.has(name)) return undefined;
    if (broken) {
      cyclic.set(name, broken.startsWith('dependency cycle') ? `depends on a policy on a ${broken}` : broken);
      return undefined;
    }
    level.set(name, depth);
    return depth;
  };
  for (const p of policies) visit(p.name);
  const levels: string[][] = [];
  for (const p of policies) {
    const l = level.get(p.name);
    if (l === undefined) continue;
    (levels[l] ??= []).push(p.name);
  }
  return { levels: levels.filter(Boolean), cyclic };
}

/**
 * The dependencies of a policy that are not met, in words: each names the policy, the compliance
 * it needs and what it has (a policy the cluster does not have is unmet).
 */
export function unmetDependencies(policy: Node, states: ReadonlyMap<string, ComplianceState | undefined>): string[] {
  const out: string[] = [];
  for (const d of policy.dependencies) {
    const state = states.get(d.name);
    if (state === d.compliance) continue;
    out.push(
      states.has(d.name)
        ? `${d.name} is ${state ?? 'not evaluated (disabled)'}, needs ${d.compliance}`
        : `${d.name} is not on this cluster, needs ${d.compliance}`,
    );
  }
  return out;
}
