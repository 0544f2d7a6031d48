import {
  HOSTILE_QUERY_VALUES,
  HOSTILE_SEGMENTS,
  hostileName,
  nestedJsonText,
  tamperedCursor,
  yamlBomb,
  yamlManyAliases,
} from './hostile.js';
import type { Rng } from './random.js';

/** One request of the fuzzing suite, as sent on the wire (the path is not normalised). */
export interface FuzzCase {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** What the case is about, for the failure report. */
  note: string;
}

/** A route of the table: method and path pattern with `{param}` segments. */
export interface FuzzRoute {
  method: string;
  pattern: string;
  api: 'admin' | 'agent';
}

/** What the generator knows of the hub under test: tokens, names that exist, real cursors. */
export interface FuzzWorld {
  adminToken: string;
  credential: string;
  plurals: readonly string[];
  names: readonly string[];
  clusters: readonly string[];
  /** Valid-looking documents by plural, mutated into hostile ones. */
  samples: Readonly<Record<string, Record<string, unknown>>>;
  cursors: string[];
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
const QUERY_NAMES = [
  'limit',
  'continue',
  'labelSelector',
  'dryRun',
  'since',
  'until',
  'cluster',
  'action',
  'outcome',
  'compliance',
  'format',
  'direction',
  'policy',
  'force',
  'standard',
];
const CONTENT_TYPES = [
  'application/json',
  'application/yaml',
  'application/merge-patch+json',
  'text/yaml',
  'text/plain',
  'application/octet-stream',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
  '',
  'x'.repeat(500),
];

function paramValue(rng: Rng, name: string, world: FuzzWorld): string {
  if (rng.chance(0.3)) return rng.pick(HOSTILE_SEGMENTS);
  switch (name) {
    case 'plural':
      return rng.pick(world.plurals);
    case 'cluster':
      return rng.pick(world.clusters);
    case 'revision':
      return String(rng.int(0, 12));
    case 'file':
      return rng.pick(['index.html', 'app.js', 'x'.repeat(rng.int(200, 400)), 'missing.css', 'favicon.svg']);
    default:
      return rng.pick(world.names);
  }
}

function fillPath(rng: Rng, pattern: string, world: FuzzWorld): string {
  let path = pattern.replace(/\{([^}]+)\}/g, (_, name: string) => paramValue(rng, name, world));
  if (rng.chance(0.05)) path += rng.pick(['/..', '/.', '/%2e%2e', '//', '/x/..', '/%2e%2e/%2e%2e']);
  if (rng.chance(0.02)) path = path.replace('/v1/', rng.pick(['/v1/../v1/', '/v1//', '/./v1/', '/v1/%2e/']));
  return path;
}

function query(rng: Rng, world: FuzzWorld): string {
  if (!rng.chance(0.4)) return '';
  const parts: string[] = [];
  for (let i = rng.int(1, 3); i > 0; i--) {
    const name = rng.pick(QUERY_NAMES);
    const value =
      name === 'continue'
        ? tamperedCursor(rng, world.cursors)
        : rng.chance(0.5)
          ? rng.pick(HOSTILE_QUERY_VALUES)
          : String(rng.int(1, 2000));
    parts.push(`${name}=${rng.chance(0.9) ? encodeURIComponent(value) : value.replace(/[\s#]/g, '')}`);
  }
  if (rng.chance(0.05)) parts.push('limit=1&limit=2');
  return `?${parts.join('&')}`;
}

function authHeader(rng: Rng, route: FuzzRoute, world: FuzzWorld): string | undefined {
  const good = route.api === 'admin' ? world.adminToken : world.credential;
  const roll = rng.next();
  if (roll < 0.7) return `Bearer ${good}`;
  return rng.pick([
    undefined,
    'Bearer',
    'Bearer ',
    `Bearer ${good}x`,
    `Basic ${good}`,
    `bearer ${good}`,
    'Bearer thc_victim.AAAA',
    'Bearer thb_x.' + 'A'.repeat(43),
    `Bearer ${'a'.repeat(8000)}`,
    `Bearer ${world.adminToken}`,
    `Bearer ${world.credential}`,
  ]);
}

/** A body that a client with bad intentions (or a bad day) sends. */
function hostileBody(rng: Rng, world: FuzzWorld, plural: string | undefined): { text: string | Buffer; type: string; note: string } {
  const sample = structuredClone(world.samples[plural ?? ''] ?? rng.pick(Object.values(world.samples)));
  const json = (v: unknown, note: string) => ({
    text: JSON.stringify(v),
    type: rng.chance(0.8) ? 'application/json' : rng.pick(CONTENT_TYPES),
    note,
  });
  const yaml = (text: string, note: string) => ({ text, type: rng.pick(['application/yaml', 'text/yaml', 'application/x-yaml']), note });
  switch (rng.int(0, 19)) {
    case 0:
      return json(sample, 'valid-looking document');
    case 1:
      return { text: JSON.stringify(sample).slice(0, rng.int(0, 40)), type: 'application/json', note: 'truncated JSON' };
    case 2:
      return yaml('a: [1, 2\nb: {c', 'invalid YAML');
    case 3:
      return yaml(yamlBomb(rng.int(4, 10)), 'billion laughs');
    case 4:
      return yaml(`${rng.pick(['a: *nothere', 'kind: *k\n', '- *x'])}\n`, 'unknown alias');
    case 5:
      return yaml(yamlManyAliases(rng.pick([99, 100, 101, 150, 1000])), 'many aliases');
    case 6: {
      const depth = rng.pick([99, 100, 101, 150, 1_000, 10_000]);
      return { text: nestedJsonText(depth, rng.chance(0.5) ? 'object' : 'array'), type: 'application/json', note: `bare nesting ${depth}` };
    }
    case 7: {
      const depth = rng.pick([90, 101, 500, 5_000]);
      // Built as text: the value itself would overflow JSON.stringify here as it would in the hub.
      const spec = (sample.spec ?? {}) as Record<string, unknown>;
      sample.spec = { ...spec, deep: '__DEEP__' };
      const manifests = spec as { workload?: { manifests?: unknown[] }; template?: { workload?: { manifests?: unknown[] } } };
      const first = (manifests.workload?.manifests ?? manifests.template?.workload?.manifests)?.[0];
      if (first) (first as Record<string, unknown>).data = { nested: '__DEEP__' };
      const text = JSON.stringify(sample).replaceAll('"__DEEP__"', nestedJsonText(depth, rng.chance(0.5) ? 'object' : 'array'));
      return { text, type: rng.chance(0.7) ? 'application/json' : 'application/yaml', note: `manifest nesting ${depth}` };
    }
    case 8:
      return {
        text: `{"metadata":{"labels":${nestedJsonText(rng.pick([101, 10_000]))}}}`,
        type: rng.pick(['application/merge-patch+json', 'application/json']),
        note: 'deep merge patch',
      };
    case 9:
      sample.metadata = { ...(sample.metadata as object), name: hostileName(rng) };
      return json(sample, 'hostile name');
    case 10:
      return {
        text: rng.pick([
          'null',
          '1',
          '"x"',
          '[]',
          JSON.stringify([sample]),
          'true',
          '{"":1}',
          '{"__proto__":{"polluted":true}}',
          '{"constructor":{"prototype":{"x":1}}}',
        ]),
        type: 'application/json',
        note: 'not an object, or prototype keys',
      };
    case 11:
      return { text: '', type: rng.pick(CONTENT_TYPES), note: 'empty body' };
    case 12:
      return {
        text: Buffer.from(Array.from({ length: rng.int(1, 2000) }, () => rng.int(0, 255))),
        type: rng.pick(CONTENT_TYPES),
        note: 'random bytes',
      };
    case 13:
      return yaml(
        `${Array.from({ length: rng.pick([2, 501, 600]) }, (_, i) => `kind: ConfigMap\nmetadata: {name: n${i}}`).join('\n---\n')}\n`,
        'many documents',
      );
    case 14:
      return json({ ...sample, extra: 'x'.repeat(rng.pick([1_000, 400_000, 1_100_000])) }, 'large body');
    case 15:
      return json(
        { apiVersion: 'tether.dev/v1alpha1', kind: rng.pick(['Nope', '', 'List', 'Secret', '__proto__']), metadata: { name: 'x' } },
        'unknown kind',
      );
    case 16:
      return { text: `\ufeff${JSON.stringify(sample)}`, type: 'application/json', note: 'byte order mark' };
    case 17:
      return {
        text: JSON.stringify(sample).replace(/"name":"/, '"name":"\u0000\u001f'),
        type: 'application/json',
        note: 'control characters',
      };
    case 18:
      return yaml(`!!js/function "function(){}"\n`, 'YAML tag');
    default:
      return json(
        { metadata: { labels: { a: rng.chance(0.5) ? null : 'x'.repeat(300) } }, spec: rng.chance(0.5) ? null : { x: [1, { y: null }] } },
        'merge patch shapes',
      );
  }
}

/** The next case: a route of the table, filled with plausible and hostile parts. */
export function nextCase(rng: Rng, routes: readonly FuzzRoute[], world: FuzzWorld): FuzzCase {
  const route = rng.pick(routes);
  const method = rng.chance(0.1) ? rng.pick(METHODS) : route.method;
  const path = fillPath(rng, route.pattern, world) + query(rng, world);
  const headers: Record<string, string> = {};
  const auth = authHeader(rng, route, world);
  if (auth !== undefined) headers.authorization = auth;
  const notes = [`${route.method} ${route.pattern}`];
  if (rng.chance(0.15)) {
    const [name, value] = rng.pick<[string, string]>([
      ['if-match', rng.pick(['"1"', '*', 'garbage', '"' + 'x'.repeat(3000) + '"', 'W/"1"', '""'])],
      ['if-none-match', rng.pick(['*', 'garbage', '"x", W/"y"', ','])],
      ['accept-encoding', rng.pick(['gzip;q=abc', '*;q=0', 'br, gzip', 'x'.repeat(2000)])],
      ['x-forwarded-for', rng.pick(['1.1.1.1, ::1', 'garbage', '?'])],
      ['x-custom', 'y'.repeat(rng.int(100, 6000))],
      ['accept', rng.pick(['application/yaml', 'text/html', '*/*;q=x'])],
    ]);
    headers[name] = value;
    notes.push(`header ${name}`);
  }
  let body: Buffer | undefined;
  const wantsBody = ['POST', 'PUT', 'PATCH'].includes(method) ? rng.chance(0.95) : rng.chance(0.05);
  if (wantsBody) {
    const plural = /\{plural\}/.test(route.pattern) ? undefined : route.pattern.split('/')[2];
    const b = hostileBody(rng, world, plural === 'clusters' && /\{name\}\//.test(route.pattern) ? undefined : plural);
    body = Buffer.isBuffer(b.text) ? b.text : Buffer.from(b.text, 'utf8');
    if (b.type !== '') headers['content-type'] = b.type;
    notes.push(b.note);
  }
  return { method, path, headers, ...(body ? { body } : {}), note: notes.join('; ') };
}
