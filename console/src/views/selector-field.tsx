import { useEffect, useState } from 'preact/hooks';
import { compileSelector, MATCH_ALL, type CompiledSelector } from '../model/selector.js';

/** A label selector being typed, and its compiled form (or the parser's message). */
export interface SelectorState {
  text: string;
  setText: (text: string) => void;
  compiled: CompiledSelector;
}

/** Compiles a selector's text with the hub's parser as it changes. */
export function useCompiledSelector(text: string): CompiledSelector {
  const [compiled, setCompiled] = useState<CompiledSelector>(MATCH_ALL);
  useEffect(() => {
    let current = true;
    void compileSelector(text).then((c) => {
      if (current) setCompiled(c);
    });
    return () => {
      current = false;
    };
  }, [text]);
  return compiled;
}

/** Holds a selector's text (here, or where `external` keeps it, e.g. the URL) and compiles it. */
export function useSelector(external?: { text: string; setText: (text: string) => void }): SelectorState {
  const [own, setOwn] = useState('');
  const text = external?.text ?? own;
  const setText = external?.setText ?? setOwn;
  return { text, setText, compiled: useCompiledSelector(text) };
}

/** The label selector input, with the parser's message when the selector is invalid. */
export function SelectorField({ id, state, label = 'Label selector' }: { id: string; state: SelectorState; label?: string }) {
  const error = state.compiled.ok ? undefined : state.compiled.error;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      <input
        id={id}
        type="text"
        spellcheck={false}
        autoComplete="off"
        value={state.text}
        placeholder="region=us-east,tier in (store)"
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-help`}
        onInput={(e) => state.setText((e.target as HTMLInputElement).value)}
      />
      <p id={`${id}-help`} class={error ? 'error small' : 'help'} aria-live="polite">
        {error ?? 'Kubernetes syntax: key=value, key!=value, key in (a,b), !key'}
      </p>
    </div>
  );
}
