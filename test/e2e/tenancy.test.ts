import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { run } from '../../cli/main.js';
import { captureIO } from '../integration/cli/support/capture-io.js';
import { startTestHub, type TestHub } from '../support/local-hub.js';

/**
 * Two teams on one local hub, end to end through the CLI: the admin makes a token per team member;
 * each team's operator deploys to its own cluster set (and cannot reach the other's); the east
 * viewer sees east and nothing of west (lists, gets, counts, compliance, events); the auditor
 * exports the audit trail as CSV, which shows every change made here with its author.
 */

let hub: TestHub;
const scratch = mkdtempSync(join(tmpdir(), 'tether-tenancy-'));
const tokens: Record<string, string> = {};
/** Every change the test makes: who, what and which object, as the audit CSV must show it. */
const changes: { user: string; verb: string; resource: string; name: string }[] = [];

async function tether(args: string[], token = hub.adminToken): Promise<{ code: number; out: string; err: string }> {
  const io = captureIO({
    env: {
      TETHER_HUB: hub.url,
      TETHER_TOKEN: token,
      TETHER_CONFIG: join(scratch, 'config.json'),
      NO_COLOR: '1',
      PATH: process.env.PATH ?? '',
    },
    cwd: scratch,
  });
  const code = await run(args, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** RFC 4180 CSV: quoted fields may hold commas, quotes (doubled) and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length) rows.push([...row, field]);
  return rows;
}

function file(name: string, text: string): string {
  const path = join(scratch, name);
  writeFileSync(path, text);
  return path;
}

const teamFiles = (team: 'east' | 'west') => `apiVersion: tether.dev/v1alpha1
kind: Placement
metadata: {name: ${team}-shop}
spec:
  clusterSets: [stores-${team}]
  tolerations: [{key: tether.dev/unreachable, operator: Exists}]
---
apiVersion: tether.dev/v1alpha1
kind: FleetDeployment
metadata: {name: ${team}-shop}
spec:
  placementRef: {name: ${team}-shop}
  template:
    workload:
      manifests:
        - {apiVersion: v1, kind: ConfigMap, metadata: {name: shop, namespace: default}, data: {team: ${team}}}
---
apiVersion: tether.dev/v1alpha1
kind: Policy
metadata: {name: ${team}-baseline}
spec:
  placementRef: {name: ${team}-shop}
  policyTemplates:
    - objectTemplates:
        - complianceType: musthave
          objectDefinition: {apiVersion: v1, kind: ConfigMap, metadata: {name: baseline, namespace: default}, data: {owner: ${team}}}
`;

beforeAll(async () => {
  hub = await startTestHub();
  const fleet = `apiVersion: tether.dev/v1alpha1
kind: ClusterSet
metadata: {name: stores-east}
---
apiVersion: tether.dev/v1alpha1
kind: ClusterSet
metadata: {name: stores-west}
---
${['east-1', 'east-2', 'west-1']
  .map(
    (c) => `apiVersion: tether.dev/v1alpha1
kind: Cluster
metadata: {name: ${c}, labels: {tether.dev/clusterset: stores-${c.split('-')[0]}}}
`,
  )
  .join('---\n')}`;
  expect((await tether(['apply', '-f', file('fleet.yaml', fleet)])).code).toBe(0);
  for (const n of ['stores-east', 'stores-west'])
    changes.push({ user: 'token:bootstrap', verb: 'create', resource: 'clustersets', name: n });
  for (const n of ['east-1', 'east-2', 'west-1']) changes.push({ user: 'token:bootstrap', verb: 'create', resource: 'clusters', name: n });
}, 60_000);

afterAll(async () => {
  await hub?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('two teams on one hub', () => {
  it('the admin gives each team member a token for its set', async () => {
    for (const [name, role, set] of [
      ['east-operator', 'operator', 'stores-east'],
      ['west-operator', 'operator', 'stores-west'],
      ['east-viewer', 'viewer', 'stores-east'],
      ['auditor', 'auditor', undefined],
    ] as const) {
      const r = await tether(['token', 'create', name, '--role', role, ...(set ? ['--clusterset', set] : []), '--ttl', '1d']);
      expect(r.code).toBe(0);
      tokens[name] = r.out.trim();
      changes.push({ user: 'token:bootstrap', verb: 'create', resource: 'tokens', name });
    }
    // Membership is computed by queued steps: wait until every cluster is in its set.
    await until('cluster sets filled', async () => {
      const r = await hub.api('/v1/clusters');
      return r.body.items.every((c: { status?: { clusterSets?: string[] } }) => c.status?.clusterSets?.length === 1);
    });
  });

  it('each operator deploys to its own set, and cannot reach the other', async () => {
    for (const team of ['east', 'west'] as const) {
      const r = await tether(['apply', '-f', file(`${team}.yaml`, teamFiles(team))], tokens[`${team}-operator`]);
      expect(r).toMatchObject({ code: 0 });
      for (const [resource, name] of [
        ['placements', `${team}-shop`],
        ['fleetdeployments', `${team}-shop`],
        ['policies', `${team}-baseline`],
      ]) {
        changes.push({ user: `token:${team}-operator`, verb: 'create', resource, name });
      }
    }
    // East's operator may not choose west's clusters, nor touch west's objects.
    const grab = file(
      'grab.yaml',
      teamFiles('west')
        .replace(/west-shop/g, 'grab')
        .replace(/west-baseline/g, 'grab'),
    );
    const refused = await tether(['apply', '-f', grab], tokens['east-operator']);
    expect(refused.code).not.toBe(0);
    expect(refused.out + refused.err).toMatch(/allowed only within cluster sets stores-east/);
    expect((await tether(['delete', 'fleetdeployment', 'west-shop'], tokens['east-operator'])).code).toBe(4);
    expect((await tether(['rollout', 'pause', 'west-shop'], tokens['east-operator'])).code).not.toBe(0);

    // Each rollout writes Works to its own team's clusters only.
    const works = async (cluster: string) =>
      (await hub.api(`/v1/clusters/${cluster}/works`)).body.items.map((w: { metadata: { name: string } }) => w.metadata.name);
    await until('east works', async () => (await works('east-1')).length > 0 && (await works('west-1')).length > 0);
    expect(await works('east-1')).toEqual(expect.arrayContaining([expect.stringContaining('east-shop')]));
    expect(await works('west-1')).not.toEqual(expect.arrayContaining([expect.stringContaining('east-shop')]));
    expect(await works('east-1')).not.toEqual(expect.arrayContaining([expect.stringContaining('west-shop')]));
  });

  it('the east viewer sees east and nothing of west: lists, gets, counts, compliance, events', async () => {
    const viewer = tokens['east-viewer'];
    const names = async (kind: string) => (await tether(['get', kind, '-o', 'name'], viewer)).out.trim().split('\n').sort();
    expect(await names('clusters')).toEqual(['cluster/east-1', 'cluster/east-2']);
    expect(await names('clustersets')).toEqual(['clusterset/stores-east']);
    expect(await names('placements')).toEqual(['placement/east-shop']);
    expect(await names('fleetdeployments')).toEqual(['fleetdeployment/east-shop']);
    expect(await names('policies')).toEqual(['policy/east-baseline']);
    expect((await tether(['get', 'cluster', 'west-1'], viewer)).code).toBe(4);
    expect((await tether(['get', 'fleetdeployment', 'west-shop'], viewer)).code).toBe(4);
    expect((await tether(['get', 'works', '-n', 'west-1'], viewer)).code).toBe(4);

    const api = (path: string) => hub.api(path, { token: viewer });
    const everything = JSON.stringify(
      await Promise.all(
        [
          '/v1/clusters',
          '/v1/clustersets',
          '/v1/placements',
          '/v1/fleetdeployments',
          '/v1/policies',
          '/v1/events',
          '/v1/compliance/events',
          '/v1/placements/east-shop/decisions',
          '/v1/policies/east-baseline/compliance',
          '/v1/fleetdeployments/east-shop/status',
        ].map(async (p) => {
          const r = await api(p);
          expect([p, r.status]).toEqual([p, 200]);
          return r.body;
        }),
      ),
    );
    expect(everything).not.toMatch(/west/);
    // Counts: the set's member count and the placement's are east's own.
    const set = (await api('/v1/clustersets/stores-east')).body;
    expect(set.status.memberCount).toBe(2);
    expect((await api('/v1/policies/west-baseline/compliance')).status).toBe(404);
    expect((await api('/v1/clusters/west-1/compliance')).status).toBe(404);
    expect((await api('/v1/compliance/report?format=csv')).status).toBe(403);
    // The viewer changes nothing.
    expect((await tether(['delete', 'fleetdeployment', 'east-shop'], viewer)).code).not.toBe(0);
  });

  it('the auditor exports an audit CSV that shows every change made here with its author', async () => {
    const auditor = tokens.auditor;
    expect((await tether(['delete', 'policy', 'east-baseline'], auditor)).code).not.toBe(0);
    // Denials are counted for a window before they are written (a flood is one event): end it now.
    await hub.ctx.ports.audit.flush?.(true);
    const csv = await tether(['audit', '--since', '1h', '-o', 'csv'], auditor);
    expect(csv.code).toBe(0);
    const [columns, ...parsed] = parseCsv(csv.out);
    const at = (name: string) => columns.indexOf(name);
    expect(at('kind')).toBeGreaterThan(-1);
    const missing = changes.filter(
      (c) =>
        !parsed.some(
          (r) =>
            r[at('user')] === c.user &&
            r[at('verb')] === c.verb &&
            r[at('kind')] === c.resource &&
            r[at('name')].startsWith(c.name) &&
            r[at('outcome')] === 'allowed',
        ),
    );
    expect(missing).toEqual([]);
    // Refusals are there too, with who was refused.
    expect(parsed.some((r) => r[at('user')] === 'token:east-operator' && r[at('outcome')] === 'denied')).toBe(true);
    expect(parsed.some((r) => r[at('user')] === 'token:east-viewer' && r[at('outcome')] === 'denied')).toBe(true);
    expect(parsed.some((r) => r[at('user')] === 'token:auditor' && r[at('verb')] === 'delete' && r[at('outcome')] === 'denied')).toBe(true);
    // A hidden object's 404 is recorded as the denial it is, with the rule.
    const hidden = parsed.find(
      (r) => r[at('user')] === 'token:east-operator' && r[at('name')] === 'west-shop' && r[at('verb')] === 'delete',
    );
    expect(hidden?.[at('outcome')]).toBe('denied');
    expect(hidden?.[at('rule')]).toMatch(/allowed only within cluster sets stores-east/);
    // The auditor writes nothing, and the viewer reads no audit.
    expect((await tether(['audit', '--since', '1h'], tokens['east-viewer'])).code).not.toBe(0);
  });
});
