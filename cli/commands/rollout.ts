import { Option, type Command } from 'commander';
import { checkName } from '../args.js';
import type { CliContext } from '../context.js';
import { ExitCode, UsageError, type ExitCodeValue } from '../errors.js';
import { parseDurationSeconds } from '../../shared/duration.js';
import type { Painter, Tone } from '../output/color.js';
import { formatData, kindRef } from '../output/print.js';
import { apiFor, type RolloutView } from '../rollout-api.js';
import { registerHistoryCommands } from './rollout-history.js';

/**
 * `tether rollout status|pause|resume|abort|rollback|override-window NAME`: watch and steer the
 * rollout of a FleetDeployment. `status` prints the summary and one progress bar per decision
 * group; `--watch` refreshes every 2 s (a conditional GET: 304 while nothing changed) until the
 * rollout is complete, paused, failed or aborted. Bars are drawn only on a terminal; elsewhere each
 * change prints plain lines, so logs and pipes stay readable.
 */

/** States after which `--watch` stops. */
const FINAL_STATES = new Set(['Complete', 'CompleteWithFailures', 'Paused', 'Failed', 'Aborted']);
const ACTIONS = ['pause', 'resume', 'abort', 'rollback'] as const;

/** A bar such as `[██████░░░░]`, or `[######----]` without Unicode. */
export function progressBar(done: number, total: number, width = 20, unicode = true): string {
  const filled = total > 0 ? Math.round((Math.min(done, total) / total) * width) : width;
  const [on, off] = unicode ? ['█', '░'] : ['#', '-'];
  return `[${on.repeat(filled)}${off.repeat(width - filled)}]`;
}

function percent(done: number, total: number): string {
  return `${total > 0 ? Math.floor((done / total) * 100) : 100}%`;
}

/** States in which a rollout is over: nothing waits for a window any more. */
const FINISHED_STATES: ReadonlySet<string> = new Set(['Complete', 'CompleteWithFailures', 'Aborted']);

/**
 * What `rollout status` says about an emergency window override: in force, or lapsed. An override
 * holds for the revision it was given for (and until `until`); a new revision — an apply that
 * changes the template, a rollback — brings the windows back, and saying so keeps that from going
 * unnoticed.
 */
export function windowOverrideLine(view: Pick<RolloutView, 'revision' | 'control' | 'state'>, now: Date): string | undefined {
  const o = view.control?.windowOverride;
  if (!o) return undefined;
  // A finished rollout waits for nothing: a lapsed override is no longer worth a hint.
  if (FINISHED_STATES.has(view.state) && (o.revision !== view.revision || (o.until && Date.parse(o.until) <= now.getTime())))
    return undefined;
  if (o.revision !== view.revision) {
    return `window override of revision ${o.revision} ("${o.reason}") has lapsed: revision ${view.revision ?? '-'} waits for maintenance windows; run tether rollout override-window again to override them for it`;
  }
  if (o.until && Date.parse(o.until) <= now.getTime())
    return `window override ("${o.reason}") lapsed at ${o.until}: maintenance windows apply again`;
  return `maintenance windows overridden for revision ${o.revision}${o.until ? ` until ${o.until}` : ''} ("${o.reason}")`;
}

/**
 * The status as text. With `bars` (a terminal) each group gets a progress bar; without, the same
 * facts as plain lines.
 */
export function renderRolloutStatus(view: RolloutView, options: { bars: boolean; paint: Painter; now?: Date }): string {
  const { paint } = options;
  const s = view.summary ?? { total: 0, updated: 0, applied: 0, available: 0, degraded: 0, failed: 0, pendingWindow: 0, templateErrors: 0 };
  const tone = stateTone(view.state);
  const complete = view.state === 'Complete' || view.state === 'CompleteWithFailures';
  const progressing = view.conditions.find(
    (c) => c.type === (complete ? 'Complete' : view.state === 'Failed' ? 'Failed' : view.state === 'Paused' ? 'Paused' : 'Progressing'),
  );
  const lines = [
    `${kindRef('FleetDeployment', view.name)}  revision ${view.revision ?? '-'}  ${paint(view.state, tone)}${view.pausedReason ? ` (${view.pausedReason})` : ''}`,
    `  updated ${s.updated}/${s.total}  applied ${s.applied}  available ${s.available}  degraded ${s.degraded}  failed ${s.failed}  pending-window ${s.pendingWindow}${s.templateErrors ? `  template-errors ${s.templateErrors}` : ''}`,
  ];
  if (progressing?.message) lines.push(`  ${progressing.message}`);
  const override = windowOverrideLine(view, options.now ?? new Date());
  if (override) lines.push(`  ${paint(override, 'warn')}`);
  if (view.groups.length) {
    const width = Math.max(...view.groups.map((g) => g.name.length));
    lines.push('groups:');
    for (const g of view.groups) {
      const facts = `${g.updated}/${g.total} updated  ${g.available} available  ${g.failed} failed  ${g.state}${g.mandatory ? '  (mandatory)' : ''}`;
      lines.push(
        options.bars
          ? `  ${g.name.padEnd(width)}  ${progressBar(g.updated, g.total)} ${percent(g.updated, g.total).padStart(4)}  ${facts}`
          : `  ${g.name.padEnd(width)}  ${percent(g.updated, g.total)}  ${facts}`,
      );
    }
  }
  if (view.clusters.length) {
    lines.push('clusters needing attention:');
    for (const c of view.clusters) lines.push(`  ${c.cluster}  ${paint(c.reason, 'bad')}  ${c.message}`);
    if (view.clustersOmitted) lines.push(`  ... and ${view.clustersOmitted} more`);
  }
  return `${lines.join('\n')}\n`;
}

/** Tone of a rollout state: the same as the STATE column of `tether get fleetdeployments`. */
export function stateTone(state: string): Tone | undefined {
  if (state === 'Complete') return 'good';
  if (state === 'Failed' || state === 'Aborted') return 'bad';
  if (state === 'CompleteWithFailures' || state === 'Paused' || state === 'WaitingForWindow') return 'warn';
  return undefined;
}

/**
 * Exit code of a finished watch: only a rollout that is Complete without failures is a success.
 * CompleteWithFailures exits 1 like Failed, so a CI gate never passes a rollout that left
 * clusters behind.
 */
export function exitCodeForState(state: string): ExitCodeValue {
  return state === 'Complete' ? ExitCode.Ok : ExitCode.Failed;
}

/** Why a finished watch did not succeed, for stderr. */
export function finalStateMessage(name: string, view: Pick<RolloutView, 'state' | 'pausedReason' | 'summary'>): string {
  const ref = kindRef('FleetDeployment', name);
  if (view.state === 'CompleteWithFailures') {
    const s = view.summary;
    const what = [s?.failed ? `${s.failed} failed` : '', s?.templateErrors ? `${s.templateErrors} with template errors` : '']
      .filter(Boolean)
      .join(', ');
    return `${ref} completed with failures${what ? ` (${what})` : ''}; see "clusters needing attention" above`;
  }
  return `${ref} is ${view.state}${view.pausedReason ? ` (${view.pausedReason})` : ''}; it will not complete until resumed`;
}

interface StatusOptions {
  watch?: boolean;
  interval: string;
  timeout?: string;
  output?: string;
}

async function status(ctx: CliContext, cmd: Command, name: string, opts: StatusOptions): Promise<void> {
  const interval = Number(opts.interval);
  if (!Number.isFinite(interval) || interval <= 0)
    throw new UsageError(`invalid --interval "${opts.interval}": expected a number of seconds such as 2 or 0.5`);
  const timeoutSeconds = opts.timeout === undefined ? undefined : parseDurationSeconds(opts.timeout);
  if (opts.timeout !== undefined && (timeoutSeconds === undefined || timeoutSeconds <= 0))
    throw new UsageError(`invalid --timeout "${opts.timeout}": expected a duration like 10m or 1h`);
  const api = await apiFor(ctx, cmd);
  const format = opts.output as 'json' | 'yaml' | undefined;
  const bars = ctx.io.isTTY && !format;
  const paint = ctx.paint(cmd);
  const started = Date.now();
  let etag: string | undefined;
  let drawn = 0;
  let view: RolloutView | undefined;
  for (;;) {
    const answer = await api.status(name, etag);
    if (answer.view) {
      view = answer.view;
      etag = answer.etag;
      const text = format ? formatData(view, format) : renderRolloutStatus(view, { bars, paint, now: ctx.io.now() });
      // On a terminal the previous frame is replaced in place; elsewhere each change is appended.
      if (bars && drawn) ctx.out(`\u001b[${drawn}A\u001b[0J`);
      else if (drawn && !format) ctx.out(`--- ${ctx.io.now().toISOString()}\n`);
      ctx.out(text);
      drawn = text.split('\n').length - 1;
    }
    if (!opts.watch || (view && FINAL_STATES.has(view.state))) break;
    if (timeoutSeconds !== undefined && Date.now() - started >= timeoutSeconds * 1000) {
      ctx.io.err(
        `error: timed out after ${opts.timeout} waiting for ${kindRef('FleetDeployment', name)} (state ${view?.state ?? 'unknown'})\n`,
      );
      ctx.fail(ExitCode.Failed);
      return;
    }
    await new Promise((r) => setTimeout(r, interval * 1000));
  }
  if (opts.watch && view && view.state !== 'Complete') {
    ctx.io.err(`${finalStateMessage(name, view)}\n`);
    ctx.fail(exitCodeForState(view.state));
  }
}

/** Registers the `rollout` command group. */
export function registerRolloutCommands(program: Command, ctx: CliContext): void {
  const rollout = program
    .command('rollout')
    .description('watch and steer FleetDeployment rollouts: status, history, pause, resume, abort, rollback/undo, override-window')
    .addHelpText(
      'after',
      `
Examples:
  tether rollout status pos --watch            # until complete (exit 0), or complete with failures/paused/failed/aborted (exit 1)
  tether rollout pause pos
  tether rollout resume pos                    # also acknowledges the failures that paused it
  tether rollout abort pos                     # no new waves; what is applied stays
  tether rollout rollback pos                  # back to the previous revision, with the same strategy
  tether rollout history pos                   # the kept revisions; --revision N shows one
  tether rollout undo pos --to-revision 3      # as kubectl: rollback to a chosen revision
  tether rollout override-window pos --reason "CVE-2026-1234 hotfix" --until 2026-11-10T06:00:00Z`,
    );

  rollout
    .command('status')
    .description('show the rollout summary and per-group progress')
    .argument('<name>', 'FleetDeployment name')
    .option('-w, --watch', 'refresh until the rollout is complete (with or without failures), paused, failed or aborted')
    .option('--interval <seconds>', 'seconds between refreshes with --watch', '2')
    .option('--timeout <duration>', 'give up watching after this long (e.g. 30m); exit 1')
    .addOption(new Option('-o, --output <format>', 'print the status view as data').choices(['json', 'yaml']))
    .addHelpText(
      'after',
      `
--watch exits 0 when the rollout is Complete (every cluster updated, none failed), and 1 when it is
CompleteWithFailures, Paused, Failed or Aborted (or --timeout passes).

Examples:
  tether rollout status pos
  tether rollout status pos --watch --timeout 2h
  tether rollout status pos -o yaml`,
    )
    .action(async (name: string, opts: StatusOptions, cmd: Command) => status(ctx, cmd, checkName(name, 'FleetDeployment name'), opts));

  for (const verb of ACTIONS) {
    const what = {
      pause: 'stop new waves; clusters already updating carry on',
      resume: 'resume a paused, failed or aborted rollout (acknowledges current failures)',
      abort: 'stop the rollout of the current revision for good; what is applied stays',
      rollback: 'roll every updated cluster back to the previous revision, progressively',
    }[verb];
    rollout
      .command(verb)
      .description(what)
      .argument('<name>', 'FleetDeployment name')
      .addOption(new Option('-o, --output <format>', 'print the FleetDeployment instead of a message').choices(['json', 'yaml']))
      .addHelpText('after', `\nExamples:\n  tether rollout ${verb} pos\n  tether rollout ${verb} pos -o yaml`)
      .action(async (name: string, opts: { output?: 'json' | 'yaml' }, cmd: Command) => {
        const api = await apiFor(ctx, cmd);
        const object = await api.action(checkName(name, 'FleetDeployment name'), verb);
        ctx.out(
          opts.output
            ? formatData(object, opts.output)
            : `${kindRef('FleetDeployment', name)} ${verb === 'abort' ? 'aborted' : verb === 'rollback' ? 'rolling back' : `${verb}d`}\n`,
        );
      });
  }

  registerHistoryCommands(rollout, ctx);

  rollout
    .command('override-window')
    .description('emergency: ignore maintenance windows for the current revision (audited)')
    .argument('<name>', 'FleetDeployment name')
    .requiredOption('--reason <text>', 'why; recorded in the audit log')
    .option('--until <time>', 'RFC 3339 time after which windows apply again (default: until this revision is rolled out)')
    .addHelpText(
      'after',
      '\nThe reason and the time go to the audit log. The override holds for the current revision only: a new one\n(a template change or a rollback) waits for its windows again, and `rollout status` says so.\n\nExamples:\n  tether rollout override-window pos --reason "CVE-2026-1234 hotfix"\n  tether rollout override-window pos --reason "store opening" --until 2026-11-10T06:00:00Z',
    )
    .action(async (name: string, opts: { reason: string; until?: string }, cmd: Command) => {
      if (opts.reason.trim().length < 3) throw new UsageError('--reason must say why the windows are overridden');
      const api = await apiFor(ctx, cmd);
      const fd = await api.action(checkName(name, 'FleetDeployment name'), 'override-window', {
        reason: opts.reason,
        ...(opts.until ? { until: opts.until } : {}),
      });
      const revision = (fd.status as { revision?: number } | undefined)?.revision;
      ctx.out(
        `${kindRef('FleetDeployment', name)} ignores maintenance windows for revision ${revision ?? '-'}${opts.until ? ` until ${opts.until}` : ' until it is rolled out'}; ` +
          'a new revision (a template change or a rollback) follows the windows again\n',
      );
    });
}
