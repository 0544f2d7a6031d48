import { canonicalHash, canonicalJson } from '../../shared/hash.js';
import { pMap } from '../../shared/concurrency.js';
import { rollUpCompliance, type ComplianceState, type NamespaceSelector } from '../../shared/resources/policy.js';
import type { DesiredPolicy, DesiredPolicyTemplate, PolicyComplianceReport, TemplateCompliance } from '../../shared/protocol/v1.js';
import type { RandomSource } from '../backoff.js';
import type { ClusterApi, ResourceInfo } from '../kube/cluster-api.js';
import type { ObjectRef } from '../kube/types.js';
import type { AgentLog } from '../log.js';
import { DEFAULT_DEBOUNCE, ReportDebouncer, type DebounceOptions } from './debounce.js';
import { planDependencies, unmetDependencies } from './dependencies.js';
import { evaluateTemplate, type TemplateOutcome } from './evaluate-template.js';
import type { EvaluationContext } from './evaluate-object.js';
import { selectNamespaces } from './namespace-selection.js';
import { PolicyStore, type PolicyRecord, type TemplateRecord } from './policy-store.js';
import { pruneTemplates } from './prune.js';
import { kindNotFoundRetryAt, nextEvaluationAt } from './schedule.js';

/**
 * The agent's governance loop: evaluates (and enforces) the policies of the desired state on the
 * cluster, in dependency order, each template when its policy arrives or changes and then at its
 * evaluation interval; prunes what removed policies leave; and hands the status reporter the
 * compliance reports that changed, debounced. It runs inside the agent's own loop and never calls
 * the hub: an idle pass (nothing due) makes no call at all, to the hub or the cluster.
 */

/** Options of {@link Governor}. */
export interface GovernorOptions {
  api: ClusterApi;
  /** The agent's namespace (its policy state ConfigMap). */
  namespace: string;
  log: AgentLog;
  now: () => number;
  random?: RandomSource;
  /** Templates evaluated at once (across policies of one dependency level). Default 4. */
  concurrency?: number;
  debounce?: DebounceOptions;
}

/** What the status reporter sends for policies. */
export interface PolicyReportSource {
  /** The reports and removals to send now (already debounced); at most 500 of each. */
  pending(now: number): { policies: PolicyComplianceReport[]; removed: string[] };
  /** The hub accepted them. */
  sent(policies: readonly PolicyComplianceReport[], removed: readonly string[], now: number): void;
  /** The hub knows nothing any more (a new join): send every current report again. */
  forgetSent(): void;
}

/** The outcome of one pass. */
export interface GovernancePass {
  /** Templates evaluated in this pass. */
  evaluated: number;
}

interface TemplateState {
  nextAt?: number;
  result?: TemplateCompliance;
  /** KindNotFound results in a row (their retries come sooner than the interval). */
  kindNotFound?: number;
}

interface PolicyState {
  hash: string;
  templates: Map<string, TemplateState>;
  pending: boolean;
  compliance?: ComplianceState;
  since?: string;
  report?: PolicyComplianceReport;
}

/** Most policies and removals per status report (the protocol's limit). */
const MAX_PER_REPORT = 500;

/** Evaluates policies and keeps their reports. One per agent. */
export class Governor implements PolicyReportSource {
  private records?: Map<string, PolicyRecord>;
  private readonly states = new Map<string, PolicyState>();
  private readonly removed = new Set<string>();
  private readonly debouncer: ReportDebouncer;
  private readonly store: PolicyStore;
  private readonly random: RandomSource;

  constructor(private readonly options: GovernorOptions) {
    this.debouncer = new ReportDebouncer(options.debounce ?? DEFAULT_DEBOUNCE);
    this.store = new PolicyStore(options.api, options.namespace, options.log);
    this.random = options.random ?? Math.random;
  }

  /** The current report of a policy (tests, /metrics). */
  report(name: string): PolicyComplianceReport | undefined {
    return this.states.get(name)?.report;
  }

  /** One pass over the desired policies. Never throws: a failure is logged and retried next pass. */
  async run(policies: readonly DesiredPolicy[]): Promise<GovernancePass> {
    const pass: GovernancePass = { evaluated: 0 };
    if (policies.length === 0 && this.states.size === 0 && this.records?.size === 0) return pass;
    let records: Map<string, PolicyRecord>;
    try {
      records = this.records ??= await this.store.load();
    } catch (err) {
      this.options.log.warn('cannot read the policy state; policies are evaluated next pass', { error: err });
      return pass;
    }
    const now = this.options.now();
    const desired = new Map(policies.map((p) => [p.name, p]));
    await this.forgetRemoved(desired, records);

    const depStates = new Map<string, ComplianceState | undefined>();
    for (const p of policies) {
      if (p.disabled) {
        depStates.set(p.name, undefined);
        if (this.states.delete(p.name)) this.removed.add(p.name);
      } else depStates.set(p.name, this.states.get(p.name)?.compliance);
    }
    const enabled = policies.filter((p) => !p.disabled);
    const plan = planDependencies(enabled);
    for (const [name, message] of plan.cyclic) {
      const p = desired.get(name)!;
      this.setPending(p, this.stateOf(p), `${message}; the policy is not evaluated`, now);
      depStates.set(name, 'Pending');
    }
    for (const level of plan.levels) {
      await pMap(
        level,
        async (name) => {
          const p = desired.get(name)!;
          // Not `+= await`: that reads the counter before the await and loses concurrent updates.
          const n = await this.evaluatePolicy(p, depStates, records, now);
          pass.evaluated += n;
        },
        { concurrency: this.options.concurrency ?? 4 },
      );
      for (const name of level) depStates.set(name, this.states.get(name)?.compliance);
    }
    try {
      await this.store.save(records);
    } catch (err) {
      this.options.log.warn('could not write the policy state; will retry', { error: err });
    }
    return pass;
  }

  pending(now: number): { policies: PolicyComplianceReport[]; removed: string[] } {
    const policies: PolicyComplianceReport[] = [];
    for (const [name, st] of this.states) {
      if (st.report && this.debouncer.offer(name, reportHash(st.report), now)) policies.push(st.report);
    }
    return { policies: policies.slice(0, MAX_PER_REPORT), removed: [...this.removed].slice(0, MAX_PER_REPORT) };
  }

  sent(policies: readonly PolicyComplianceReport[], removed: readonly string[], now: number): void {
    for (const p of policies) this.debouncer.sent(p.name, reportHash(p), now);
    for (const name of removed) this.removed.delete(name);
  }

  forgetSent(): void {
    this.debouncer.forget();
  }

  /** Policies gone from the desired state: prune (enforce only), forget, and report the removal once. */
  private async forgetRemoved(desired: ReadonlyMap<string, DesiredPolicy>, records: Map<string, PolicyRecord>): Promise<void> {
    for (const name of desired.keys()) this.removed.delete(name);
    for (const [name, record] of [...records]) {
      if (desired.has(name)) continue;
      const left = await pruneTemplates(this.options.api, record, record.templates, this.options.log);
      if (left.length) records.set(name, { ...record, templates: left });
      else records.delete(name);
      this.removed.add(name);
    }
    for (const name of [...this.states.keys()]) {
      if (desired.has(name)) continue;
      this.states.delete(name);
      this.debouncer.forget(name);
      this.removed.add(name);
    }
  }

  private stateOf(p: DesiredPolicy): PolicyState {
    let st = this.states.get(p.name);
    if (!st || st.hash !== p.hash) {
      // A changed policy is evaluated afresh; its compliance (and since when) carries over until then.
      st = { hash: p.hash, templates: new Map(), pending: false, compliance: st?.compliance, since: st?.since };
      this.states.set(p.name, st);
    }
    return st;
  }

  /** Evaluates a policy's due templates; returns how many were evaluated. */
  private async evaluatePolicy(
    p: DesiredPolicy,
    depStates: ReadonlyMap<string, ComplianceState | undefined>,
    records: Map<string, PolicyRecord>,
    now: number,
  ): Promise<number> {
    const fresh = this.states.get(p.name)?.hash !== p.hash;
    const st = this.stateOf(p);
    if (p.renderError !== undefined) {
      const t: TemplateCompliance = {
        name: p.name,
        compliance: 'NonCompliant',
        reason: 'TemplateError',
        message: p.renderError.slice(0, 2048),
        objects: [],
      };
      this.finish(p, st, [t], now);
      return 0;
    }
    const unmet = unmetDependencies(p, depStates);
    if (unmet.length) {
      this.setPending(
        p,
        st,
        `dependencies not met: ${unmet.join('; ')}; the policy is not evaluated and its objects are left as they are`,
        now,
      );
      return 0;
    }
    const wasPending = st.pending;
    st.pending = false;
    if (fresh) await this.pruneDroppedTemplates(p, records);
    const ctx = this.context(p, fresh);
    let evaluated = 0;
    for (const t of p.templates) {
      const ts = st.templates.get(t.name) ?? {};
      st.templates.set(t.name, ts);
      const due = wasPending || ts.result === undefined || (ts.nextAt !== undefined && now >= ts.nextAt);
      if (!due) continue;
      const outcome = await evaluateTemplate(ctx, t);
      ts.result = outcome.compliance;
      if (outcome.compliance.reason === 'KindNotFound') {
        ts.nextAt = kindNotFoundRetryAt(now, ts.kindNotFound ?? 0, t.evaluationInterval, this.random());
        ts.kindNotFound = (ts.kindNotFound ?? 0) + 1;
      } else {
        ts.nextAt = nextEvaluationAt(now, outcome.compliance.compliance, t.evaluationInterval, this.random());
        ts.kindNotFound = 0;
      }
      this.record(p, t, outcome, records);
      evaluated++;
    }
    if (evaluated > 0 || fresh || wasPending)
      this.finish(
        p,
        st,
        p.templates.map((t) => st.templates.get(t.name)!.result!),
        now,
      );
    return evaluated;
  }

  private setPending(p: DesiredPolicy, st: PolicyState, message: string, now: number): void {
    st.pending = true;
    const templates: TemplateCompliance[] = p.templates.map((t) => ({
      name: t.name,
      compliance: 'Pending',
      reason: 'DependencyNotMet',
      message: message.slice(0, 2048),
      objects: [],
    }));
    this.finish(
      p,
      st,
      templates.length ? templates : [{ name: p.name, compliance: 'Pending', reason: 'DependencyNotMet', message, objects: [] }],
      now,
    );
  }

  private finish(p: DesiredPolicy, st: PolicyState, templates: TemplateCompliance[], now: number): void {
    const compliance = rollUpCompliance(templates.map((t) => t.compliance)) ?? 'Compliant';
    const at = new Date(now).toISOString();
    if (compliance !== st.compliance || !st.since) {
      st.compliance = compliance;
      st.since = at;
    }
    const report: PolicyComplianceReport = {
      name: p.name,
      uid: p.uid,
      generation: p.generation,
      compliance,
      since: st.since,
      evaluatedAt: at,
      templates,
    };
    // Keep the previous object (and its evaluatedAt) when nothing but the time changed.
    if (!st.report || reportHash(st.report) !== reportHash(report)) st.report = report;
    else st.report = { ...st.report, evaluatedAt: at };
  }

  /** Remembers what enforcement created and named (enforce policies only: inform never writes). */
  private record(p: DesiredPolicy, t: DesiredPolicyTemplate, outcome: TemplateOutcome, records: Map<string, PolicyRecord>): void {
    if (p.remediationAction !== 'enforce') {
      records.delete(p.name);
      return;
    }
    const rec: PolicyRecord = records.get(p.name) ?? { name: p.name, uid: p.uid, remediationAction: 'enforce', templates: [] };
    const prev = rec.templates.find((x) => x.name === t.name);
    const next: TemplateRecord = {
      name: t.name,
      pruneObjectBehavior: t.pruneObjectBehavior,
      created: union(prev?.created ?? [], outcome.created),
      named: union([], outcome.named),
    };
    records.set(p.name, {
      ...rec,
      uid: p.uid,
      remediationAction: 'enforce',
      templates: [...rec.templates.filter((x) => x.name !== t.name), next].sort((a, b) => a.name.localeCompare(b.name)),
    });
  }

  /** A changed policy: templates it no longer has are pruned as a removed policy's would be. */
  private async pruneDroppedTemplates(p: DesiredPolicy, records: Map<string, PolicyRecord>): Promise<void> {
    const rec = records.get(p.name);
    if (!rec) return;
    const names = new Set(p.templates.map((t) => t.name));
    const dropped = rec.templates.filter((t) => !names.has(t.name));
    if (p.remediationAction !== 'enforce') {
      records.delete(p.name);
      return;
    }
    if (dropped.length === 0) return;
    const left = await pruneTemplates(this.options.api, rec, dropped, this.options.log);
    records.set(p.name, { ...rec, templates: [...rec.templates.filter((t) => names.has(t.name)), ...left] });
  }

  /** Discovery and namespace lists, cached for one policy's pass. */
  private context(p: DesiredPolicy, reapply: boolean): EvaluationContext {
    const api = this.options.api;
    const kinds = new Map<string, Promise<ResourceInfo | undefined>>();
    const namespaces = new Map<string, Promise<string[]>>();
    return {
      api,
      remediationAction: p.remediationAction,
      reapply,
      discover: (apiVersion, kind) => {
        const key = `${apiVersion}|${kind}`;
        if (!kinds.has(key)) kinds.set(key, api.discover(apiVersion, kind));
        return kinds.get(key)!;
      },
      namespaces: (selector: NamespaceSelector) => {
        const key = canonicalJson(selector);
        if (!namespaces.has(key)) namespaces.set(key, selectNamespaces(api, selector));
        return namespaces.get(key)!;
      },
    };
  }
}

/** The hash a report is compared by: everything but `evaluatedAt`. */
export function reportHash(report: PolicyComplianceReport): string {
  return canonicalHash({ ...report, evaluatedAt: undefined });
}

function union(a: readonly ObjectRef[], b: readonly ObjectRef[]): ObjectRef[] {
  const out = new Map<string, ObjectRef>();
  for (const r of [...a, ...b]) out.set(`${r.apiVersion}|${r.kind}|${r.namespace ?? ''}|${r.name}`, r);
  return [...out.values()];
}
