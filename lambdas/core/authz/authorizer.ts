import { AuthzDeniedError, NotFoundError } from '../../../shared/errors.js';
import type { Resource } from '../../../shared/resources/meta.js';
import type { AuthzDecision, Principal, Verb, WhoAmI } from '../../../shared/tenancy.js';
import type { ResourceStore } from '../../ports/resource-store.js';
import { admits, decide, UNSCOPED, verbScope, type Grant, type ObjectScope } from './engine.js';
import { ObjectScopes } from './object-scope.js';

/** One decision the request made, as the audit trail records it. */
export interface RecordedDecision {
  verb: Verb;
  kind: string;
  name?: string;
  decision: AuthzDecision;
}

/**
 * The authorization of one admin request: the caller, its grants, and the decisions made so far
 * (the first refusal, or the route's allowance, is what the audit trail records). Built once per
 * request by the admin API; handlers reach it as `ctx.authz`.
 */
export class Authorizer {
  readonly scopes: ObjectScopes;
  /** Every decision this request made, in order. */
  readonly decisions: RecordedDecision[] = [];

  constructor(
    readonly principal: Principal,
    readonly grants: readonly Grant[],
    resources: ResourceStore,
  ) {
    this.scopes = new ObjectScopes(resources);
  }

  /** Is every grant unscoped and free of deny rules? Then no object needs its scope computed. */
  private unrestricted(verb: Verb, kind: string): boolean {
    const s = verbScope(this.grants, verb, kind);
    return s.allowed && s.unscoped && s.denySets.size === 0;
  }

  /** The decision on a verb and kind, for the kind as a whole or one object's scope (not recorded). */
  decide(verb: Verb, kind: string, object?: ObjectScope): AuthzDecision {
    return decide(this.grants, verb, kind, object);
  }

  private record(verb: Verb, kind: string, decision: AuthzDecision, name?: string): AuthzDecision {
    this.decisions.push({ verb, kind, ...(name ? { name } : {}), decision });
    return decision;
  }

  /** The decision that matters for the audit record: the first refusal, else the first allowance. */
  get decision(): RecordedDecision | undefined {
    return this.decisions.find((d) => !d.decision.allowed) ?? this.decisions[0];
  }

  /** Refuses (403) unless `verb` on `kind` is allowed somewhere. */
  require(verb: Verb, kind: string): AuthzDecision {
    const d = this.record(verb, kind, this.decide(verb, kind));
    if (!d.allowed) throw new AuthzDeniedError(verb, kind, d.reason);
    return d;
  }

  /** Refuses (403) unless a grant that reaches every cluster allows `verb` on `kind`. */
  requireUnscoped(verb: Verb, kind: string): AuthzDecision {
    const d = this.record(verb, kind, this.decide(verb, kind, UNSCOPED));
    if (!d.allowed) throw new AuthzDeniedError(verb, kind, `${d.reason} (this needs a grant that is not confined to cluster sets)`);
    return d;
  }

  /**
   * Refuses `verb` on one object outside the caller's reach: 404 when the caller may not even read
   * it (so that names do not leak), 403 naming the rule when it may read it but not do this.
   */
  async requireObject(verb: Verb, res: Resource): Promise<AuthzDecision> {
    const name = res.metadata.namespace ? `${res.metadata.namespace}/${res.metadata.name}` : res.metadata.name;
    if (this.unrestricted(verb, res.kind)) return this.record(verb, res.kind, this.decide(verb, res.kind), name);
    const scope = await this.scopes.of(res);
    const d = this.record(verb, res.kind, this.decide(verb, res.kind, scope), name);
    if (d.allowed) return d;
    if (verb !== 'get' && this.decide('get', res.kind, scope).allowed) {
      throw new AuthzDeniedError(verb, res.kind, d.reason, name, d.clusterSets);
    }
    throw new NotFoundError(res.kind, name);
  }

  /** Checks a write of `next` (and what it replaces): both must be within the caller's reach. */
  async requireWrite(verb: Verb, next: Resource, current?: Resource): Promise<void> {
    if (current) await this.requireObject(verb, current);
    if (this.unrestricted(verb, next.kind)) {
      if (!current) this.record(verb, next.kind, this.decide(verb, next.kind), next.metadata.name);
      return;
    }
    const scope = await this.scopes.of(next);
    const d = this.record(verb, next.kind, this.decide(verb, next.kind, scope), next.metadata.name);
    if (!d.allowed) throw new AuthzDeniedError(verb, next.kind, d.reason, next.metadata.name, d.clusterSets);
  }

  /** Is one object within reach for `verb` (no throw, not recorded)? */
  async admitsObject(verb: Verb, res: Pick<Resource, 'kind' | 'metadata' | 'spec' | 'status'>): Promise<boolean> {
    if (this.unrestricted(verb, res.kind)) return true;
    return admits(verbScope(this.grants, verb, res.kind), await this.scopes.of(res));
  }

  /** Keeps the objects within reach for `verb` (a list's items: nothing outside leaks, not even a count). */
  async filter<T extends Pick<Resource, 'kind' | 'metadata' | 'spec' | 'status'>>(verb: Verb, items: readonly T[]): Promise<T[]> {
    if (items.length === 0) return [];
    if (items.every((i) => i.kind === items[0].kind) && this.unrestricted(verb, items[0].kind)) return [...items];
    const keep = await Promise.all(items.map((i) => this.admitsObject(verb, i)));
    return items.filter((_, n) => keep[n]);
  }

  /** Is a cluster, by name, within reach for `verb` on `kind` (compliance records, events of a cluster)? */
  async admitsCluster(verb: Verb, kind: string, cluster: string): Promise<boolean> {
    if (this.unrestricted(verb, kind)) return true;
    return admits(verbScope(this.grants, verb, kind), await this.scopes.cluster(cluster));
  }

  /**
   * Is a record that belongs to these cluster sets within reach for `verb` on `kind` (an audit
   * event)? A record of no set is reached only by unscoped grants.
   */
  admitsSets(verb: Verb, kind: string, sets: readonly string[] | undefined): boolean {
    if (this.unrestricted(verb, kind)) return true;
    return admits(verbScope(this.grants, verb, kind), sets?.length ? { match: 'any', sets } : UNSCOPED);
  }

  /**
   * The cluster sets `verb` on `kind` is confined to, or undefined when unconfined: what a scoped
   * writer's Placement records so that its decisions stay within them.
   */
  confinement(verb: Verb, kind: string): string[] | undefined {
    const s = verbScope(this.grants, verb, kind);
    if (s.unscoped) return undefined;
    return [...s.sets].filter((x) => !s.denySets.has(x)).sort();
  }

  /** Who the caller is and everything it is granted (`GET /v1/auth/whoami`). */
  whoami(): WhoAmI {
    const p = this.principal;
    return {
      username: p.username,
      uid: p.uid,
      groups: [...p.groups],
      source: p.source,
      ...(p.expiresAt !== undefined ? { expiresAt: p.expiresAt } : {}),
      bindings: this.grants.map((g) => ({
        name: g.source,
        role: g.role,
        ...(g.clusterSets?.length ? { clusterSets: [...g.clusterSets] } : {}),
      })),
      rules: this.grants.flatMap((g) =>
        g.rules.map((r) => ({
          effect: r.effect,
          verbs: [...r.verbs],
          kinds: [...r.kinds],
          ...(g.clusterSets?.length ? { clusterSets: [...g.clusterSets] } : {}),
        })),
      ),
    };
  }
}
