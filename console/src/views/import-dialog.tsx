import { useEffect, useRef, useState } from 'preact/hooks';
import { apiPath, describeError, post } from '../api.js';
import { Dialog } from '../components/dialog.js';
import { manifestFileName, parseLabelText } from '../model/import.js';

/**
 * The Import dialog: a name, labels, auto-accept and the bootstrap token's lifetime. The hub
 * answers with the agent manifest and a one-line command; the dialog shows the command with a
 * Copy button and offers the manifest as a download (it holds a single-use bootstrap token).
 */

/** Answer of `POST /v1/clusters/{name}/import`. */
interface ImportAnswer {
  manifest: string;
  command: string;
  bootstrapTokenExpiresAt: string;
}

const TTL_CHOICES = [
  { label: '1 hour', seconds: 3600 },
  { label: '24 hours', seconds: 86400 },
  { label: '7 days', seconds: 7 * 86400 },
];

export function ImportDialog({ onClose, onImported }: { onClose: () => void; onImported: (name: string) => void }) {
  const [name, setName] = useState('');
  const [labels, setLabels] = useState('');
  const [autoAccept, setAutoAccept] = useState(false);
  const [ttl, setTtl] = useState(86400);
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [answer, setAnswer] = useState<(ImportAnswer & { name: string; autoAccept: boolean }) | undefined>(undefined);

  const submit = async (e: Event) => {
    e.preventDefault();
    setError(undefined);
    const parsed = parseLabelText(labels);
    if (!parsed.ok) {
      setError(parsed.error);
      return;
    }
    const clusterName = name.trim();
    if (!clusterName) {
      setError('Enter a cluster name.');
      return;
    }
    setBusy(true);
    try {
      const body = {
        ...(Object.keys(parsed.labels).length ? { labels: parsed.labels } : {}),
        ...(autoAccept ? { autoAccept: true } : {}),
        ttlSeconds: ttl,
      };
      const res = await post<ImportAnswer>(apiPath('clusters', clusterName, 'import'), body);
      setAnswer({ ...res, name: clusterName, autoAccept });
      onImported(clusterName);
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };

  if (answer) return <ImportResult answer={answer} onClose={onClose} />;

  return (
    <Dialog title="Import a cluster" onClose={onClose}>
      <form onSubmit={submit} novalidate>
        <div class="dialog-body">
          <div class="field">
            <label for="import-name">Cluster name</label>
            <input
              id="import-name"
              value={name}
              required
              spellcheck={false}
              autoComplete="off"
              aria-describedby="import-name-help"
              onInput={(e) => setName((e.target as HTMLInputElement).value)}
            />
            <p id="import-name-help" class="help">
              Lowercase letters, digits and “-” (a DNS label), e.g. store-0042.
            </p>
          </div>
          <div class="field">
            <label for="import-labels">Labels</label>
            <textarea
              id="import-labels"
              rows={3}
              spellcheck={false}
              value={labels}
              aria-describedby="import-labels-help"
              onInput={(e) => setLabels((e.target as HTMLTextAreaElement).value)}
            />
            <p id="import-labels-help" class="help">
              key=value, one per line or separated by commas.
            </p>
          </div>
          <div class="field">
            <label for="import-ttl">Bootstrap token valid for</label>
            <select id="import-ttl" value={String(ttl)} onChange={(e) => setTtl(Number((e.target as HTMLSelectElement).value))}>
              {TTL_CHOICES.map((c) => (
                <option key={c.seconds} value={String(c.seconds)}>
                  {c.label}
                </option>
              ))}
            </select>
          </div>
          <div class="check">
            <input
              id="import-auto"
              type="checkbox"
              checked={autoAccept}
              onChange={(e) => setAutoAccept((e.target as HTMLInputElement).checked)}
            />
            <label for="import-auto">Accept the cluster automatically when its agent joins</label>
          </div>
          {error && (
            <p role="alert" class="error">
              {error}
            </p>
          )}
        </div>
        <div class="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={busy}>
            {busy ? 'Generating…' : 'Generate command'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function ImportResult({ answer, onClose }: { answer: ImportAnswer & { name: string; autoAccept: boolean }; onClose: () => void }) {
  const [copied, setCopied] = useState<string | undefined>(undefined);
  const commandRef = useRef<HTMLElement>(null);
  const fileName = manifestFileName(answer.command, answer.name);
  const [href] = useState(() => URL.createObjectURL(new Blob([answer.manifest], { type: 'application/yaml' })));
  // The manifest holds a bootstrap token: release the blob as soon as the dialog goes.
  useEffect(() => () => URL.revokeObjectURL(href), [href]);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(answer.command);
      setCopied('Command copied to the clipboard.');
    } catch {
      // No clipboard access (an insecure origin or a denied permission): select it for Ctrl+C.
      const node = commandRef.current;
      if (node) getSelection()?.selectAllChildren(node);
      setCopied('Copying is blocked here; the command is selected, press Ctrl+C.');
    }
  };

  return (
    <Dialog title={`Import ${answer.name}`} onClose={onClose} wide>
      <div class="dialog-body">
        <p>
          {answer.name} is ready to join. The command below carries the agent manifest with a single-use bootstrap token that expires{' '}
          <time dateTime={answer.bootstrapTokenExpiresAt}>{new Date(answer.bootstrapTokenExpiresAt).toLocaleString()}</time>: keep it
          private.
        </p>
        <h3>Run this where kubectl reaches the cluster</h3>
        <div class="command">
          <code ref={commandRef} id="import-command" tabIndex={0}>
            {answer.command}
          </code>
          <button type="button" onClick={() => void copy()} aria-describedby="import-command" data-autofocus>
            Copy
          </button>
        </div>
        <p role="status" class="help">
          {copied ?? ''}
        </p>
        <p>
          Or download the manifest and apply it with <code>kubectl apply -f {fileName}</code>:{' '}
          <a class="button" href={href} download={fileName}>
            Download {fileName}
          </a>
        </p>
        <p>
          {answer.autoAccept
            ? 'The cluster is accepted automatically when its agent joins.'
            : 'Then accept the cluster when it shows up under “Waiting for acceptance”.'}
        </p>
        <details>
          <summary>Show the manifest</summary>
          <pre class="manifest" tabIndex={0} aria-label="import manifest">
            {answer.manifest}
          </pre>
        </details>
      </div>
      <div class="dialog-actions">
        <button type="button" class="primary" onClick={onClose}>
          Done
        </button>
      </div>
    </Dialog>
  );
}
