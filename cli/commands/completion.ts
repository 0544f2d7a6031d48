import type { Command, Option } from 'commander';
import { KINDS } from '../../shared/resources/kinds.js';
import type { CliContext } from '../context.js';
import { UsageError } from '../errors.js';

/**
 * `tether completion bash|zsh`: prints a completion script generated from the program itself, so
 * new commands, flags and kinds complete without anyone editing the script.
 *
 * zsh uses the same function through zsh's `bashcompinit` layer: one completion logic to test.
 */
export function registerCompletionCommand(program: Command, ctx: CliContext): void {
  program
    .command('completion')
    .description('print a shell completion script for bash or zsh')
    .argument('<shell>', 'bash or zsh')
    .addHelpText(
      'after',
      `
Completes commands, subcommands, resource kinds, flags and flag values (-o formats, -f files).

Examples:
  tether completion bash > /etc/bash_completion.d/tether
  source <(tether completion bash)                      # bash, this shell only
  source <(tether completion zsh)                       # zsh, after compinit in ~/.zshrc`,
    )
    .action((shell: string) => {
      if (shell === 'bash') ctx.out(bashCompletion(program));
      else if (shell === 'zsh') ctx.out(zshCompletion(program));
      else throw new UsageError(`unsupported shell "${shell}"; use bash or zsh`);
    });
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
      if (o.argChoices) for (const f of [o.short, o.long]) if (f) choices.set(`${path}:${f}`, o.argChoices);
    }
    for (const c of cmd.commands) visit(c, path ? `${path}.${c.name()}` : c.name());
  };
  visit(program, '');
  return { flags, choices };
}

function kindWords(): string[] {
  return [...new Set(Object.values(KINDS).flatMap((k) => [k.plural, k.singular, ...k.shortNames]))];
}

/** The bash completion script. */
export function bashCompletion(program: Command): string {
  const all = shapes(program);
  const globals = flagsOf(program.options);
  const { flags: valueFlags, choices } = valueOptions(program);
  const valuePattern = [...valueFlags].sort().join('|');
  const transitions = all.flatMap((s) => s.subcommands.map((sub) => `"${s.path}:${sub}"`));
  const choiceCases = [...choices.entries()].map(([key, values]) => `    "${key}") COMPREPLY=($(compgen -W "${values.join(' ')}" -- "$cur")); return ;;`);
  const commandCases = all.map((s) => {
    const flags = [...new Set([...s.flags, ...globals])].join(' ');
    const kindIndex = s.args.indexOf('kind');
    const shellIndex = s.path === 'completion' ? 0 : -1;
    const positional = s.subcommands.length
      ? `words="${s.subcommands.join(' ')}"`
      : kindIndex >= 0
        ? `if ((nargs == ${kindIndex})); then words="${kindWords().join(' ')}"; fi`
        : shellIndex >= 0
          ? 'if ((nargs == 0)); then words="bash zsh"; fi'
          : ':';
    return `    "${s.path}") if [[ "$cur" == -* ]]; then words="${flags}"; else ${positional}; fi ;;`;
  });
  return `# bash completion for tether. Load it with: source <(tether completion bash)
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
    -f|--filename) COMPREPLY=($(compgen -f -- "$cur")); return ;;
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
