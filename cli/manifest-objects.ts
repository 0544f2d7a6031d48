import { parseDocuments } from '../shared/manifests.js';
import { findKind, type KindInfo } from '../shared/resources/kinds.js';
import { isDnsLabel } from '../shared/resources/meta.js';
import type { ApplySource } from './commands/apply.js';
import { UsageError } from './errors.js';
import type { Scope } from './hub-client.js';

/**
 * The objects that manifest files describe, identified by kind, name and (for works) cluster:
 * what `delete -f`, `diff -f` and `apply --prune` work on.
 */

/** One document of a manifest file, with where it came from. */
export interface ManifestObject {
  info: KindInfo;
  name: string;
  scope: Scope;
  /** The document as written. */
  doc: Record<string, unknown>;
  /** `fleet.yaml, document 2`, for messages. */
  where: string;
}

/**
 * Parses every source and identifies each document's object.
 * @throws MalformedInputError for a file that does not parse (with its line).
 * @throws UsageError for a document without a known kind or a valid name, or a work without its cluster.
 */
export function manifestObjects(sources: readonly ApplySource[]): ManifestObject[] {
  const out: ManifestObject[] = [];
  for (const source of sources) {
    parseDocuments(source.text, source.label).forEach((raw, index) => {
      const where = `${source.label}, document ${index + 1}`;
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
        throw new UsageError(`${where}: not an object with kind and metadata.name`);
      const doc = raw as Record<string, unknown>;
      const meta = (doc.metadata ?? {}) as { name?: unknown; namespace?: unknown };
      const info = typeof doc.kind === 'string' ? findKind(doc.kind) : undefined;
      if (!info || info.kind !== doc.kind) throw new UsageError(`${where}: unknown kind "${String(doc.kind)}"`);
      if (typeof meta.name !== 'string' || !isDnsLabel(meta.name)) throw new UsageError(`${where}: metadata.name must be a DNS-1123 label`);
      const cluster = typeof meta.namespace === 'string' && meta.namespace ? meta.namespace : undefined;
      if (info.namespaced && !cluster) throw new UsageError(`${where}: a ${info.kind} needs metadata.namespace set to its cluster's name`);
      out.push({ info, name: meta.name, scope: info.namespaced ? { cluster } : {}, doc, where });
    });
  }
  return out;
}

/** `Cluster/store-0001` or `Work/store-0001/nginx`: identity of an object across files and lists. */
export function objectKey(kind: string, name: string, cluster?: string): string {
  return cluster ? `${kind}/${cluster}/${name}` : `${kind}/${name}`;
}
