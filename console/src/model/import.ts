/**
 * Pure helpers of the Import dialog.
 */

/** Labels typed as `key=value`, one per line or comma-separated; the hub checks their syntax. */
export function parseLabelText(text: string): { ok: true; labels: Record<string, string> } | { ok: false; error: string } {
  const labels: Record<string, string> = {};
  for (const raw of text.split(/[\n,]/)) {
    const item = raw.trim();
    if (!item) continue;
    const eq = item.indexOf('=');
    if (eq <= 0) return { ok: false, error: `“${item}” is not a label: write key=value` };
    const key = item.slice(0, eq).trim();
    if (key in labels) return { ok: false, error: `label “${key}” is given twice` };
    labels[key] = item.slice(eq + 1).trim();
  }
  return { ok: true, labels };
}

/**
 * The file name to save the manifest under: the one the hub's command applies
 * (`kubectl apply -f store-0042.yaml`), so the command works as shown; else `<cluster>-import.yaml`.
 */
export function manifestFileName(command: string, cluster: string): string {
  const m = /(?:^|\s)(?:-f|--filename)[\s=]+(['"]?)([\w.-]+\.ya?ml)\1(?:\s|$)/.exec(command);
  return m ? m[2] : `${cluster}-import.yaml`;
}
