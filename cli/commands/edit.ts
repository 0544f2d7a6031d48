import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { parse as parseYaml, stringify } from 'yaml';
import { canonicalJson } from '../../shared/hash.js';
import { checkName, clusterFlag, knownKindsText, resolveKind, scopeFor, type ClusterFlags } from '../args.js';
import type { CliContext } from '../context.js';
import { ExitCode, HubProblemError, UsageError, type ExitCodeValue } from '../errors.js';
import { errorLines } from '../output/problem.js';
import { kindRef } from '../output/print.js';

/**
 * `tether edit KIND NAME`: opens the object's YAML in $VISUAL or $EDITOR (vi by default), then
 * saves it with a replace conditional on the resourceVersion that was read, as kubectl edit does:
 * an unchanged or emptied file cancels; invalid YAML or a change the hub refuses as invalid reopens
 * the file with the errors on top; a file saved again without change after an error, or a
 * conflict (someone changed the object meanwhile), stops and keeps the file, saying where.
 */

const HEADER = `# Please edit the object below. Lines beginning with a '#' will be ignored,
# and an empty file will abort the edit. If an error occurs while saving this file will be
# reopened with the relevant failures.
#
`;

/** The editor command: $VISUAL, else $EDITOR, else vi (as kubectl, which also reads KUBE_EDITOR). */
export function editorCommand(env: Record<string, string | undefined>): string {
  return env.TETHER_EDITOR?.trim() || env.VISUAL?.trim() || env.EDITOR?.trim() || 'vi';
}

/** Runs the editor on `file` through the shell (so `EDITOR="code --wait"` works) and returns its exit status. */
function runEditor(command: string, file: string, env: Record<string, string | undefined>): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(`${command} "$TETHER_EDIT_FILE"`, {
      shell: true,
      stdio: 'inherit',
      env: { ...env, TETHER_EDIT_FILE: file } as NodeJS.ProcessEnv,
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** The file's content without comment lines; undefined when nothing is left (the edit is abandoned). */
export function stripComments(text: string): string | undefined {
  const body = text
    .split('\n')
    .filter((l) => !l.trimStart().startsWith('#'))
    .join('\n');
  return body.trim() === '' ? undefined : body;
}

function commented(lines: readonly string[]): string {
  return `${lines.map((l) => `# ${l}`.trimEnd()).join('\n')}\n#\n`;
}

/** Registers `edit`. */
export function registerEditCommand(program: Command, ctx: CliContext): void {
  program
    .command('edit')
    .description('edit a resource in $VISUAL or $EDITOR and save it (as kubectl edit)')
    .argument('<kind>', `resource kind: ${knownKindsText()}`)
    .argument('<name>', 'the object to edit')
    .option('--cluster <name>', 'the cluster the object belongs to (for kinds that belong to a cluster, e.g. works)')
    .option('-n, --namespace <cluster>', 'same as --cluster (works are namespaced by their cluster)')
    .addHelpText(
      'after',
      `
The editor is $TETHER_EDITOR, $VISUAL or $EDITOR (vi when none is set); it runs through the shell,
so EDITOR="code --wait" works. Saving writes labels, annotations and spec (status is ignored),
only if nobody changed the object since it was read (its resourceVersion).

  - an unchanged or emptied file: "Edit cancelled, no changes made." (exit 0)
  - invalid YAML or a change the hub refuses as invalid: the file reopens with the errors on top
  - saved again unchanged after an error, or a conflict: the file is kept and its path printed (exit 1, 5 for a conflict)

Examples:
  tether edit cluster store-0001
  EDITOR=nano tether edit fleetdeployment pos
  tether edit work nginx -n store-0001`,
    )
    .action(async (kindText: string, name: string, opts: ClusterFlags, cmd: Command) => {
      const info = resolveKind(kindText);
      const scope = scopeFor(info, clusterFlag(opts));
      checkName(name);
      const client = await ctx.client(cmd);
      const original = await client.get(info, name, scope);
      const ref = kindRef(info.kind, name);
      // $TMPDIR from the injected environment (tests keep their files in their scratch directory).
      const dir = await mkdtemp(join(ctx.io.env.TMPDIR || tmpdir(), 'tether-edit-'));
      const file = join(dir, `${info.singular}-${name}.yaml`);
      const editor = editorCommand(ctx.io.env);
      let body = stringify(original, { lineWidth: 0 });
      let errors: string[] = [];
      let lastFailed: string | undefined;
      let lastError = '';
      const keep = (message: string, code: ExitCodeValue) => {
        ctx.report(cmd, new UsageError(`${message}\nA copy of your changes has been stored to "${file}"`));
        ctx.fail(code);
      };
      for (;;) {
        await writeFile(file, `${HEADER}${errors.length ? commented(errors) : ''}${body}`, { mode: 0o600 });
        const status = await runEditor(editor, file, ctx.io.env);
        if (status !== 0) return keep(`the editor "${editor}" exited with status ${status}; nothing was saved`, ExitCode.Failed);
        const edited = stripComments(await readFile(file, 'utf8'));
        if (edited === undefined) {
          ctx.io.err('Edit cancelled, no changes made.\n');
          return rm(dir, { recursive: true, force: true });
        }
        body = edited;
        let doc: unknown;
        try {
          doc = parseYaml(edited);
        } catch (err) {
          if (edited === lastFailed) return keep(`the file is not valid YAML: ${(err as Error).message.split('\n')[0]}`, ExitCode.Usage);
          lastFailed = edited;
          errors = [`The edited file had a syntax error: ${(err as Error).message.split('\n')[0]}`];
          continue;
        }
        if (canonicalJson(doc) === canonicalJson(original)) {
          ctx.io.err('Edit cancelled, no changes made.\n');
          return rm(dir, { recursive: true, force: true });
        }
        if (edited === lastFailed) return keep(`${ref} was not saved: ${lastError}`, ExitCode.Failed);
        try {
          await client.replace(info, name, doc, scope);
          ctx.out(`${ref} edited\n`);
          return rm(dir, { recursive: true, force: true });
        } catch (err) {
          const status = err instanceof HubProblemError ? err.status : undefined;
          if (status === 409)
            return keep(`${ref} was changed by someone else since you opened it: ${(err as Error).message}`, ExitCode.Conflict);
          if (status !== 400 && status !== 422) {
            await rm(dir, { recursive: true, force: true });
            throw err;
          }
          lastFailed = edited;
          lastError = errorLines(err, { verbose: false })[0];
          errors = [`${ref} was not valid:`, ...errorLines(err, { verbose: true }).map((l) => `* ${l.trim()}`)];
          ctx.io.err(`error: ${ref} is invalid; reopening the editor (${lastError})\n`);
        }
      }
    });
}
