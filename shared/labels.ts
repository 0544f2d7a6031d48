import { z } from 'zod';
import { ValidationError } from './errors.js';

/**
 * Kubernetes label and annotation syntax, and label selectors in both forms:
 * the string form (`tier=store,region in (us-east,us-west),!legacy`) and the structured form
 * (`{matchLabels, matchExpressions}`), with the same semantics as Kubernetes.
 */

const NAME_PART = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Returns why a label or annotation key is invalid, or undefined when it is valid. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined) {
    if (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)) {
      return `key prefix "${prefix}" must be a DNS subdomain (lowercase letters, digits, '-' and '.', at most 253 characters)`;
    }
  }
  if (name.length === 0 || name.length > 63) return `key name "${name}" must be 1 to 63 characters`;
  if (!NAME_PART.test(name)) {
    return `key name "${name}" must start and end with a letter or digit and contain only letters, digits, '-', '_' and '.'`;
  }
  return undefined;
}

/** Returns why a label value is invalid, or undefined when it is valid. */
export function labelValueProblem(value: string): string | undefined {
  if (value.length === 0) return undefined;
  if (value.length > 63) return `label value "${value.slice(0, 20)}..." is longer than 63 characters`;
  if (!NAME_PART.test(value)) {
    return `label value "${value}" must start and end with a letter or digit and contain only letters, digits, '-', '_' and '.'`;
  }
  return undefined;
}

/** Zod schema of a label map, with Kubernetes key and value rules. */
export const LabelsSchema = z.record(z.string(), z.string()).superRefine((labels, ctx) => {
  for (const [k, v] of Object.entries(labels)) {
    const kp = labelKeyProblem(k);
    if (kp) ctx.addIssue({ code: 'custom', path: [k], message: kp });
    const vp = typeof v === 'string' ? labelValueProblem(v) : 'label values must be strings';
    if (vp) ctx.addIssue({ code: 'custom', path: [k], message: vp });
  }
});

/** Total size limit of all annotations of one object, as in Kubernetes. */
export const ANNOTATIONS_MAX_BYTES = 256 * 1024;

/** Zod schema of an annotation map: Kubernetes key rules, 256 KiB in total. */
export const AnnotationsSchema = z.record(z.string(), z.string()).superRefine((annotations, ctx) => {
  let total = 0;
  for (const [k, v] of Object.entries(annotations)) {
    const kp = labelKeyProblem(k);
    if (kp) ctx.addIssue({ code: 'custom', path: [k], message: kp });
    total += Buffer.byteLength(k) + Buffer.byteLength(v);
  }
  if (total > ANNOTATIONS_MAX_BYTES) {
    ctx.addIssue({ code: 'custom', path: [], message: `annotations total ${total} bytes; the limit is ${ANNOTATIONS_MAX_BYTES}` });
  }
});

export const SelectorOperators = ['In', 'NotIn', 'Exists', 'DoesNotExist'] as const;
export type SelectorOperator = (typeof SelectorOperators)[number];

/** One requirement of a structured label selector. */
export const LabelSelectorRequirementSchema = z
  .object({
    key: z.string().min(1),
    operator: z.enum(SelectorOperators),
    values: z.array(z.string()).optional(),
  })
  .strict()
  .superRefine((req, ctx) => {
    const kp = labelKeyProblem(req.key);
    if (kp) ctx.addIssue({ code: 'custom', path: ['key'], message: kp });
    const needsValues = req.operator === 'In' || req.operator === 'NotIn';
    if (needsValues && (!req.values || req.values.length === 0)) {
      ctx.addIssue({ code: 'custom', path: ['values'], message: `operator ${req.operator} needs at least one value` });
    }
    if (!needsValues && req.values && req.values.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['values'], message: `operator ${req.operator} takes no values` });
    }
  });

/** Structured label selector, as in Kubernetes `metav1.LabelSelector`. Empty selects everything. */
export const LabelSelectorSchema = z
  .object({
    matchLabels: LabelsSchema.optional(),
    matchExpressions: z.array(LabelSelectorRequirementSchema).optional(),
  })
  .strict();

export type LabelSelector = z.infer<typeof LabelSelectorSchema>;
export type LabelSelectorRequirement = z.infer<typeof LabelSelectorRequirementSchema>;
export type Labels = Record<string, string>;

/** Does the structured selector match these labels? An empty selector matches everything. */
export function matchesSelector(selector: LabelSelector | undefined, labels: Labels | undefined): boolean {
  if (!selector) return true;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) {
    if (l[k] !== v) return false;
  }
  for (const req of selector.matchExpressions ?? []) {
    if (!matchesRequirement(req, l)) return false;
  }
  return true;
}

function matchesRequirement(req: LabelSelectorRequirement, labels: Labels): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, req.key);
  switch (req.operator) {
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'In':
      return has && (req.values ?? []).includes(labels[req.key]);
    case 'NotIn':
      return !has || !(req.values ?? []).includes(labels[req.key]);
  }
}

/**
 * Parses the string form of a label selector into the structured form.
 *
 * Grammar (as kubectl): requirements separated by commas; each is `key`, `!key`, `key=value`,
 * `key==value`, `key!=value`, `key in (v1,v2)` or `key notin (v1,v2)`.
 *
 * @example parseSelector('tier=store,region in (us-east,us-west),!legacy')
 * @throws ValidationError with the position of the first error.
 */
export function parseSelector(text: string): LabelSelector {
  const reqs: LabelSelectorRequirement[] = [];
  const matchLabels: Labels = {};
  const src = text.trim();
  if (src === '') return {};
  let i = 0;
  const fail = (msg: string): never => {
    throw new ValidationError(`invalid label selector "${text}": ${msg} (at character ${i + 1})`, [
      { path: 'labelSelector', message: msg },
    ]);
  };
  const skipWs = () => {
    while (i < src.length && /\s/.test(src[i])) i++;
  };
  const readToken = (): string => {
    skipWs();
    const start = i;
    while (i < src.length && /[A-Za-z0-9_.\-/]/.test(src[i])) i++;
    return src.slice(start, i);
  };
  const checkKey = (key: string) => {
    if (!key) fail('expected a label key');
    const p = labelKeyProblem(key);
    if (p) fail(p);
  };
  const checkValue = (v: string) => {
    const p = labelValueProblem(v);
    if (p) fail(p);
  };
  while (i < src.length) {
    skipWs();
    if (src[i] === '!') {
      i++;
      const key = readToken();
      checkKey(key);
      reqs.push({ key, operator: 'DoesNotExist' });
    } else {
      const key = readToken();
      checkKey(key);
      skipWs();
      if (src.startsWith('==', i) || src[i] === '=') {
        i += src.startsWith('==', i) ? 2 : 1;
        const v = readToken();
        checkValue(v);
        if (key in matchLabels && matchLabels[key] !== v) {
          reqs.push({ key, operator: 'In', values: [v] });
        } else {
          matchLabels[key] = v;
        }
      } else if (src.startsWith('!=', i)) {
        i += 2;
        const v = readToken();
        checkValue(v);
        reqs.push({ key, operator: 'NotIn', values: [v] });
      } else if (/^(in|notin)\s*\(/.test(src.slice(i))) {
        const op = src.startsWith('notin', i) ? 'NotIn' : 'In';
        i += op === 'NotIn' ? 5 : 2;
        skipWs();
        i++; // '('
        const values: string[] = [];
        for (;;) {
          const v = readToken();
          if (v === '') fail(`${op === 'In' ? 'in' : 'notin'} needs a non-empty list of values`);
          checkValue(v);
          values.push(v);
          skipWs();
          if (src[i] === ',') {
            i++;
            continue;
          }
          if (src[i] === ')') {
            i++;
            break;
          }
          fail("expected ',' or ')' in a value list");
        }
        reqs.push({ key, operator: op, values });
      } else if (i >= src.length || src[i] === ',') {
        reqs.push({ key, operator: 'Exists' });
      } else {
        fail(`unexpected "${src[i]}"; expected =, ==, !=, in (...), notin (...) or ','`);
      }
    }
    skipWs();
    if (i < src.length) {
      if (src[i] !== ',') fail(`unexpected "${src[i]}"; requirements are separated by ','`);
      i++;
      skipWs();
      if (i >= src.length) fail('trailing comma');
    }
  }
  const out: LabelSelector = {};
  if (Object.keys(matchLabels).length) out.matchLabels = matchLabels;
  if (reqs.length) out.matchExpressions = reqs;
  return out;
}

/** Formats a structured selector as its string form (the inverse of {@link parseSelector}). */
export function formatSelector(selector: LabelSelector | undefined): string {
  if (!selector) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) parts.push(`${k}=${v}`);
  for (const r of selector.matchExpressions ?? []) {
    if (r.operator === 'Exists') parts.push(r.key);
    else if (r.operator === 'DoesNotExist') parts.push(`!${r.key}`);
    else parts.push(`${r.key} ${r.operator === 'In' ? 'in' : 'notin'} (${(r.values ?? []).join(',')})`);
  }
  return parts.join(',');
}
