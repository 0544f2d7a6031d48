import { Option, type Command } from 'commander';
import { z } from 'zod';
import { checkName, parsePositiveInt } from '../args.js';
import type { CliContext } from '../context.js';
import { HubResponseError } from '../errors.js';
import { age } from '../output/age.js';
import { formatData, kindRef } from '../output/print.js';
import { renderTable } from '../output/table.js';
import { apiFor } from '../rollout-api.js';

/**
 * `tether rollout history NAME [--revision N]` and `tether rollout undo NAME [--to-revision N]`, as
 * kubectl's: the hub keeps the last 10 revisions of a FleetDeployment's template and overrides
 * (`GET /v1/fleetdeployments/{name}/revisions[/{n}]`), and undo is the rollback route
 * (`POST .../rollback` with `{toRevision}`), which makes the chosen content a new revision.
 */

const EntryShape = z.looseObject({
  revision: z.number(),
  createdAt: z.string(),
  hash: z.string(),
  rollbackOf: z.number().optional(),
  current: z.boolean(),
});
const HistoryShape = z.looseObject({ name: z.string(), currentRevision: z.number().optional(), revisions: z.array(EntryShape) });
const RevisionShape = EntryShape.extend({ template: z.unknown(), overrides: z.array(z.unknown()) });

function shaped<S extends z.ZodType>(schema: S, body: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(body);
  if (!r.success)
    throw new HubResponseError(
      `unexpected answer to ${what}: ${r.error.issues[0].path.join('.') || '(root)'}: ${r.error.issues[0].message}`,
    );
  return r.data;
}

/** The history table: one row per kept revision, the current one marked. */
export function renderHistory(history: z.infer<typeof HistoryShape>, now: Date): string {
  const rows = history.revisions.map((r) => [
    String(r.revision),
    age(r.createdAt, now),
    r.hash,
    r.rollbackOf !== undefined ? `rollback to ${r.rollbackOf}` : '',
    r.current ? '*' : '',
  ]);
  return renderTable(['REVISION', 'AGE', 'CONTENT', 'CHANGE', 'CURRENT'], rows);
}

/** Registers `rollout history` and `rollout undo` under `rollout`. */
export function registerHistoryCommands(rollout: Command, ctx: CliContext): void {
  rollout
    .command('history')
    .description("list a FleetDeployment's kept revisions, or show one with --revision")
    .argument('<name>', 'FleetDeployment name')
    .option('--revision <n>', "show this revision's template and overrides")
    .addOption(new Option('-o, --output <format>', 'print as data').choices(['json', 'yaml']))
    .addHelpText(
      'after',
      `
The hub keeps the last 10 revisions (each change of the template or the overrides is one; a rollback
makes a new revision with the old content, marked "rollback to N"). CONTENT is a hash of the
template and overrides: equal hashes, equal content. * marks the revision being rolled out.

Examples:
  tether rollout history pos
  tether rollout history pos --revision 3
  tether rollout history pos -o json`,
    )
    .action(async (name: string, opts: { revision?: string; output?: 'json' | 'yaml' }, cmd: Command) => {
      checkName(name, 'FleetDeployment name');
      const n = opts.revision === undefined ? undefined : parsePositiveInt(opts.revision, '--revision');
      const api = await apiFor(ctx, cmd);
      if (n !== undefined) {
        const revision = shaped(RevisionShape, await api.read(name, `revisions/${n}`), `the revision ${n} of ${name}`);
        ctx.out(formatData(revision, opts.output ?? 'yaml'));
        return;
      }
      const history = shaped(HistoryShape, await api.read(name, 'revisions'), `the revisions of ${name}`);
      if (opts.output) ctx.out(formatData(history, opts.output));
      else if (!history.revisions.length) ctx.io.err(`${kindRef('FleetDeployment', name)} has no revisions yet.\n`);
      else ctx.out(renderHistory(history, ctx.io.now()));
    });

  rollout
    .command('undo')
    .description('roll back to the previous revision, or to --to-revision N (as kubectl rollout undo)')
    .argument('<name>', 'FleetDeployment name')
    .option('--to-revision <n>', 'the revision to go back to (see rollout history); default the previous one')
    .addOption(new Option('-o, --output <format>', 'print the FleetDeployment instead of a message').choices(['json', 'yaml']))
    .addHelpText(
      'after',
      `
The chosen revision's template and overrides become the spec again, as a new revision, rolled out
with the FleetDeployment's strategy and windows (the same as "rollout rollback").

Examples:
  tether rollout undo pos
  tether rollout undo pos --to-revision 3`,
    )
    .action(async (name: string, opts: { toRevision?: string; output?: 'json' | 'yaml' }, cmd: Command) => {
      checkName(name, 'FleetDeployment name');
      const to = opts.toRevision === undefined ? undefined : parsePositiveInt(opts.toRevision, '--to-revision');
      const api = await apiFor(ctx, cmd);
      const object = await api.action(name, 'rollback', to === undefined ? {} : { toRevision: to });
      ctx.out(
        opts.output
          ? formatData(object, opts.output)
          : `${kindRef('FleetDeployment', name)} rolling back${to === undefined ? '' : ` to revision ${to}`}\n`,
      );
    });
}
