import type { DesiredSync } from '../../shared/protocol/sync.js';
import type { DesiredInventory } from '../../shared/protocol/inventory.js';
import type { DesiredPolicy, DesiredWork, StatusReport } from '../../shared/protocol/v1.js';
import type { AnyKind, ResourceOf } from '../../shared/resources/define-kind.js';
import type { Resource } from '../../shared/resources/meta.js';
import type { HubContext } from './context.js';
import type { HubEvent } from './events.js';
import type { PeriodicTask } from './periodic-tasks.js';
import type { StepDefinition } from './steps.js';

/**
 * What the generic resource service calls around the writes of one kind. `R` is the kind's typed
 * resource, so a behaviour reads `res.spec.placementRef` without a cast.
 */
export interface KindBehaviour<R extends Resource = Resource> {
  /** Status of a newly created object. */
  initialStatus?(res: R, ctx: HubContext): unknown;
  /**
   * The spec a user's write leaves, with the hub-owned parts put back (such as the hub's taints of
   * a Cluster), so no create, apply, replace or patch can add or remove them. Runs on create after
   * {@link initialStatus} and on every update before the no-change check, so it sees the status the
   * object has (or starts with); `prev` is the stored object on update. Returns undefined to keep
   * the spec as sent.
   */
  hubOwnedSpec?(res: R, prev: R | undefined, ctx: HubContext): unknown;
  /** Semantic checks beyond the schema (cross-field, references). Throw ValidationError. */
  validate?(next: R, prev: R | undefined, ctx: HubContext): Promise<void>;
  afterCreate?(res: R, ctx: HubContext): Promise<void>;
  afterUpdate?(prev: R, next: R, ctx: HubContext): Promise<void>;
  /**
   * Custom delete. Return `finalizing` when the object was marked for deletion and a queued step will
   * finish the job; the default deletes the item at once.
   */
  delete?(res: R, ctx: HubContext): Promise<{ result: 'deleted' | 'finalizing'; object: Resource }>;
  afterDelete?(res: R, ctx: HubContext): Promise<void>;
  /** Read-time decoration (computed status fields such as member counts). */
  decorate?(res: R, ctx: HubContext): Promise<Resource>;
  /**
   * Read-time decoration of a list page at once, for a kind whose decoration reads something per
   * object (so a page costs a batched read, not one per object). Without it, lists call `decorate`.
   */
  decorateMany?(items: R[], ctx: HubContext): Promise<Resource[]>;
}

/** A behaviour bound to its kind, as a capability contributes it. */
export interface BehaviourEntry {
  kind: string;
  behaviour: KindBehaviour;
}

/**
 * Binds a typed behaviour to its kind. The kind's owner contributes `initialStatus`, `hubOwnedSpec`,
 * `delete`, `decorate` and `decorateMany`; another capability may add hooks (`validate`, `after*`), which run after the owner's.
 */
export function behaviourFor<K extends AnyKind>(kind: K, behaviour: KindBehaviour<ResourceOf<K>>): BehaviourEntry {
  return { kind: kind.kind, behaviour: behaviour as unknown as KindBehaviour };
}

/** Handles the parts of an agent's status report that the cluster lifecycle does not own. */
export type StatusReportHandler = (ctx: HubContext, cluster: string, report: StatusReport) => Promise<void>;

/** Loads the works the agent of `cluster` must apply, as the desired state carries them. */
export type DesiredWorksLoader = (ctx: HubContext, cluster: string) => Promise<DesiredWork[]>;

/** Loads the ClusterProfiles the agent of `cluster` must keep (shared/protocol/inventory.ts). */
export type DesiredInventoryLoader = (ctx: HubContext, cluster: string) => Promise<DesiredInventory>;

/** Loads the policies the agent of `cluster` must evaluate, rendered for that cluster. */
export type DesiredPoliciesLoader = (ctx: HubContext, cluster: string) => Promise<DesiredPolicy[]>;

/** Loads the resource-sync part of the desired state of `cluster` (rules it is a source of, objects it receives). */
export type DesiredSyncLoader = (ctx: HubContext, cluster: string) => Promise<DesiredSync>;

/**
 * The parts of an agent's desired state and who provides each. Every part is required: an agent
 * prunes what its desired state no longer lists, so a part that is missing because of wiring would
 * delete everything it had applied. {@link buildRegistry} refuses a hub that serves agents without
 * every part.
 */
export interface DesiredStateParts {
  works: DesiredWorksLoader;
  policies: DesiredPoliciesLoader;
  sync: DesiredSyncLoader;
  inventory: DesiredInventoryLoader;
}

/** Names of the desired-state parts, checked at composition. */
export const DESIRED_STATE_PARTS: readonly (keyof DesiredStateParts)[] = Object.freeze(['works', 'policies', 'sync', 'inventory'] as const);

/** Clean-up of something that belongs to a cluster, run (idempotently) when the cluster is finally removed. */
export interface ClusterCleanup {
  name: string;
  run(ctx: HubContext, cluster: string): Promise<void>;
}

/**
 * How a kind hides sensitive values in list answers (for manifests: the one rule of
 * shared/redaction.ts). Reading one object by name is not redacted.
 */
export interface ListRedaction {
  kind: string;
  redact(res: Resource): Resource;
}

/** A step that runs whenever an event is published (declared by the subscriber, not the publisher). */
export interface Subscription {
  event: HubEvent;
  step: StepDefinition;
}

/**
 * What one capability contributes to the domain. Everything is declared here, nothing is registered
 * by importing a module: {@link buildRegistry} builds the registry once from a list of these.
 */
export interface DomainContribution {
  /** Short name, for error messages and docs (`clusters`, `works`, ...). */
  name: string;
  /** Kinds this capability serves (generic CRUD routes, validation, OpenAPI follow). */
  kinds?: readonly AnyKind[];
  behaviours?: readonly BehaviourEntry[];
  steps?: readonly StepDefinition[];
  periodicTasks?: readonly PeriodicTask[];
  statusReportHandlers?: readonly StatusReportHandler[];
  desiredState?: Partial<DesiredStateParts>;
  redactions?: readonly ListRedaction[];
  clusterCleanups?: readonly ClusterCleanup[];
  subscriptions?: readonly Subscription[];
  /** True for a capability that answers agents' desired-state requests: every part must then be provided. */
  servesDesiredState?: boolean;
}

/** The composed, read-only view the domain looks things up in (handed around in {@link HubContext}). */
export interface HubRegistry {
  /** Names of the composed capabilities, in order. */
  readonly capabilities: readonly string[];
  readonly kinds: readonly AnyKind[];
  /** The merged behaviour of a kind; an empty one for plain stored documents. */
  behaviour(kind: string): KindBehaviour;
  /** A step definition by type, or undefined. */
  step(type: string): StepDefinition | undefined;
  readonly stepTypes: readonly string[];
  readonly periodicTasks: readonly PeriodicTask[];
  readonly statusReportHandlers: readonly StatusReportHandler[];
  /** Every desired-state part; reading one that no capability provides throws. */
  readonly desiredState: DesiredStateParts;
  redaction(kind: string): ((res: Resource) => Resource) | undefined;
  readonly clusterCleanups: readonly ClusterCleanup[];
  /** Steps subscribed to an event, in composition order. */
  subscribers(event: HubEvent): readonly StepDefinition[];
}

/** A composition that cannot work (duplicate step, missing desired-state part, ...): fails at start-up. */
export class CompositionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CompositionError';
  }
}

const OWNER_ONLY = ['initialStatus', 'hubOwnedSpec', 'delete', 'decorate', 'decorateMany'] as const;

function mergeBehaviours(kind: string, parts: { capability: string; behaviour: KindBehaviour }[]): KindBehaviour {
  const merged: KindBehaviour = {};
  for (const key of OWNER_ONLY) {
    const owners = parts.filter((p) => p.behaviour[key]);
    if (owners.length > 1) {
      throw new CompositionError(
        `${kind}.${key} is contributed by ${owners.map((o) => o.capability).join(' and ')}; only the kind's owner may contribute it`,
      );
    }
    if (owners[0]) (merged as Record<string, unknown>)[key] = owners[0].behaviour[key];
  }
  const chain = <K extends 'validate' | 'afterCreate' | 'afterUpdate' | 'afterDelete'>(key: K) => {
    const fns = parts.map((p) => p.behaviour[key]).filter((f): f is NonNullable<KindBehaviour[K]> => Boolean(f));
    if (!fns.length) return;
    (merged as Record<string, unknown>)[key] = async (...args: unknown[]) => {
      for (const fn of fns) await (fn as (...a: unknown[]) => Promise<void>)(...args);
    };
  };
  chain('validate');
  chain('afterCreate');
  chain('afterUpdate');
  chain('afterDelete');
  return Object.freeze(merged);
}

function uniqueBy<T>(items: { capability: string; item: T }[], keyOf: (t: T) => string, what: string): Map<string, T> {
  const out = new Map<string, T>();
  const owner = new Map<string, string>();
  for (const { capability, item } of items) {
    const key = keyOf(item);
    if (out.has(key)) throw new CompositionError(`${what} "${key}" is contributed twice (by ${owner.get(key)} and ${capability})`);
    out.set(key, item);
    owner.set(key, capability);
  }
  return out;
}

/**
 * Builds the registry from an ordered list of capabilities, once, at start-up. Anything that could
 * only fail later (a step type or kind declared twice, a behaviour for a kind nobody serves, a
 * subscription to an event whose step is not composed, a desired-state part nobody provides)
 * throws a {@link CompositionError} here instead.
 */
export function buildRegistry(capabilities: readonly DomainContribution[]): HubRegistry {
  const names = capabilities.map((c) => c.name);
  const dupName = names.find((n, i) => names.indexOf(n) !== i);
  if (dupName) throw new CompositionError(`capability "${dupName}" is composed twice`);

  const tagged = <T>(pick: (c: DomainContribution) => readonly T[] | undefined) =>
    capabilities.flatMap((c) => (pick(c) ?? []).map((item) => ({ capability: c.name, item })));

  const kinds = uniqueBy(
    tagged((c) => c.kinds),
    (k) => k.kind,
    'kind',
  );
  const byKind = new Map<string, { capability: string; behaviour: KindBehaviour }[]>();
  for (const { capability, item } of tagged((c) => c.behaviours)) {
    if (!kinds.has(item.kind))
      throw new CompositionError(`capability "${capability}" adds behaviour to ${item.kind}, but no composed capability serves that kind`);
    byKind.set(item.kind, [...(byKind.get(item.kind) ?? []), { capability, behaviour: item.behaviour }]);
  }
  const behaviours = new Map([...byKind].map(([kind, parts]) => [kind, mergeBehaviours(kind, parts)]));

  const subscriptions = tagged((c) => c.subscriptions);
  const steps = uniqueBy(
    [...tagged((c) => c.steps), ...subscriptions.map(({ capability, item }) => ({ capability, item: item.step }))].filter(
      (s, i, all) => all.findIndex((o) => o.item === s.item) === i,
    ),
    (s) => s.type,
    'step type',
  );
  const tasks = uniqueBy(
    tagged((c) => c.periodicTasks),
    (t) => t.name,
    'periodic task',
  );
  const cleanups = uniqueBy(
    tagged((c) => c.clusterCleanups),
    (c) => c.name,
    'cluster clean-up',
  );
  const redactions = uniqueBy(
    tagged((c) => c.redactions),
    (r) => r.kind,
    'list redaction for kind',
  );

  const parts: Partial<DesiredStateParts> = {};
  for (const c of capabilities) {
    for (const [part, provider] of Object.entries(c.desiredState ?? {}) as [
      keyof DesiredStateParts,
      DesiredStateParts[keyof DesiredStateParts],
    ][]) {
      if (parts[part]) throw new CompositionError(`desired-state part "${part}" is provided twice (the second by ${c.name})`);
      (parts as Record<string, unknown>)[part] = provider;
    }
  }
  const server = capabilities.find((c) => c.servesDesiredState);
  const missing = DESIRED_STATE_PARTS.filter((p) => !parts[p]);
  if (server && missing.length) {
    throw new CompositionError(
      `capability "${server.name}" serves agents' desired state, but no composed capability provides its part(s) ${missing.map((m) => `"${m}"`).join(', ')}: ` +
        'an agent would prune everything that part had applied. Compose the capability that provides it.',
    );
  }
  const desiredState = new Proxy(parts as DesiredStateParts, {
    get(target, key: string) {
      const provider = target[key as keyof DesiredStateParts];
      if (!provider) throw new CompositionError(`no composed capability provides the desired-state part "${key}"`);
      return provider;
    },
  });

  const subscribersOf = new Map<string, StepDefinition[]>();
  for (const { item } of subscriptions) subscribersOf.set(item.event.name, [...(subscribersOf.get(item.event.name) ?? []), item.step]);

  const empty: KindBehaviour = Object.freeze({});
  return Object.freeze({
    capabilities: Object.freeze(names),
    kinds: Object.freeze([...kinds.values()]),
    behaviour: (kind: string) => behaviours.get(kind) ?? empty,
    step: (type: string) => steps.get(type),
    stepTypes: Object.freeze([...steps.keys()].sort()),
    periodicTasks: Object.freeze([...tasks.values()]),
    statusReportHandlers: Object.freeze(tagged((c) => c.statusReportHandlers).map((h) => h.item)),
    desiredState,
    redaction: (kind: string) => redactions.get(kind)?.redact,
    clusterCleanups: Object.freeze([...cleanups.values()]),
    subscribers: (event: HubEvent) => subscribersOf.get(event.name) ?? [],
  });
}
