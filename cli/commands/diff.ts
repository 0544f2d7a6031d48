import type { Command } from 'commander';
import { stringify } from 'yaml';
import type { ApplyResult } from '../../shared/api.js';
import type { KindInfo } from '../../shared/resources/kinds.js';
import { API_VERSION, type Resource } from '../../shared/resources/meta.js';
import { collect } from '../args.js';
import type { CliContext } from '../context.js';
import {
  AuthMissingError,
  ExitCode,
  exitCodeFor,
  HubProblemError,
  HubUnreachableError,
  UsageError,
  type ExitCodeValue,
} from '../errors.js';
import type { HubClient } from '../hub-client.js';
import { manifestObjects, objectKey, type ManifestObject } from '../manifest-objects.js';
import { problemLines } from '../output/problem.js';
import { kindRef } from '../output/print.js';
import { maskSecrets } from '../output/secret-mask.js';
import { unifiedDiff } from '../output/unified-diff.js';
import { readSources, type ApplySource } from './apply.js';

/**
 * `tether diff -f FILE|DIR`: what `apply` would change, as one unified diff per object, like
 * kubectl diff. The hub decides, with a dry-run apply of each file: it validates every document
 * and says whether it would be created, configured or left unchanged. For each object it would
 * create or configure, the diff compares the fields apply owns (labels, annotations and the spec
 * with the kind's defaults filled in) of the stored object with those of the file. Secret values
 * are hidden (`***`, or `*** (before)` and `*** (after)` when they changed), as kubectl diff does.
 *
 * Exit codes, as kubectl diff: 0 no changes, 1 changes, more than 1 an error (2 for an invalid
 * document or a usage error, 3 the hub cannot be reached, and so on).
 */

/** The part of an object `apply` writes, in a stable order for diffing. */
export function managedView(
  kind: string,
  name: string,
  cluster: string | undefined,
  meta: { labels?: unknown; annotations?: unknown },
  spec: unknown,
): Record<string, unknown> {
  const metadata: Record<string, unknown> = { name, ...(cluster ? { namespace: cluster } : {}) };
  if (meta.labels && Object.keys(meta.labels).length) metadata.labels = sortKeys(meta.labels);
  if (meta.annotations && Object.keys(meta.annotations).length) metadata.annotations = sortKeys(meta.annotations);
  return { apiVersion: API_VERSION, kind, metadata, spec: spec ?? {} };
}

function sortKeys(map: unknown): Record<string, unknown> {
  return Object.fromEntries(Object.entries(map as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The spec as the hub stores it: parsed by the kind's schema, so a default the file leaves out does
 * not show as a change (the stored spec is already in this form; parsing it again changes nothing).
 */
function normalSpec(info: KindInfo, spec: unknown): unknown {
  const parsed = info.spec.safeParse(spec ?? {});
  return parsed.success ? parsed.data : spec;
}

/** The unified diff of one object: stored (or nothing) against the file. */
export function objectDiff(object: ManifestObject, live: Resource | undefined): string {
  const ref = `${kindRef(object.info.kind, object.name)}${object.scope.cluster ? ` (cluster ${object.scope.cluster})` : ''}`;
  const meta = (object.doc.metadata ?? {}) as { labels?: unknown; annotations?: unknown };
  const views = maskSecrets(
    live ? managedView(live.kind, live.metadata.name, object.scope.cluster, live.metadata, normalSpec(object.info, live.spec)) : undefined,
    managedView(object.info.kind, object.name, object.scope.cluster, meta, normalSpec(object.info, object.doc.spec)),
  );
  const desired = stringify(views.after, { lineWidth: 0 });
  const current = views.before ? stringify(views.before, { lineWidth: 0 }) : '';
  return unifiedDiff(current, desired, live ? `${ref} (live)` : '/dev/null', `${ref} (${object.where.split(',')[0]})`);
}

/** Registers `diff`. */
export function registerDiffCommand(program: Command, ctx: CliContext): void {
  program
    .command('diff')
    .description('show what apply -f would change, as a unified diff per object (exit 1 when there are changes)')
    .requiredOption('-f, --filename <path>', 'a file, a directory (its *.yaml, *.yml and *.json) or - for stdin; repeatable', collect)
    .addHelpText(
      'after',
      `
Each file is checked by the hub with a dry-run apply (nothing is saved); each object it would create
or change is printed as a unified diff of its labels, annotations and spec, live against the file.
Status and server-set metadata are left out: apply does not write them.

Exit codes (as kubectl diff): 0 no changes, 1 changes, 2 or more an error (an invalid document, a
file that does not parse, or any of the usual errors below).

Examples:
  tether diff -f fleet/
  tether diff -f fleet/ && echo "the hub matches Git"
  tether get cluster store-0001 -o yaml | sed 's/tier: store/tier: flagship/' | tether diff -f -`,
    )
    .action(async (opts: { filename: string[] }, cmd: Command) => {
      const code = await runDiff(ctx, cmd, opts.filename);
      // An error outranks a difference: a pipeline must not take a failed diff for "has changes".
      ctx.fail(code);
    });
}

async function runDiff(ctx: CliContext, cmd: Command, paths: string[]): Promise<ExitCodeValue> {
  const sources = await readSources(paths, ctx);
  let client: HubClient | undefined;
  let error: ExitCodeValue | undefined;
  let changes = false;
  let documents = 0;
  for (const source of sources) {
    let objects: ManifestObject[];
    try {
      objects = manifestObjects([source]);
    } catch (err) {
      ctx.report(cmd, err);
      error ??= errorCode(err);
      continue;
    }
    if (!objects.length) continue;
    documents += objects.length;
    client ??= await ctx.client(cmd);
    let results: ApplyResult[];
    try {
      results = (await client.apply(source.text, { contentType: source.contentType, dryRun: true })).results;
    } catch (err) {
      if (err instanceof HubUnreachableError || err instanceof AuthMissingError) throw err;
      ctx.report(cmd, err, `${source.label}: `);
      error ??= errorCode(err);
      continue;
    }
    for (const result of results) {
      const object = objects[result.index];
      if (result.action === 'failed' || !object) {
        reportFailed(ctx, cmd, source, result);
        error ??= result.problem ? errorCode(new HubProblemError(result.problem, 'POST /v1/apply?dryRun=true')) : ExitCode.Usage;
        continue;
      }
      if (result.action === 'unchanged') continue;
      const live = result.action === 'created' ? undefined : await client.get(object.info, object.name, object.scope);
      changes = true;
      ctx.out(
        objectDiff(object, live) ||
          `# ${objectKey(object.info.kind, object.name, object.scope.cluster)}: the hub reports a change in fields not shown\n`,
      );
    }
  }
  if (documents === 0 && error === undefined) throw new UsageError('no objects passed to diff');
  return error ?? (changes ? ExitCode.Failed : ExitCode.Ok);
}

/** An error's exit code for diff: always above 1, which means "changes". */
function errorCode(err: unknown): ExitCodeValue {
  const code = exitCodeFor(err);
  return code === ExitCode.Failed || code === ExitCode.Ok ? ExitCode.Usage : code;
}

function reportFailed(ctx: CliContext, cmd: Command, source: ApplySource, result: ApplyResult): void {
  const ref = result.kind && result.name ? kindRef(result.kind, result.name) : `document ${result.index + 1}`;
  const [first, ...rest] = result.problem
    ? problemLines(result.problem, Boolean(ctx.flags(cmd).verbose))
    : ['failed (the hub gave no reason)'];
  ctx.io.err(
    `${ctx.paint(cmd)('error:', 'bad')} ${ref} (${source.label}, document ${result.index + 1}): ${first}\n${rest.map((l) => `${l}\n`).join('')}`,
  );
}
