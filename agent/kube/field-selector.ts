import { KubeInvalidError } from './errors.js';
import type { KubeObject } from './types.js';

/**
 * Field selectors as the API server accepts them on list for every kind, built-in or custom:
 * `metadata.name` and `metadata.namespace` with `=`, `==` or `!=`, terms joined by commas (AND).
 * Kinds add their own fields (a Secret's `type`, a Pod's `spec.nodeName`); the agent lists by name
 * and namespace only, so the in-memory cluster refuses the others the way a real server refuses a
 * field it does not index: 400 `field label not supported`.
 */

/** One term of a field selector. */
export interface FieldTerm {
  field: 'metadata.name' | 'metadata.namespace';
  /** `=` and `==` are the same operator. */
  equal: boolean;
  value: string;
}

const SUPPORTED: ReadonlySet<string> = new Set(['metadata.name', 'metadata.namespace']);

/**
 * Parses `metadata.name=web,metadata.namespace!=kube-system`.
 * @throws KubeInvalidError for a malformed term or a field the server does not support (as its 400).
 */
export function parseFieldSelector(text: string, kind: string): FieldTerm[] {
  const terms: FieldTerm[] = [];
  for (const raw of text.split(',')) {
    const part = raw.trim();
    if (part === '') continue;
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(part);
    if (!m) throw new KubeInvalidError(`invalid field selector: ${part}`, [{ field: 'fieldSelector', message: `invalid term: ${part}` }]);
    const [, field, op, value] = m;
    if (!SUPPORTED.has(field)) {
      throw new KubeInvalidError(`field label not supported: ${field}`, [
        {
          field: 'fieldSelector',
          message: `"${field}" is not a known field selector for ${kind}: only "metadata.name", "metadata.namespace"`,
        },
      ]);
    }
    terms.push({ field: field as FieldTerm['field'], equal: op !== '!=', value: value.trim() });
  }
  return terms;
}

/** Whether an object satisfies every term. A cluster-scoped object's namespace is ''. */
export function matchesFieldTerms(terms: readonly FieldTerm[], obj: KubeObject): boolean {
  return terms.every((t) => {
    const actual = t.field === 'metadata.name' ? obj.metadata.name : (obj.metadata.namespace ?? '');
    return (actual === t.value) === t.equal;
  });
}

/**
 * Formats terms back into the query string form.
 * @example formatFieldSelector([{ field: 'metadata.name', equal: true, value: 'web' }]) === 'metadata.name=web'
 */
export function formatFieldSelector(terms: readonly FieldTerm[]): string {
  return terms.map((t) => `${t.field}${t.equal ? '=' : '!='}${t.value}`).join(',');
}
