import { canonicalJson } from '../../shared/hash.js';
import { ConflictError, NotFoundError, PermanentConflictError, ValidationError } from '../../shared/errors.js';
import { matchesSelector, type LabelSelector } from '../../shared/labels.js';
import { findKind, inputSchema, kindNames, KINDS, type AnyKind, type KindInfo } from '../../shared/resources/kinds.js';

const ALL_KINDS: readonly AnyKind[] = Object.values(KINDS);
import { API_VERSION, type Resource } from '../../shared/resources/meta.js';
import { parseOrThrow } from '../../shared/validation.js';
import { SCOPE_ANNOTATION } from '../../shared/tenancy.js';
import type { Authorizer } from './authz/authorizer.js';
import { isoNow } from '../ports/clock.js';
import type { HubContext } from './context.js';
import { applyMergePatch } from './merge-patch.js';
import { retryOnConflict } from './retry.js';

/** A validated document as the user wrote it: what apply/create/replace act on. */
export interface DesiredObject {
  info: KindInfo;
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  spec: unknown;
  /** resourceVersion the user sent, for conditional writes. */
  resourceVersion?: string;
}

/** Resolves a kind by plural/name among the served kinds (default: all), with an actionable error. */
export function requireKind(text: string, among: readonly AnyKind[] = ALL_KINDS): KindInfo {
  const info = findKind(text, among);
  if (!info) {
    throw new NotFoundError('kind', text, {
      cause: new Error(`known kinds: ${kindNames(among).join(', ')}`),
    });
  }
  return info;
}

/**
 * Validates one user document against its kind's schema and returns the desired object.
 * `expectKind` pins the kind (routes like /v1/clusters); `where` prefixes error messages; `among`
 * is the kinds the hub serves (its composed registry's; default all).
 */
export function parseDesired(
  doc: unknown,
  expectKind?: KindInfo,
  where = 'document',
  among: readonly AnyKind[] = ALL_KINDS,
): DesiredObject {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ValidationError(`${where} must be an object with apiVersion, kind, metadata and spec`);
  }
  const kindText = (doc as { kind?: unknown }).kind;
  if (typeof kindText !== 'string' || kindText === '') {
    throw new ValidationError(`${where} has no kind; set kind to one of ${kindNames(among).join(', ')}`, [
      { path: 'kind', message: 'required' },
    ]);
  }
  const info = expectKind?.kind === kindText ? expectKind : findKind(kindText, among);
  if (!info || info.kind !== kindText) {
    throw new ValidationError(`${where}: unknown kind "${kindText}"; known kinds: ${kindNames(among).join(', ')}`, [
      { path: 'kind', message: `unknown kind "${kindText}"` },
    ]);
  }
  if (expectKind && info.kind !== expectKind.kind) {
    throw new ValidationError(`${where}: kind is ${info.kind} but this endpoint serves ${expectKind.kind}`, [
      { path: 'kind', message: `expected ${expectKind.kind}` },
    ]);
  }
  const nameHint = (doc as { metadata?: { name?: unknown } }).metadata?.name;
  const label = typeof nameHint === 'string' ? `${info.kind} "${nameHint}"` : `${where} (${info.kind})`;
  const parsed = parseOrThrow(inputSchema(info), doc, label);
  const spec = parseOrThrow(info.spec, parsed.spec ?? {}, label, 'spec');
  return {
    info,
    name: parsed.metadata.name,
    namespace: parsed.metadata.namespace,
    labels: parsed.metadata.labels,
    annotations: parsed.metadata.annotations,
    spec,
    resourceVersion: parsed.metadata.resourceVersion,
  };
}

/**
 * What a caller that already read the object can pass to {@link ResourceService.apply}, so the
 * service does not read it again.
 */
export interface ApplyOptions {
  /**
   * The stored object as the caller read it with a strongly consistent read, or `null` when that
   * read found none. Omitted: the service reads it. A stale value is safe: writes stay conditional
   * (create on absence, replace on the version), and a conflict re-reads.
   */
  existing?: Resource | null;
  /** False: return the object as stored, without the kind's read-time decoration (one read less). */
  decorate?: boolean;
}

export interface ListQuery {
  selector?: LabelSelector;
  limit: number;
  cursor?: string;
  namespace?: string;
}

/**
 * The generic resource use cases (create, read, list, replace, patch, delete) for every kind, with
 * per-kind behaviour plugged in through the composed registry ({@link HubContext.registry}).
 */
export class ResourceService {
  /**
   * @param authz the caller's authorization, for the admin API: reads outside the caller's cluster
   * sets are hidden (404, filtered from lists), writes outside them refused, and a scoped writer's
   * confinement recorded on what it writes. Absent for the hub's own work (steps, tasks).
   */
  constructor(
    private readonly ctx: HubContext,
    private readonly authz?: Authorizer,
  ) {}

  private now(): string {
    return isoNow(this.ctx.ports.clock);
  }

  async get(info: KindInfo, name: string, namespace?: string): Promise<Resource> {
    const res = await this.ctx.ports.resources.get({ kind: info.kind, name, namespace });
    if (!res) throw new NotFoundError(info.kind, namespace ? `${namespace}/${name}` : name);
    await this.authz?.requireObject('get', res);
    return this.decorate(res);
  }

  async list(info: KindInfo, q: ListQuery): Promise<{ items: Resource[]; cursor?: string }> {
    // A cluster outside the caller's sets is hidden as a whole: its objects are not even listed empty.
    if (this.authz && q.namespace && !(await this.authz.admitsCluster('list', info.kind, q.namespace))) {
      throw new NotFoundError('Cluster', q.namespace);
    }
    const page = await this.ctx.ports.resources.list(info.kind, {
      limit: q.limit,
      cursor: q.cursor,
      namespace: q.namespace,
      filter: q.selector ? (r) => matchesSelector(q.selector, r.metadata.labels) : undefined,
    });
    const redact = this.ctx.registry.redaction(info.kind);
    const many = this.ctx.registry.behaviour(info.kind).decorateMany;
    // Outside the caller's sets: not in the page at all (a page may then be shorter than the limit).
    const visible = this.authz ? await this.authz.filter('list', page.items) : page.items;
    const decorated = many ? await many(visible, this.ctx) : await Promise.all(visible.map((r) => this.decorate(r)));
    const items = redact ? decorated.map(redact) : decorated;
    return { items, cursor: page.cursor };
  }

  /** Creates a new object; AlreadyExistsError when the name is taken. */
  async create(desired: DesiredObject, opts: { decorate?: boolean } = {}): Promise<Resource> {
    const { info } = desired;
    const now = this.now();
    const res: Resource = {
      apiVersion: API_VERSION,
      kind: info.kind,
      metadata: {
        name: desired.name,
        ...(info.namespaced && desired.namespace ? { namespace: desired.namespace } : {}),
        ...(desired.labels ? { labels: desired.labels } : {}),
        ...(desired.annotations ? { annotations: desired.annotations } : {}),
        uid: this.ctx.ports.ids.uid(),
        resourceVersion: '0',
        generation: 1,
        creationTimestamp: now,
      },
      spec: desired.spec,
    };
    const behaviour = this.ctx.registry.behaviour(info.kind);
    const status = behaviour.initialStatus?.(res, this.ctx);
    if (status !== undefined) res.status = status;
    const spec = behaviour.hubOwnedSpec?.(res, undefined, this.ctx);
    if (spec !== undefined) res.spec = spec;
    await this.guardWrite('create', res);
    await behaviour.validate?.(res, undefined, this.ctx);
    const created = await this.ctx.ports.resources.create(res);
    await behaviour.afterCreate?.(created, this.ctx);
    return opts.decorate === false ? created : this.decorate(created);
  }

  /**
   * Replaces labels, annotations and spec. With `expectedVersion` the write is conditional on it
   * (409 on mismatch); without, it re-reads and retries on conflict, so status written concurrently
   * by the hub is never lost.
   */
  async replace(
    desired: DesiredObject,
    expectedVersion?: string,
    known: Omit<ApplyOptions, 'existing'> & { current?: Resource } = {},
  ): Promise<Resource> {
    return this.update('update', desired.info, desired.name, desired.namespace, expectedVersion, () => desired, known);
  }

  /** Applies an RFC 7396 merge patch to labels, annotations and spec. */
  async patch(
    info: KindInfo,
    name: string,
    namespace: string | undefined,
    patch: Record<string, unknown>,
    ifMatch?: string,
  ): Promise<Resource> {
    const patchVersion = (patch.metadata as { resourceVersion?: unknown } | undefined)?.resourceVersion;
    if (patchVersion !== undefined && typeof patchVersion !== 'string') {
      throw new ValidationError('metadata.resourceVersion must be a string', [
        { path: 'metadata.resourceVersion', message: 'expected a string' },
      ]);
    }
    const expected = ifMatch ?? (patchVersion as string | undefined);
    return this.update('patch', info, name, namespace, expected, (current) => {
      const base = {
        apiVersion: API_VERSION,
        kind: info.kind,
        metadata: {
          name,
          ...(current.metadata.labels ? { labels: current.metadata.labels } : {}),
          ...(current.metadata.annotations ? { annotations: current.metadata.annotations } : {}),
        },
        spec: current.spec,
      };
      const merged = applyMergePatch(base, patch) as Record<string, unknown>;
      const meta = (merged.metadata ?? {}) as Record<string, unknown>;
      if (meta.name !== name) {
        throw new ValidationError(`metadata.name cannot be changed by a patch (${name})`, [
          { path: 'metadata.name', message: 'immutable' },
        ]);
      }
      delete meta.resourceVersion;
      merged.kind = info.kind;
      merged.apiVersion = API_VERSION;
      return parseDesired(merged, info, `${info.kind} "${name}"`);
    });
  }

  private async update(
    verb: 'update' | 'patch',
    info: KindInfo,
    name: string,
    namespace: string | undefined,
    expectedVersion: string | undefined,
    compute: (current: Resource) => DesiredObject,
    known: { current?: Resource; decorate?: boolean } = {},
  ): Promise<Resource> {
    const behaviour = this.ctx.registry.behaviour(info.kind);
    // The caller's consistent read serves the first attempt; a conflict re-reads.
    let firstRead = known.current;
    const attempt = async () => {
      const current = firstRead ?? (await this.ctx.ports.resources.get({ kind: info.kind, name, namespace }, { consistent: true }));
      firstRead = undefined;
      if (!current) throw new NotFoundError(info.kind, name);
      if (expectedVersion !== undefined && expectedVersion !== current.metadata.resourceVersion) {
        throw new ConflictError(
          `${info.kind} "${name}" was modified: you sent resourceVersion ${expectedVersion}, the current one is ${current.metadata.resourceVersion}; get it again, re-apply your change and retry`,
          current.metadata.resourceVersion,
        );
      }
      if (current.metadata.deletionTimestamp) {
        throw new PermanentConflictError(
          `${info.kind} "${name}" is being deleted; it cannot be changed (wait until it is gone, then create it again)`,
          current.metadata.resourceVersion,
        );
      }
      const desired = compute(current);
      if (desired.name !== name) {
        throw new ValidationError(`metadata.name "${desired.name}" does not match the name in the path "${name}"`, [
          { path: 'metadata.name', message: 'must match the path' },
        ]);
      }
      const next = this.merged(current, desired);
      await this.guardWrite(verb, next, current);
      if (sameDesired(current, next)) return { result: current, changed: false };
      await behaviour.validate?.(next, current, this.ctx);
      const written = await this.ctx.ports.resources.replace(next, current.metadata.resourceVersion);
      return { result: written, changed: true, prev: current };
    };
    // A caller-supplied version must fail on conflict; otherwise re-read and retry.
    const out = expectedVersion !== undefined ? await attempt() : await this.retryContended(info, name, attempt);
    if (out.changed && out.prev) await behaviour.afterUpdate?.(out.prev, out.result, this.ctx);
    return known.decorate === false ? out.result : this.decorate(out.result);
  }

  /**
   * An unconditional write, retried on conflict. When other writers keep winning until the budget
   * is spent, the 409 says so: the store's own message speaks of a resourceVersion "the request
   * expected", which this caller never sent.
   */
  private async retryContended<T>(info: KindInfo, name: string, attempt: () => Promise<T>): Promise<T> {
    const clock = this.ctx.ports.clock;
    const started = clock.now();
    try {
      return await retryOnConflict(clock, attempt, 200);
    } catch (err) {
      if (!(err instanceof ConflictError) || err instanceof PermanentConflictError) throw err;
      const seconds = Math.max(1, Math.round((clock.now() - started) / 1000));
      throw new ConflictError(
        `${info.kind} "${name}" is being changed by other writers at the same time: the hub re-read it and retried your change for about ${seconds} s, and another write got in first every time. Nothing was changed; retry later`,
        err.currentResourceVersion,
        { cause: err },
      );
    }
  }

  /**
   * Deletes, or marks for deletion when the kind finalises through queued steps. `known` is the
   * object as the caller just read it (strongly consistent), so it is not read again.
   */
  async delete(
    info: KindInfo,
    name: string,
    namespace?: string,
    known?: Resource,
  ): Promise<{ result: 'deleted' | 'finalizing'; object: Resource }> {
    const current = known ?? (await this.ctx.ports.resources.get({ kind: info.kind, name, namespace }, { consistent: true }));
    if (!current) throw new NotFoundError(info.kind, name);
    await this.authz?.requireObject('delete', current);
    const behaviour = this.ctx.registry.behaviour(info.kind);
    if (behaviour.delete) return behaviour.delete(current, this.ctx);
    await this.ctx.ports.resources.delete({ kind: info.kind, name, namespace });
    await behaviour.afterDelete?.(current, this.ctx);
    return { result: 'deleted', object: current };
  }

  /**
   * Create-or-update for apply: returns what happened. Dry runs validate and compute the action
   * without writing. See {@link ApplyOptions} for what a caller that read the object already passes.
   */
  async apply(
    desired: DesiredObject,
    dryRun: boolean,
    opts: ApplyOptions = {},
  ): Promise<{ action: 'created' | 'configured' | 'unchanged'; object?: Resource }> {
    const existing =
      opts.existing !== undefined
        ? (opts.existing ?? undefined)
        : await this.ctx.ports.resources.get(
            { kind: desired.info.kind, name: desired.name, namespace: desired.namespace },
            { consistent: true },
          );
    const decorate = opts.decorate;
    if (!existing) {
      if (dryRun) {
        const preview = previewNew(desired);
        await this.guardWrite('create', preview);
        await this.ctx.registry.behaviour(desired.info.kind).validate?.(preview, undefined, this.ctx);
        return { action: 'created' };
      }
      return { action: 'created', object: await this.create(desired, { decorate }) };
    }
    const next = this.merged(existing, desired);
    await this.guardWrite('update', next, existing);
    if (sameDesired(existing, next)) return { action: 'unchanged', object: existing };
    if (dryRun) {
      if (desired.resourceVersion && desired.resourceVersion !== existing.metadata.resourceVersion) {
        throw new ConflictError(
          `${desired.info.kind} "${desired.name}" was modified since resourceVersion ${desired.resourceVersion}`,
          existing.metadata.resourceVersion,
        );
      }
      await this.ctx.registry.behaviour(desired.info.kind).validate?.(next, existing, this.ctx);
      return { action: 'configured' };
    }
    return { action: 'configured', object: await this.replace(desired, desired.resourceVersion, { current: existing, decorate }) };
  }

  /** The object a user's write makes of `current`: their metadata and spec, with the hub-owned parts of the spec kept. */
  private merged(current: Resource, desired: DesiredObject): Resource {
    const hubOwned = this.ctx.registry.behaviour(desired.info.kind).hubOwnedSpec;
    if (!hubOwned) return withDesired(current, desired);
    const spec = hubOwned({ ...current, spec: desired.spec }, current, this.ctx);
    return withDesired(current, spec === undefined ? desired : { ...desired, spec });
  }

  /**
   * Refuses a write outside the caller's reach, and records a scoped writer's confinement on a
   * Placement (the {@link SCOPE_ANNOTATION}: every recomputation chooses only within it). An
   * unconfined writer's annotations are kept as sent: an admin may set or clear it.
   */
  private async guardWrite(verb: 'create' | 'update' | 'patch', next: Resource, current?: Resource): Promise<void> {
    if (!this.authz) return;
    await this.authz.requireWrite(verb, next, current);
    if (next.kind !== 'Placement') return;
    const confined = this.authz.confinement(verb, next.kind);
    if (!confined) return;
    next.metadata = { ...next.metadata, annotations: { ...next.metadata.annotations, [SCOPE_ANNOTATION]: confined.join(',') } };
  }

  private async decorate(res: Resource): Promise<Resource> {
    const d = this.ctx.registry.behaviour(res.kind).decorate;
    return d ? d(res, this.ctx) : res;
  }
}

function withDesired(current: Resource, desired: DesiredObject): Resource {
  const specChanged = canonicalJson(current.spec) !== canonicalJson(desired.spec);
  const metadata = { ...current.metadata };
  if (desired.labels && Object.keys(desired.labels).length) metadata.labels = desired.labels;
  else delete metadata.labels;
  if (desired.annotations && Object.keys(desired.annotations).length) metadata.annotations = desired.annotations;
  else delete metadata.annotations;
  if (specChanged) metadata.generation = current.metadata.generation + 1;
  return { ...current, metadata, spec: desired.spec };
}

function sameDesired(a: Resource, b: Resource): boolean {
  return (
    canonicalJson(a.spec) === canonicalJson(b.spec) &&
    canonicalJson(a.metadata.labels ?? {}) === canonicalJson(b.metadata.labels ?? {}) &&
    canonicalJson(a.metadata.annotations ?? {}) === canonicalJson(b.metadata.annotations ?? {})
  );
}

function previewNew(desired: DesiredObject): Resource {
  return {
    apiVersion: API_VERSION,
    kind: desired.info.kind,
    metadata: {
      name: desired.name,
      // A namespaced kind's checks need its cluster (a Work's cluster must exist), as on create.
      ...(desired.info.namespaced && desired.namespace ? { namespace: desired.namespace } : {}),
      labels: desired.labels,
      annotations: desired.annotations,
      uid: '',
      resourceVersion: '0',
      generation: 1,
      creationTimestamp: '',
    },
    spec: desired.spec,
  };
}
