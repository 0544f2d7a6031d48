import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import type { ApplyResult } from '../../shared/api.js';
import { MalformedInputError } from '../../shared/errors.js';
import { parseDocuments } from '../../shared/manifests.js';
import { checkSelector, collect } from '../args.js';
import type { CliContext } from '../context.js';
import { AuthMissingError, ExitCode, exitCodeFor, HubUnreachableError, UsageError } from '../errors.js';
import type { HubClient } from '../hub-client.js';
import { problemLines } from '../output/problem.js';
import { kindRef } from '../output/print.js';
import { manifestObjects } from '../manifest-objects.js';
import { prune } from '../prune.js';

/**
 * `tether apply -f FILE|DIR|-`: create-or-update every document.
 *
 * One `POST /v1/apply` per file, with the file's text as it is (so the hub's line numbers match
 * the file) and `Content-Type: application/json` for `.json` files, `application/yaml` otherwise.
 * Per file rather than one concatenated body, so each result can be traced back to its file and a
 * broken file does not stop the others.
 */

/** Manifest file extensions picked up from a directory. */
export const MANIFEST_EXTENSIONS = ['.yaml', '.yml', '.json'];

/** One input to apply: a file or stdin. */
export interface ApplySource {
  /** Path as the user gave it (or `-`), for messages. */
  label: string;
  text: string;
  contentType: 'application/yaml' | 'application/json';
}

/** Registers `apply`. */
export function registerApplyCommand(program: Command, ctx: CliContext): void {
  program
    .command('apply')
    .description('create or update resources from YAML or JSON files')
    .requiredOption(
      '-f, --filename <path>',
      'a file, a directory (its *.yaml, *.yml and *.json, sorted by name) or - for stdin; repeatable',
      collect,
    )
    .option('--dry-run', 'validate and report what would change, without saving anything')
    .option('--prune', 'then delete the objects of the applied kinds that match -l and are not in the files')
    .option('-l, --selector <selector>', 'with --prune: the label selector of the objects this set of files owns')
    .addHelpText(
      'after',
      `
Files may hold several documents separated by "---", a JSON object, a JSON array or a List.
Each file is sent as one request; the hub reports every document:

  cluster/store-0001 created
  clusterset/stores configured
  cluster/store-0002 unchanged
  error: cluster/store-1 (fleet.yaml, document 4): Cluster "store-1" is invalid: ... (422)

The exit code is 1 if any document failed.

--prune keeps the hub equal to the files (GitOps): after applying, every object of a kind the files
hold (for works: in a cluster the files name) that matches -l and is not in the files is deleted and
printed as "cluster/store-0009 pruned". -l is required, so objects the files do not own are never
touched; nothing is pruned when any file or document failed. With --dry-run nothing is deleted.

Examples:
  tether apply -f cluster.yaml
  tether apply -f fleet/ --dry-run
  tether get cluster store-0001 -o yaml | tether apply -f -
  tether apply -f sets.yaml -f clusters/
  tether apply -f fleet/ --prune -l gitops.tether.dev/repo=fleet`,
    )
    .action(async (opts: { filename: string[]; dryRun?: boolean; prune?: boolean; selector?: string }, cmd: Command) => {
      const selector = checkSelector(opts.selector);
      if (opts.prune && !selector)
        throw new UsageError(
          '--prune needs -l SELECTOR: the label selector of the objects these files own (pruning everything not in the files is never what you want)',
        );
      if (selector && !opts.prune) throw new UsageError('-l selects the objects to prune; it needs --prune');
      const sources = await readSources(opts.filename, ctx);
      // The client is made on first use, so a run with nothing to send never needs a hub.
      let client: HubClient | undefined;
      let documents = 0;
      for (const source of sources) {
        // Parse locally first: a syntax error is reported with the file and line, without a round trip.
        try {
          const count = parseDocuments(source.text, source.label).length;
          if (count === 0) {
            ctx.warn(cmd, `${source.label}: no documents`);
            continue;
          }
          documents += count;
        } catch (err) {
          if (!(err instanceof MalformedInputError)) throw err;
          ctx.report(cmd, err);
          ctx.fail(ExitCode.Failed);
          continue;
        }
        try {
          client ??= await ctx.client(cmd);
          const response = await client.apply(source.text, { contentType: source.contentType, dryRun: Boolean(opts.dryRun) });
          for (const result of response.results) printResult(ctx, cmd, source, result, response.dryRun);
          if (response.results.some((r) => r.action === 'failed')) ctx.fail(ExitCode.Failed);
        } catch (err) {
          if (err instanceof HubUnreachableError || err instanceof AuthMissingError) throw err;
          ctx.report(cmd, err, `${source.label}: `);
          ctx.fail(exitCodeFor(err) === ExitCode.Unreachable ? ExitCode.Unreachable : ExitCode.Failed);
        }
      }
      if (documents === 0 && ctx.exitCode === ExitCode.Ok) throw new UsageError('no objects passed to apply');
      if (opts.prune && selector) {
        if (ctx.exitCode !== ExitCode.Ok) {
          ctx.warn(cmd, 'not pruning: some files or documents failed, so the files do not say for sure what should exist');
          return;
        }
        client ??= await ctx.client(cmd);
        await prune(ctx, cmd, client, manifestObjects(sources), selector, Boolean(opts.dryRun));
      }
    });
}

function printResult(ctx: CliContext, cmd: Command, source: ApplySource, result: ApplyResult, dryRun: boolean): void {
  const ref = result.kind && result.name ? kindRef(result.kind, result.name) : `document ${result.index + 1}`;
  const where = result.namespace ? `${ref} (cluster ${result.namespace})` : ref;
  if (result.action !== 'failed') {
    ctx.out(`${where} ${result.action}${dryRun ? ' (dry run)' : ''}\n`);
    return;
  }
  const verbose = Boolean(ctx.flags(cmd).verbose);
  const context = `${source.label}, document ${result.index + 1}`;
  const [first, ...rest] = result.problem ? problemLines(result.problem, verbose) : ['failed (the hub gave no reason)'];
  // The hub's detail may name the document itself ("document 2: unknown kind ..."); then the file is enough.
  const named = new RegExp(`^document ${result.index + 1}\\b`).test(first);
  const prefix = named ? source.label : result.kind && result.name ? `${where} (${context})` : `${ref} of ${source.label}`;
  ctx.io.err(`${ctx.paint(cmd)('error:', 'bad')} ${prefix}: ${first}\n${rest.map((l) => `${l}\n`).join('')}`);
}

/**
 * Reads every `-f` argument: `-` is stdin (once), a directory contributes its manifest files in
 * name order (not recursively), anything else is read as one file whatever its extension.
 * @throws UsageError for a path that does not exist or a directory without manifests.
 */
export async function readSources(paths: string[], ctx: Pick<CliContext, 'io'>): Promise<ApplySource[]> {
  const sources: ApplySource[] = [];
  let stdinRead = false;
  for (const p of paths) {
    if (p === '-') {
      if (stdinRead) throw new UsageError('-f - (stdin) can be given only once');
      stdinRead = true;
      sources.push({ label: 'stdin', text: await ctx.io.readStdin(), contentType: 'application/yaml' });
      continue;
    }
    const full = resolve(ctx.io.cwd, p);
    let isDir: boolean;
    try {
      isDir = (await stat(full)).isDirectory();
    } catch (err) {
      throw new UsageError(`the path "${p}" does not exist`, { cause: err });
    }
    if (!isDir) {
      sources.push(await readSource(full, p));
      continue;
    }
    const names = (await readdir(full, { withFileTypes: true }))
      .filter((e) => e.isFile() && MANIFEST_EXTENSIONS.includes(extname(e.name).toLowerCase()))
      .map((e) => e.name)
      .sort();
    if (names.length === 0) throw new UsageError(`the directory "${p}" holds no ${MANIFEST_EXTENSIONS.join(', ')} files`);
    for (const name of names) sources.push(await readSource(join(full, name), join(p, name)));
  }
  return sources;
}

async function readSource(full: string, label: string): Promise<ApplySource> {
  let text: string;
  try {
    text = await readFile(full, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read "${label}": ${(err as Error).message}`, { cause: err });
  }
  return { label, text, contentType: extname(full).toLowerCase() === '.json' ? 'application/json' : 'application/yaml' };
}
