import type { Command, Option } from 'commander';
import { findKind, KINDS, type KindInfo } from '../shared/resources/kinds.js';
import { fleetDeploymentKind } from '../shared/resources/fleetdeployment.js';

/**
 * What to offer for the word being completed, computed from the program itself: the engine of
 * `tether __complete` that the fish script calls for every word and the bash/zsh script calls for
 * object names. Names come from the hub through `names`, which the caller bounds with a short
 * timeout; nothing here throws for a half-typed line.
 */

/** Values offered for options without commander choices (e.g. `get -o`, which also takes jsonpath=). */
const VALUE_HINTS = new WeakMap<Option, readonly string[]>();

/** Declares the values completion offers for an option whose values commander does not check. */
export function completeValues(option: Option, values: readonly string[]): Option {
  VALUE_HINTS.set(option, values);
  return option;
}

/** The values completion offers for an option, if any. */
export function valueHints(option: Option): readonly string[] | undefined {
  return option.argChoices ?? VALUE_HINTS.get(option);
}

/** Every kind word: plurals, singulars and short names. */
export function kindWords(): string[] {
  return [...new Set(Object.values(KINDS).flatMap((k) => [k.plural, k.singular, ...k.shortNames]))];
}

/** Commands whose first argument is a kind and whose next arguments are names of that kind. */
const KIND_THEN_NAMES = new Set(['get', 'describe', 'delete', 'label', 'annotate', 'edit']);

/** A request for object names: the kind and, for works, the cluster given on the line. */
export interface NamesQuery {
  info: KindInfo;
  cluster?: string;
}

/** The candidates: words to offer, or `files` when the shell should complete paths. */
export type Candidates = { words: string[] } | { files: true };

function visible(cmd: Command): Command[] {
  return cmd.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden);
}

function findOption(cmds: readonly Command[], flag: string): Option | undefined {
  for (const c of [...cmds].reverse()) {
    const o = c.options.find((x) => x.short === flag || x.long === flag);
    if (o) return o;
  }
  return undefined;
}

/**
 * Candidates for `current`, the word under the cursor, after `words` (the words before it, without
 * the program name). Only words that start with `current` are returned.
 */
export async function completeWords(
  program: Command,
  words: readonly string[],
  current: string,
  names: (q: NamesQuery) => Promise<string[]>,
): Promise<Candidates> {
  const chain: Command[] = [program];
  const positional: string[] = [];
  const values = new Map<string, string>();
  for (let k = 0; k < words.length; k++) {
    const w = words[k];
    if (w.startsWith('-')) {
      const [flag, inline] = w.split('=', 2);
      const o = findOption(chain, flag);
      if (o && (o.required || o.optional) && inline === undefined && k + 1 < words.length) values.set(o.long ?? flag, words[++k]);
      else if (o && inline !== undefined) values.set(o.long ?? flag, inline);
      continue;
    }
    const sub = positional.length === 0 ? visible(chain[chain.length - 1]).find((c) => c.name() === w) : undefined;
    if (sub) chain.push(sub);
    else positional.push(w);
  }
  const cmd = chain[chain.length - 1];
  const path = chain
    .slice(1)
    .map((c) => c.name())
    .join(' ');
  const offer = (list: readonly string[]) => ({ words: [...new Set(list)].filter((x) => x.startsWith(current)).sort() });
  const prev = words[words.length - 1];
  if (prev?.startsWith('-') && !prev.includes('=')) {
    const o = findOption(chain, prev);
    if (o && (o.required || o.optional)) {
      if (o.long === '--filename' || o.long === '--output-file') return { files: true };
      const hints = valueHints(o);
      if (hints) return offer(hints);
      if ((o.long === '--cluster' || o.long === '--namespace') && path !== 'cluster import')
        return offer(await names({ info: KINDS.Cluster }));
      if (o.long === '--policy') return offer(await names({ info: KINDS.Policy }));
      return { words: [] };
    }
  }
  if (current.startsWith('-'))
    return offer(
      chain
        .flatMap((c) => c.options.filter((o) => !o.hidden).flatMap((o) => [o.short, o.long].filter((f): f is string => Boolean(f))))
        .concat('--help'),
    );
  const subs = visible(cmd);
  if (subs.length && positional.length === 0) return offer([...subs.map((c) => c.name()), ...(cmd === program ? ['help'] : [])]);
  if (path === 'completion') return positional.length === 0 ? offer(['bash', 'zsh', 'fish']) : { words: [] };
  if (path === 'explain') return positional.length === 0 ? offer(kindWords()) : { words: [] };
  if (KIND_THEN_NAMES.has(path)) {
    if (positional.length === 0) return offer(path === 'get' ? [...kindWords(), 'events'] : kindWords());
    const info = findKind(positional[0]);
    if (!info) return { words: [] };
    const cluster = values.get('--cluster') ?? values.get('--namespace');
    if (info.namespaced && !cluster) return { words: [] };
    return offer((await names({ info, cluster })).filter((n) => !positional.slice(1).includes(n)));
  }
  if (chain[1]?.name() === 'rollout' && positional.length === 0 && chain.length === 3)
    return offer(await names({ info: fleetDeploymentKind }));
  if (chain[1]?.name() === 'cluster' && positional.length === 0 && chain.length === 3 && cmd.name() !== 'import' && cmd.name() !== 'create')
    return offer(await names({ info: KINDS.Cluster }));
  return { words: [] };
}
