import type { Command, Option } from 'commander';
import { resolveSettings } from '../config.js';
import { completeWords, kindWords, valueHints, type NamesQuery } from '../completion-words.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';
import { HubClient } from '../hub-client.js';

/**
 * `tether completion bash|zsh|fish`: prints a completion script generated from the program itself,
 * so new commands, flags and kinds complete without anyone editing the script.
 *
 * zsh uses the bash function through zsh's `bashcompinit` layer. Object names (`tether get clusters
 * <TAB>`) come from the hub: the scripts call the hidden `tether __complete WORDS... CURRENT`, which
 * asks the hub with a short timeout ({@link NAMES_TIMEOUT_MS}) and prints nothing on any failure,
 * so a slow or absent hub never blocks the shell. fish completes every word through it.
 */

/** How long `__complete` waits for the hub before offering no names. */
export const NAMES_TIMEOUT_MS = 2000;

export function registerCompletionCommand(program: Command, ctx: CliContext): void {
  program
    .command('completion')
    .description('print a shell completion script for bash, zsh or fish')
    .argument('<shell>', 'bash, zsh or fish')
    .addHelpText(
      'after',
      `
Completes commands, subcommands, resource kinds, flags, flag values (-o formats, -f files) and
object names, which it asks the hub for (the configured hub and token; 2 s at most, nothing on error).

Examples:
  tether completion bash > /etc/bash_completion.d/tether
  source <(tether completion bash)                      # bash, this shell only
  source <(tether completion zsh)                       # zsh, after compinit in ~/.zshrc
  tether completion fish > ~/.config/fish/completions/tether.fish`,
    )
    .action((shell: string) => {
      if (shell === 'bash') ctx.out(bashCompletion(program));
      else if (shell === 'zsh') ctx.out(zshCompletion(program));
      else if (shell === 'fish') ctx.out(fishCompletion());
      else throw new UsageError(`unsupported shell "${shell}"; use bash, zsh or fish`);
    });
}

/**
 * `tether __complete WORDS... CURRENT` (hidden, called by the completion scripts): prints the
 * candidates for CURRENT one per line, or `:files` when the shell should complete paths. Never
 * fails: a completion that cannot ask the hub offers no names.
 */
export async function runComplete(program: Command, ctx: CliContext, args: readonly string[]): Promise<void> {
  const words = args.slice(0, -1);
  const current = args[args.length - 1] ?? '';
  const flag = (name: string) => {
    const k = words.indexOf(name);
    return k >= 0 ? words[k + 1] : undefined;
  };
  const names = async (q: NamesQuery): Promise<string[]> => {
    try {
      const s = await resolveSettings(ctx.io, { hub: flag('--hub'), token: flag('--token') });
      if (!s.hub || !s.token) return [];
      const client = new HubClient({
        hub: s.hub,
        token: s.token,
        timeoutMs: NAMES_TIMEOUT_MS,
        userAgent: `tether-cli/${ctx.version} (completion)`,
      });
      return (await client.list(q.info, { cluster: q.cluster, limit: 500 })).items.map((o) => o.metadata.name);
    } catch {
      return [];
    }
  };
  const result = await completeWords(program, words, current, names);
  ctx.out('files' in result ? ':files\n' : result.words.map((w) => `${w}\n`).join(''));
}

/** What completion needs to know about one command. */
interface CommandShape {
  /** Dotted path of command names under the program, e.g. `cluster.import`; '' for the program. */
  path: string;
  subcommands: string[];
  flags: string[];
  /** Names of the positional arguments, in order. */
  args: string[];
}

function shapes(program: Command): CommandShape[] {
  const out: CommandShape[] = [];
  const visit = (cmd: Command, path: string) => {
    const visible = cmd.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden);
    out.push({
      path,
      // Commander's implicit `help [command]` is created lazily, so it is not in `commands` yet.
      subcommands: [...visible.map((c) => c.name()), ...(path === '' && visible.length ? ['help'] : [])],
      flags: [...flagsOf(cmd.options), '--help'],
      args: cmd.registeredArguments.map((a) => a.name()),
    });
    for (const c of visible) visit(c, path ? `${path}.${c.name()}` : c.name());
  };
  visit(program, '');
  return out;
}

function flagsOf(options: readonly Option[]): string[] {
  return options.filter((o) => !o.hidden).flatMap((o) => [o.short, o.long].filter((f): f is string => Boolean(f)));
}

function valueOptions(program: Command): { flags: Set<string>; choices: Map<string, string[]> } {
  const flags = new Set<string>();
  const choices = new Map<string, string[]>();
  const visit = (cmd: Command, path: string) => {
    for (const o of cmd.options) {
      if (!(o.required || o.optional)) continue;
      for (const f of [o.short, o.long]) if (f) flags.add(f);
      const hints = valueHints(o);
      if (hints) for (const f of [o.short, o.long]) if (f) choices.set(`${path}:${f}`, [...hints]);
    }
    for (const c of cmd.commands) visit(c, path ? `${path}.${c.name()}` : c.name());
  };
  visit(program, '');
  return { flags, choices };
}

/** The bash completion script. */
export function bashCompletion(program: Command): string {
  const all = shapes(program);
  const globals = flagsOf(program.options);
  const { flags: valueFlags, choices } = valueOptions(program);
  const valuePattern = [...valueFlags].sort().join('|');
  const transitions = all.flatMap((s) => s.subcommands.map((sub) => `"${s.path}:${sub}"`));
  const choiceCases = [...choices.entries()].map(
    ([key, values]) => `    "${key}") COMPREPLY=($(compgen -W "${values.join(' ')}" -- "$cur")); return ;;`,
  );
  const commandCases = all.map((s) => {
    const flags = [...new Set([...s.flags, ...globals])].join(' ');
    const kindIndex = s.args.indexOf('kind');
    const shellIndex = s.path === 'completion' ? 0 : -1;
    // Arguments after the kind are object names; so is the NAME of rollout and cluster actions.
    const namesAfterKind = kindIndex >= 0 && s.args.length > kindIndex + 1;
    const namesFirst = s.args[0] === 'name' && /^(rollout|cluster)\./.test(s.path) && !/^cluster\.(import|create)$/.test(s.path);
    const positional = s.subcommands.length
      ? `words="${s.subcommands.join(' ')}"`
      : kindIndex >= 0
        ? `if ((nargs == ${kindIndex})); then words="${[...kindWords(), ...(s.path === 'get' ? ['events'] : [])].join(' ')}";${namesAfterKind ? ' else words="$(_tether_names)";' : ''} fi`
        : namesFirst
          ? 'if ((nargs == 0)); then words="$(_tether_names)"; fi'
          : shellIndex >= 0
            ? 'if ((nargs == 0)); then words="bash zsh fish"; fi'
            : ':';
    return `    "${s.path}") if [[ "$cur" == -* ]]; then words="${flags}"; else ${positional}; fi ;;`;
  });
  return `# bash completion for tether. Load it with: source <(tether completion bash)
# Object names come from the hub through "tether __complete" (2 s at most; nothing on error).
_tether_names() {
  "\${COMP_WORDS[0]}" __complete "\${COMP_WORDS[@]:1:COMP_CWORD-1}" "$cur" 2>/dev/null
}
_tether() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local cmd="" w i skip=0 nargs=0 words=""
  COMPREPLY=()
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    if ((skip)); then skip=0; continue; fi
    case "$w" in
      ${valuePattern}) skip=1; continue ;;
      -*) continue ;;
    esac
    case "$cmd:$w" in
      ${transitions.join('|') || '"-:-"'}) cmd="\${cmd:+$cmd.}$w"; nargs=0 ;;
      *) nargs=$((nargs + 1)) ;;
    esac
  done
  case "$cmd:$prev" in
${choiceCases.join('\n')}
  esac
  case "$prev" in
    -f|--filename|--output-file) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    ${valuePattern}) return ;;
  esac
  case "$cmd" in
${commandCases.join('\n')}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _tether tether
`;
}

/** The zsh completion script: the bash logic through zsh's bashcompinit. */
export function zshCompletion(program: Command): string {
  return `# zsh completion for tether. Load it with: source <(tether completion zsh)  (after compinit)
autoload -U +X bashcompinit && bashcompinit
${bashCompletion(program).split('\n').slice(1).join('\n')}`;
}

/** The fish completion script: every word is completed by \`tether __complete\`. */
export function fishCompletion(): string {
  return `# fish completion for tether. Load it with: tether completion fish | source
# Every word is completed by "tether __complete" (object names from the hub: 2 s at most).
function __tether_complete
    set -l words (commandline -opc)
    set -e words[1]
    set -l current (commandline -ct)
    set -l out (tether __complete $words "$current" 2>/dev/null)
    if test "$out" = ":files"
        __fish_complete_path "$current"
    else
        printf '%s\\n' $out
    end
end
complete -c tether -f -a '(__tether_complete)'
`;
}
