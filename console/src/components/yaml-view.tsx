import { useEffect, useState } from 'preact/hooks';

/**
 * An object as YAML, as `tether get KIND NAME -o yaml` prints it. The `yaml` library is loaded the
 * first time someone opens a YAML view (its own chunk), not with the console.
 */

let loading: Promise<typeof import('yaml')> | undefined;

/** The object in YAML (the same library the CLI uses). */
export async function toYaml(value: unknown): Promise<string> {
  loading ??= import('yaml');
  const { stringify } = await loading;
  return stringify(value, { lineWidth: 0 });
}

/** A collapsible YAML view of `value`; rendered only when opened. */
export function YamlView({ value, title = 'YAML' }: { value: unknown; title?: string }) {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState<string | undefined>(undefined);
  useEffect(() => {
    if (!open) return;
    let current = true;
    void toYaml(value).then((t) => {
      if (current) setText(t);
    });
    return () => {
      current = false;
    };
  }, [open, value]);
  return (
    <details class="panel yaml" onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
      <summary>
        <h2>{title}</h2>
      </summary>
      {open &&
        (text === undefined ? (
          <p class="muted">Loading…</p>
        ) : (
          <pre class="yaml-text" data-yaml>
            {text}
          </pre>
        ))}
    </details>
  );
}
