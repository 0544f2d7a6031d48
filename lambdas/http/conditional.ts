import { ValidationError } from '../../shared/errors.js';

/**
 * Conditional request headers (RFC 9110 section 13) turned into what the domain understands: a
 * resource's version, or the revisions of the desired state an agent already holds. The domain
 * never sees a header. Tether's ETags are the versions in quotes (`"12"`); a weak tag (`W/"12"`)
 * names the same version.
 */

/**
 * The resourceVersion an If-Match header asks for: quotes and the weak prefix stripped, undefined
 * when absent or `*` (any version).
 * @throws ValidationError when the value is not a resourceVersion.
 */
export function parseIfMatch(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const v = header.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
  if (v === '*' || v === '') return undefined;
  if (!/^\d+$/.test(v)) throw new ValidationError(`If-Match must be a resourceVersion such as "12", got ${header}`);
  return v;
}

/**
 * The revisions an If-None-Match header names, weak or strong: `"3", W/"7"` is `['3', '7']`. An
 * unquoted entry is not an entity tag and names nothing. Never throws: a poll with an odd header
 * simply gets the full answer.
 */
export function ifNoneMatchRevisions(header: string | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((t) => /^"(.*)"$/.exec(t.trim().replace(/^W\//, ''))?.[1])
    .filter((r): r is string => r !== undefined);
}

/** Does an If-None-Match header name this revision's ETag? */
export function etagMatches(ifNoneMatch: string | undefined, revision: string): boolean {
  return ifNoneMatchRevisions(ifNoneMatch).includes(revision);
}
