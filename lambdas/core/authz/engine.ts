import type { AuthzDecision, RoleRule, Verb } from '../../../shared/tenancy.js';

/**
 * The authorization decision, pure: which of a principal's grants allow or deny a verb on a kind,
 * and whether an object's cluster sets are within them. No I/O: the request-scoped
 * {@link Authorizer} gathers the grants and the object's sets, this decides.
 *
 * Rules:
 * - a rule matches when it names the verb (or `*`) and the kind (or `*`);
 * - deny wins: a matching deny rule whose binding is unscoped, or whose sets the object touches,
 *   refuses, whatever allows it elsewhere;
 * - an allow rule of an unscoped binding allows everywhere; of a scoped one, only objects within
 *   its sets (see {@link ObjectScope});
 * - nothing matching: refused.
 */

/** One role bound to a principal, with the cluster sets it applies in. */
export interface Grant {
  /** Where the grant comes from: `binding/<name>` or `token/<name>`. */
  source: string;
  role: string;
  rules: readonly RoleRule[];
  /** Cluster sets the grant applies in; undefined or empty: unscoped (every cluster). */
  clusterSets?: readonly string[];
}

/**
 * Where an object sits among cluster sets:
 * - `any`: it belongs to each of `sets` (a cluster is in its sets; a Work in its cluster's): within
 *   a scope when one of them is;
 * - `all`: it chooses from `sets` (a Placement, and what follows a Placement): within a scope only
 *   when every one is, so that nothing reaches beyond the caller's sets;
 * - `unscoped`: it reaches every cluster (a Placement with no sets) or belongs to none (a cluster in
 *   no set, a Role): only unscoped grants reach it.
 */
export type ObjectScope = { match: 'any' | 'all'; sets: readonly string[] } | { match: 'unscoped' };

/** The object scope of things that only unscoped grants reach. */
export const UNSCOPED: ObjectScope = Object.freeze({ match: 'unscoped' });

function ruleMatches(rule: RoleRule, verb: Verb, kind: string): boolean {
  return (rule.verbs.includes('*') || rule.verbs.includes(verb)) && (rule.kinds.includes('*') || rule.kinds.includes(kind));
}

function scoped(g: Grant): boolean {
  return g.clusterSets !== undefined && g.clusterSets.length > 0;
}

/** Does an object touch any of `sets`? Unscoped objects touch every set. */
function touches(object: ObjectScope, sets: readonly string[]): boolean {
  if (object.match === 'unscoped') return true;
  return object.sets.some((s) => sets.includes(s));
}

/** Is an object within `sets`? */
export function within(object: ObjectScope, sets: ReadonlySet<string>): boolean {
  if (object.match === 'unscoped') return false;
  if (object.match === 'any') return object.sets.some((s) => sets.has(s));
  return object.sets.length > 0 && object.sets.every((s) => sets.has(s));
}

function describe(rule: RoleRule): string {
  return `${rule.effect} ${rule.verbs.join(',')} ${rule.kinds.join(',')}`;
}

function setsText(sets: Iterable<string>): string {
  const list = [...sets];
  return list.length ? list.join(', ') : '(none)';
}

interface Matched {
  grant: Grant;
  rule: RoleRule;
}

/**
 * The scope within which `verb` on `kind` is allowed: what list filtering uses. `allowed` false:
 * nothing at all; `unscoped`: everywhere (minus `denySets`); else only within `sets`.
 */
export interface VerbScope {
  allowed: boolean;
  unscoped: boolean;
  sets: ReadonlySet<string>;
  /** Sets where a deny rule applies; `denyAll`: an unscoped deny matched. */
  denySets: ReadonlySet<string>;
  denyAll: boolean;
  /** The first matching deny and allow, for reasons. */
  deny?: Matched;
  allow?: Matched;
}

/** Gathers the matching rules of `grants` for one verb and kind. */
export function verbScope(grants: readonly Grant[], verb: Verb, kind: string): VerbScope {
  const sets = new Set<string>();
  const denySets = new Set<string>();
  let unscoped = false;
  let denyAll = false;
  let deny: Matched | undefined;
  let allow: Matched | undefined;
  for (const grant of grants) {
    for (const rule of grant.rules) {
      if (!ruleMatches(rule, verb, kind)) continue;
      if (rule.effect === 'deny') {
        deny ??= { grant, rule };
        if (scoped(grant)) grant.clusterSets!.forEach((s) => denySets.add(s));
        else {
          denyAll = true;
          deny = { grant, rule };
        }
      } else {
        allow ??= { grant, rule };
        if (scoped(grant)) grant.clusterSets!.forEach((s) => sets.add(s));
        else {
          unscoped = true;
          allow = { grant, rule };
        }
      }
    }
  }
  const usable = unscoped || [...sets].some((s) => !denySets.has(s));
  return { allowed: !denyAll && usable, unscoped, sets, denySets, denyAll, deny, allow };
}

/** Does a verb scope admit an object? */
export function admits(scope: VerbScope, object: ObjectScope): boolean {
  if (!scope.allowed) return false;
  if (scope.denySets.size > 0 && touches(object, [...scope.denySets])) return false;
  return scope.unscoped || within(object, scope.sets);
}

/**
 * Decides `verb` on `kind` for a principal's grants: on the kind as a whole when `object` is
 * absent (is it allowed anywhere?), else on that object.
 */
export function decide(grants: readonly Grant[], verb: Verb, kind: string, object?: ObjectScope): AuthzDecision {
  const s = verbScope(grants, verb, kind);
  const scopeSets = s.unscoped ? undefined : [...s.sets].sort();
  const denyReason = (m: Matched) =>
    `deny wins: ${m.grant.source} (role ${m.grant.role}) ${describe(m.rule)}` +
    (scoped(m.grant) ? ` in cluster sets ${setsText(m.grant.clusterSets!)}` : '');
  if (s.denyAll) return { allowed: false, reason: denyReason(s.deny!) };
  if (!s.allow) return { allowed: false, reason: `no role bound to the caller allows ${verb} on ${kind}` };
  if (!s.allowed) return { allowed: false, reason: denyReason(s.deny!) };
  const allowReason = `${s.allow.grant.source} (role ${s.allow.grant.role}): ${describe(s.allow.rule)}`;
  const answer = (allowed: boolean, reason: string): AuthzDecision => ({
    allowed,
    reason,
    ...(scopeSets ? { clusterSets: scopeSets } : {}),
  });
  if (!object) return answer(true, allowReason);
  if (s.denySets.size > 0 && touches(object, [...s.denySets])) return answer(false, denyReason(s.deny!));
  if (s.unscoped || within(object, s.sets)) return answer(true, allowReason);
  const where = object.match === 'unscoped' ? 'reaches clusters outside every cluster set' : `is in ${setsText(object.sets)}`;
  return answer(false, `${verb} on ${kind} is allowed only within cluster sets ${setsText(s.sets)}; the object ${where}`);
}
