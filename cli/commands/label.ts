import type { Command } from 'commander';
import type { Resource } from '../../shared/resources/meta.js';
import type { KindInfo } from '../../shared/resources/kinds.js';
import { checkName, checkSelector, clusterFlag, knownKindsText, resolveKind, scopeFor, type ClusterFlags } from '../args.js';
import type { CliContext } from '../context.js';
import { AuthMissingError, exitCodeFor, HubProblemError, HubUnreachableError, UsageError } from '../errors.js';
import type { HubClient, Scope } from '../hub-client.js';
import { isChangeArg, parseChanges, planChanges, type MetadataChanges, type MetadataField } from '../metadata-changes.js';
import { kindRef } from '../output/print.js';

/**
 * `tether label` and `tether annotate`, as kubectl's: `KIND NAME... k=v k2-` or `KIND -l SELECTOR
 * k=v`. Each object is read, the change is checked against its current labels (an existing value
 * changes only with --overwrite), and the difference is sent as a merge patch carrying the
 * resourceVersion that was read: a concurrent change makes the hub answer 409, and the object is
 * read and checked again (up to {@link ATTEMPTS} times) instead of being overwritten blindly.
 */

/** Read-check-patch rounds per object before a conflict is reported. */
const ATTEMPTS = 3;

interface LabelOptions extends ClusterFlags {
  overwrite?: boolean;
  selector?: string;
  dryRun?: boolean;
}

const VERBS: Record<MetadataField, { command: string; done: string; noun: string }> = {
  labels: { command: 'label', done: 'labeled', noun: 'label' },
  annotations: { command: 'annotate', done: 'annotated', noun: 'annotation' },
};

/** Registers `label` and `annotate`. */
export function registerLabelCommands(program: Command, ctx: CliContext): void {
  for (const field of ['labels', 'annotations'] as const) register(program, ctx, field);
}

function register(program: Command, ctx: CliContext, field: MetadataField): void {
  const verb = VERBS[field];
  const example =
    field === 'labels' ? ['tier=store', 'region=us-east', 'legacy-'] : ['owner=team-retail', 'note="closed for renovation"', 'note-'];
  program
    .command(verb.command)
    .description(`add, change or remove ${verb.noun}s of resources`)
    .argument('<kind>', `resource kind: ${knownKindsText()}`)
    .argument('<args...>', `object names, then ${verb.noun} changes: key=value sets, key- removes`)
    .option('--overwrite', `allow changing a ${verb.noun} that already has another value`)
    .option('-l, --selector <selector>', `${verb.command} every object matching this label selector instead of naming them`)
    .option('--cluster <name>', 'the cluster the objects belong to (for kinds that belong to a cluster, e.g. works)')
    .option('-n, --namespace <cluster>', 'same as --cluster (works are namespaced by their cluster)')
    .option('--dry-run', 'check and print what would change, without saving anything')
    .addHelpText(
      'after',
      `
As kubectl ${verb.command}: a key that already has a different value is changed only with --overwrite;
key- removes a ${verb.noun} (a warning if it is not there). Only the keys named are sent, as a merge
patch conditional on the resourceVersion read, so concurrent changes to the object are not lost.

Examples:
  tether ${verb.command} cluster store-0001 ${example[0]}
  tether ${verb.command} clusters store-0001 store-0002 ${example[1]}
  tether ${verb.command} cluster store-0001 ${example[0].split('=')[0]}=other --overwrite
  tether ${verb.command} cluster store-0001 ${example[2]}
  tether ${verb.command} clusters -l ${field === 'labels' ? 'region=us-east' : 'tier=store'} ${example[0]}
  tether ${verb.command} work nginx -n store-0001 ${example[0]}`,
    )
    .action(async (kindText: string, args: string[], opts: LabelOptions, cmd: Command) => {
      const info = resolveKind(kindText);
      const scope = scopeFor(info, clusterFlag(opts));
      const names = args.filter((a) => !isChangeArg(a));
      const changes = parseChanges(args.filter(isChangeArg), field);
      const selector = checkSelector(opts.selector);
      if (selector && names.length) throw new UsageError('give object names or --selector, not both');
      if (!selector && !names.length) throw new UsageError(`name at least one ${info.singular} to ${verb.command}, or pass --selector`);
      names.forEach((n) => checkName(n));
      const client = await ctx.client(cmd);
      const targets = selector ? (await client.listAll(info, { ...scope, labelSelector: selector })).map((o) => o.metadata.name) : names;
      if (selector && !targets.length) ctx.io.err(`No ${info.plural} found matching "${selector}".\n`);
      for (const name of targets) {
        try {
          const outcome = await changeOne(client, info, name, scope, changes, field, opts);
          for (const key of outcome.missing) ctx.warn(cmd, `${verb.noun} "${key}" not found on ${kindRef(info.kind, name)}`);
          const suffix = opts.dryRun ? ' (dry run)' : '';
          ctx.out(`${kindRef(info.kind, name)} ${outcome.changed ? verb.done : `not ${verb.done}`}${suffix}\n`);
        } catch (err) {
          if (err instanceof HubUnreachableError || err instanceof AuthMissingError) throw err;
          ctx.report(cmd, err, `${kindRef(info.kind, name)}: `);
          ctx.fail(exitCodeFor(err));
        }
      }
    });
}

async function changeOne(
  client: HubClient,
  info: KindInfo,
  name: string,
  scope: Scope,
  changes: MetadataChanges,
  field: MetadataField,
  opts: LabelOptions,
): Promise<{ changed: boolean; missing: string[] }> {
  for (let attempt = 1; ; attempt++) {
    const current: Resource = await client.get(info, name, scope);
    const plan = planChanges(current.metadata[field], changes, field, Boolean(opts.overwrite));
    if (!Object.keys(plan.patch).length || opts.dryRun) return { changed: Object.keys(plan.patch).length > 0, missing: plan.missing };
    try {
      await client.patch(info, name, { metadata: { resourceVersion: current.metadata.resourceVersion, [field]: plan.patch } }, scope);
      return { changed: true, missing: plan.missing };
    } catch (err) {
      // Someone wrote the object between the read and the patch: check again against what they wrote.
      if (!(err instanceof HubProblemError && err.status === 409) || attempt >= ATTEMPTS) throw err;
    }
  }
}
