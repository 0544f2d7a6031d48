import { z } from 'zod';
import { findKind, type KindInfo } from '../shared/resources/kinds.js';
import { API_VERSION, ObjectMetaSchema } from '../shared/resources/meta.js';
import { UsageError } from './errors.js';

/**
 * `tether explain KIND[.field.path]`: the documentation of a kind's fields, as kubectl explain
 * prints it, read from the kind's zod schemas through their JSON Schema (z.toJSONSchema, the same
 * conversion the hub's OpenAPI description uses). The spec is described as a user writes it
 * (defaults shown, defaulted fields not required); the status as the hub returns it.
 */

/** The JSON Schema subset explain reads. */
interface Schema {
  type?: string | string[];
  description?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  additionalProperties?: Schema | boolean;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
}

/** The JSON Schema of a whole object of the kind. */
export function kindSchema(info: KindInfo): Schema {
  const object = z
    .object({
      apiVersion: z.literal(API_VERSION).describe('The API version of Tether objects.'),
      kind: z.literal(info.kind).describe('The kind of the object.'),
      metadata: ObjectMetaSchema.describe(
        "Standard object metadata: name, labels, annotations, and the fields the hub sets (uid, resourceVersion, generation, creationTimestamp). For works, namespace is the cluster's name.",
      ),
      spec: info.spec.optional().describe(`The desired state of the ${info.kind}, written by you.`),
      status: info.status.optional().describe(`The observed state of the ${info.kind}, written by the hub and the agents. Read-only.`),
    })
    .describe(info.description);
  // Spec as written (io input: defaults are not required); the status is output only but the
  // difference does not matter for its description.
  return z.toJSONSchema(object, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as Schema;
}

/** The schema itself, without the optional/nullable wrapping zod adds as anyOf. */
function unwrap(s: Schema): Schema {
  const branches = s.anyOf ?? s.oneOf;
  if (!branches) return s;
  const real = branches.filter((b) => b.type !== 'null');
  if (real.length === 1)
    return { ...unwrap(real[0]), description: s.description ?? real[0].description, default: s.default ?? real[0].default };
  return s;
}

/** `<string>`, `<[]Object>`, `<map[string]string>`, as kubectl names types. */
export function typeName(schema: Schema): string {
  const s = unwrap(schema);
  if (s.anyOf || s.oneOf) return (s.anyOf ?? s.oneOf ?? []).map(typeName).join(' | ');
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
  if (type === 'array') return `[]${s.items ? typeName(s.items) : 'Object'}`;
  if (type === 'object' || s.properties) {
    if (!s.properties && s.additionalProperties && typeof s.additionalProperties === 'object')
      return `map[string]${typeName(s.additionalProperties)}`;
    return 'Object';
  }
  if (s.const !== undefined) return typeof s.const;
  return type ?? 'any';
}

/** Facts a description leaves out: allowed values, default, bounds. */
function facts(schema: Schema): string[] {
  const s = unwrap(schema);
  const out: string[] = [];
  if (s.enum) out.push(`Allowed values: ${s.enum.map(String).join(', ')}`);
  if (s.const !== undefined) out.push(`Value: ${String(s.const)}`);
  if (s.default !== undefined) out.push(`Default: ${JSON.stringify(s.default)}`);
  const bounds = [
    s.minimum !== undefined ? `at least ${s.minimum}` : '',
    s.maximum !== undefined && s.maximum < Number.MAX_SAFE_INTEGER ? `at most ${s.maximum}` : '',
    s.minLength !== undefined && s.minLength > 0 ? `at least ${plural(s.minLength, 'character')}` : '',
    s.maxLength !== undefined ? `at most ${plural(s.maxLength, 'character')}` : '',
    s.minItems !== undefined && s.minItems > 0 ? `at least ${plural(s.minItems, 'item')}` : '',
    s.maxItems !== undefined ? `at most ${plural(s.maxItems, 'item')}` : '',
  ].filter(Boolean);
  if (bounds.length) out.push(`Bounds: ${bounds.join(', ')}`);
  return out;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The object schema whose fields an element is listed under (an array's items, a map's values). */
function fieldsOf(schema: Schema): Schema | undefined {
  const s = unwrap(schema);
  if (s.properties) return s;
  if (s.items) return fieldsOf(s.items);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') return fieldsOf(s.additionalProperties);
  return undefined;
}

/** Resolves `cluster.spec.taints` to the kind and the schema at that path. */
export function resolveField(text: string): { info: KindInfo; path: string[]; schema: Schema; required: boolean } {
  const [kindText, ...path] = text.split('.');
  const info = findKind(kindText);
  if (!info) throw new UsageError(`unknown resource kind "${kindText}"`);
  let schema = kindSchema(info);
  let required = false;
  for (let k = 0; k < path.length; k++) {
    const parent = fieldsOf(schema);
    const next = parent?.properties?.[path[k]];
    if (!parent || !next) {
      const known = parent?.properties
        ? `; fields of ${[info.singular, ...path.slice(0, k)].join('.')}: ${Object.keys(parent.properties).join(', ')}`
        : '';
      throw new UsageError(`field "${path[k]}" does not exist in ${[info.singular, ...path.slice(0, k)].join('.')}${known}`);
    }
    required = parent.required?.includes(path[k]) ?? false;
    schema = next;
  }
  return { info, path, schema, required };
}

/** Indents each line, wrapping long ones at word boundaries to about {@link WIDTH} columns, as kubectl does. */
function indent(text: string, by: string): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    let current = '';
    for (const word of line.split(' ')) {
      if (current && by.length + current.length + 1 + word.length > WIDTH) {
        out.push(by + current);
        current = word;
      } else current = current ? `${current} ${word}` : word;
    }
    out.push(current ? by + current : '');
  }
  return out.join('\n');
}

/** Column at which descriptions wrap. */
const WIDTH = 100;

/** The text of `tether explain`, kubectl's layout: KIND, VERSION, FIELD, DESCRIPTION, FIELDS. */
export function explain(text: string, options: { recursive?: boolean } = {}): string {
  const { info, path, schema, required } = resolveField(text);
  const lines = [`KIND:     ${info.kind}`, `VERSION:  ${API_VERSION}`, ''];
  if (path.length) lines.push(`FIELD:    ${path[path.length - 1]} <${typeName(schema)}>${required ? ' -required-' : ''}`, '');
  const about = [unwrap(schema).description ?? schema.description, ...facts(schema)].filter(Boolean).join('\n');
  lines.push('DESCRIPTION:', indent(about || '<no description>', '     '), '');
  const fields = fieldsOf(schema);
  if (fields?.properties) {
    lines.push('FIELDS:');
    if (options.recursive) lines.push(...tree(fields, '   '));
    else {
      for (const [name, field] of Object.entries(fields.properties)) {
        lines.push(`   ${name}\t<${typeName(field)}>${fields.required?.includes(name) ? ' -required-' : ''}`);
        const d = [unwrap(field).description ?? field.description, ...facts(field)].filter(Boolean).join('\n');
        if (d) lines.push(indent(d, '     '));
        lines.push('');
      }
    }
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

function tree(schema: Schema, pad: string): string[] {
  const out: string[] = [];
  for (const [name, field] of Object.entries(schema.properties ?? {})) {
    out.push(`${pad}${name}\t<${typeName(field)}>${schema.required?.includes(name) ? ' -required-' : ''}`);
    const inner = fieldsOf(field);
    if (inner?.properties) out.push(...tree(inner, `${pad}   `));
  }
  return out;
}
