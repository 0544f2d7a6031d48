/**
 * `tether admin create-token` against a real DynamoDB wire protocol (dynalite): the CLI writes the
 * token through the DynamoDB AdminTokenStore, and the hub's admin API then accepts it.
 *
 * The CLI uses the standard AWS credential chain, which reads the process environment, so this
 * file sets dummy keys there for its duration (dynalite accepts any).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { run } from '../../../cli/main.js';
import { createTableIfMissing, DynamoAdminTokenStore } from '../../../lambdas/adapters/dynamodb/index.js';
import { createAdminApi } from '../../../lambdas/http/admin-api.js';
import { toProblem } from '../../../lambdas/http/problem.js';
import type { HubContext } from '../../../lambdas/core/context.js';
import { clockAt } from '../../../lambdas/ports/clock.js';
import { sha256Hex } from '../../../shared/hash.js';
import { recordingHub, useDynalite } from '../../support/recording-hub.js';
import { captureIO, NOW } from './support/capture-io.js';

const TABLE = 'tether-admin-token-test';
const client = useDynalite();
let endpoint: string;
const savedEnv: Record<string, string | undefined> = {};

beforeAll(async () => {
  for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) savedEnv[key] = process.env[key];
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
  delete process.env.AWS_SESSION_TOKEN;
  await createTableIfMissing(client(), TABLE);
  endpoint = await client().config.endpoint!().then((e) => `${e.protocol}//${e.hostname}:${e.port}`);
});

afterAll(() => {
  for (const [key, value] of Object.entries(savedEnv)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

async function tether(...args: string[]) {
  const io = captureIO();
  const code = await run(args, io);
  return { code, out: io.stdout(), err: io.stderr() };
}

const createToken = (...extra: string[]) =>
  tether('admin', 'create-token', '--table', TABLE, '--region', 'us-east-1', '--endpoint', endpoint, ...extra);

/** Every admin token item in the table, as stored. */
async function tokenItems(): Promise<Record<string, unknown>[]> {
  const out = await client().send(new ScanCommand({ TableName: TABLE }));
  return (out.Items ?? []).map((i) => unmarshall(i)).filter((i) => String(i.pk).startsWith('T#'));
}

/** The hub's admin API over the same table, at a given time. */
function adminApiAt(now: number) {
  const { ctx } = recordingHub(client(), TABLE);
  const at: HubContext = { ...ctx, ports: { ...ctx.ports, clock: clockAt(() => now) } };
  const app = createAdminApi(at, ctx.routes.admin);
  /** The HTTP status of `GET /v1/clusters` with this token (errors become problems, as in serve.ts). */
  return async (token: string): Promise<number> => {
    try {
      const res = await app({
        method: 'GET',
        path: '/v1/clusters',
        headers: { authorization: `Bearer ${token}` },
        query: {},
        body: '',
        params: {},
        requestId: 'test',
      });
      return res.status;
    } catch (err) {
      return toProblem(err, '/v1/clusters').problem.status;
    }
  };
}

describe('tether admin create-token', () => {
  test('prints a new token alone on stdout, stores only its hash, and the admin API accepts it', async () => {
    const r = await createToken('--description', 'first admin', '--expires-in', '90d');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^tha_[A-Za-z0-9_-]{43}\n$/);
    const token = r.out.trim();
    expect(r.err).not.toContain(token);
    expect(r.err).toContain(`it expires at ${new Date(NOW.getTime() + 90 * 86_400_000).toISOString()}`);

    const record = await new DynamoAdminTokenStore(client(), TABLE).getByHash(sha256Hex(token));
    expect(record).toEqual({
      hash: sha256Hex(token),
      name: expect.stringMatching(/^bootstrap-20\d{6}-[0-9a-f]{6}$/),
      createdBy: 'bootstrap',
      role: 'admin',
      description: 'first admin',
      createdAt: NOW.getTime(),
      expiresAt: NOW.getTime() + 90 * 86_400_000,
    });
    // The raw token is nowhere in the table.
    expect(JSON.stringify(await tokenItems())).not.toContain(token.slice(4));

    const get = adminApiAt(NOW.getTime() + 1000);
    expect(await get(token)).toBe(200);
    expect(await get(`${token}x`)).toBe(403);
  });

  test('a token without --expires-in never expires; one with it stops working when it expires', async () => {
    const forever = (await createToken()).out.trim();
    const hourly = (await createToken('--expires-in', '1h')).out.trim();
    expect((await new DynamoAdminTokenStore(client(), TABLE).getByHash(sha256Hex(forever)))?.expiresAt).toBeUndefined();
    const later = adminApiAt(NOW.getTime() + 3600_000);
    expect(await later(forever)).toBe(200);
    expect(await later(hourly)).toBe(403);
    expect(await adminApiAt(NOW.getTime() + 3599_000)(hourly)).toBe(200);
  });

  test('--name and --replace rotate a named token: the old one stops working, the new one works', async () => {
    const first = (await createToken('--name', 'bootstrap')).out.trim();
    const refused = await createToken('--name', 'bootstrap');
    expect(refused.code).not.toBe(0);
    expect(refused.err).toMatch(/already exists/);
    const second = await createToken('--name', 'bootstrap', '--replace');
    expect(second.code).toBe(0);
    const api = adminApiAt(NOW.getTime() + 1000);
    expect(await api(first)).toBe(403);
    expect(await api(second.out.trim())).toBe(200);
  });

  test.each([
    [['--expires-in', '0'], /invalid --expires-in "0"/],
    [['--expires-in', 'soon'], /invalid --expires-in "soon"/],
    [['--expires-in', '3651d'], /at most 3650d/],
    [['--role', 'releaser'], /invalid --role "releaser": expected one of admin, operator, viewer, auditor/],
    [['--name', 'Not_A_Name'], /invalid --name "Not_A_Name"/],
    [['--region', 'Mars'], /invalid --region "Mars"/],
    [['--endpoint', 'ftp://x'], /invalid --endpoint "ftp:\/\/x"/],
    [['--description', ' '], /invalid --description/],
    [['--table', 'x'], /invalid --table "x"/],
  ])('%j is a usage error (exit 2) and writes nothing', async (extra, message) => {
    const before = await tokenItems();
    const r = await createToken(...extra);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toMatch(message);
    expect(await tokenItems()).toEqual(before);
  });

  test('--table is required', async () => {
    const r = await tether('admin', 'create-token', '--endpoint', endpoint);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain("required option '--table <name>' not specified");
  });

  test('a table that does not exist is exit 4, and nothing is printed on stdout', async () => {
    const r = await tether('admin', 'create-token', '--table', 'no-such-table', '--region', 'us-east-1', '--endpoint', endpoint);
    expect(r).toMatchObject({ code: 4, out: '' });
    expect(r.err).toMatch(/^error: table no-such-table not found/);
  });

  test('an endpoint nobody listens on is exit 3', async () => {
    const r = await tether('admin', 'create-token', '--table', TABLE, '--region', 'us-east-1', '--endpoint', 'http://127.0.0.1:9');
    expect(r).toMatchObject({ code: 3, out: '' });
    expect(r.err).toMatch(/^error: cannot reach DynamoDB: ECONNREFUSED/);
  });
});
