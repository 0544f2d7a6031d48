import { jest } from '@jest/globals';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../../cli/main.js';
import { oidcSettings } from '../../../lambdas/core/identity/oidc.js';
import { startTestHub, type TestHub } from '../../support/local-hub.js';
import { startOidcIssuer, type TestOidcIssuer } from '../../support/oidc-issuer.js';
import { captureIO } from '../cli/support/capture-io.js';

/** `tether login --oidc` (device and browser flows), the cached tokens, refresh and logout, against a real local hub and the test issuer. */
jest.setTimeout(30_000);

describe('tether login --oidc', () => {
  let issuer: TestOidcIssuer;
  let hub: TestHub;
  let dir: string;
  beforeAll(async () => {
    issuer = await startOidcIssuer({ tokenTtlSeconds: 600 });
    hub = await startTestHub({ config: { oidc: oidcSettings({ issuer: issuer.issuer, clientId: issuer.clientId }) } });
    // Group team-a (the test user's) views everything.
    const bound = await hub.api('/v1/rolebindings', {
      body: {
        apiVersion: 'tether.dev/v1alpha1',
        kind: 'RoleBinding',
        metadata: { name: 'team-a-viewers' },
        spec: { subjects: [{ kind: 'Group', name: 'team-a' }], roleRef: { name: 'viewer' } },
      },
    });
    expect(bound.status).toBe(201);
  });
  afterAll(async () => {
    await hub.stop();
    await issuer.close();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tether-oidc-cli-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Runs tether with a private config; the "browser" follows the authorization URL's redirects with fetch. */
  async function tether(args: string[], now = new Date()) {
    const io = captureIO({ env: { TETHER_CONFIG: join(dir, 'config.json'), NO_COLOR: '1' }, cwd: dir });
    io.now = () => now;
    io.openUrl = async (url) => {
      await fetch(url);
    };
    const code = await run(args, io);
    return { code, out: io.stdout(), err: io.stderr() };
  }
  const cache = () => JSON.parse(readFileSync(join(dir, 'oidc-tokens.json'), 'utf8'))[hub.url];

  it('advertises the issuer and client without authentication', async () => {
    const r = await hub.api('/v1/auth/config', { token: null });
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ oidc: { issuer: issuer.issuer, clientId: 'tether', scopes: expect.any(String), usernamePrefix: 'oidc:' } });
  });

  it('signs in with the device flow, caches the tokens 0600, and later commands send the ID token', async () => {
    const login = await tether(['login', '--hub', hub.url, '--oidc']);
    expect(login).toMatchObject({ code: 0 });
    expect(login.err).toMatch(/open http:\/\/127\.0\.0\.1:\d+\/oidc\/activate\?user_code=\w{4}-\w{4}/);
    expect(login.out).toContain(`as oidc:alice@example.com through ${issuer.issuer}`);
    expect(statSync(join(dir, 'oidc-tokens.json')).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))).toEqual({ hub: hub.url });
    expect(cache()).toMatchObject({ issuer: issuer.issuer, clientId: 'tether', refreshToken: expect.stringMatching(/^rt_/) });
    const get = await tether(['get', 'clusters']);
    expect(get.code).toBe(0);
  });

  it('signs in with the browser flow (authorization code + PKCE on a loopback redirect)', async () => {
    const before = issuer.grants.authorization_code ?? 0;
    const login = await tether(['login', '--hub', hub.url, '--oidc', '--browser']);
    expect(login).toMatchObject({ code: 0 });
    expect(login.err).toContain(`${issuer.issuer}/authorize?`);
    expect(login.err).toContain('code_challenge_method=S256');
    expect(issuer.grants.authorization_code).toBe(before + 1);
    expect((await tether(['get', 'clusters'])).code).toBe(0);
  });

  it('refreshes the ID token when it is about to expire and saves the new one', async () => {
    await tether(['login', '--hub', hub.url, '--oidc']);
    const first = cache();
    const refreshes = issuer.grants.refresh_token ?? 0;
    // Seen from 30 s before expiry, the token needs a refresh.
    const get = await tether(['get', 'clusters'], new Date(first.expiresAt - 30_000));
    expect(get.code).toBe(0);
    expect(issuer.grants.refresh_token).toBe(refreshes + 1);
    expect(cache().idToken).not.toBe(first.idToken);
    expect(cache().refreshToken).not.toBe(first.refreshToken);
  });

  it('refuses a token cache readable by other users', async () => {
    await tether(['login', '--hub', hub.url, '--oidc']);
    chmodSync(join(dir, 'oidc-tokens.json'), 0o644);
    const get = await tether(['get', 'clusters']);
    expect(get.code).not.toBe(0);
    expect(get.err).toMatch(/readable by other users \(mode 644\).*tether logout/);
  });

  it('logs out: the tokens are gone and commands are no longer authenticated', async () => {
    await tether(['login', '--hub', hub.url, '--oidc']);
    const out = await tether(['logout']);
    expect(out).toMatchObject({ code: 0, out: `Logged out of ${hub.url}: removed the OIDC sign-in.\n` });
    expect(() => statSync(join(dir, 'oidc-tokens.json'))).toThrow();
    const get = await tether(['get', 'clusters']);
    expect(get.code).not.toBe(0);
    expect(get.err).toMatch(/no token configured/);
  });

  it('refuses --oidc on a hub without single sign-on', async () => {
    const plain = await startTestHub();
    try {
      writeFileSync(join(dir, 'config.json'), '{}', { mode: 0o600 });
      const r = await tether(['login', '--hub', plain.url, '--oidc']);
      expect(r.code).not.toBe(0);
      expect(r.err).toMatch(/no single sign-on configured/);
    } finally {
      await plain.stop();
    }
  });

  it('an OIDC user gets the role its group is bound to, and nothing more', async () => {
    const token = await issuer.sign();
    const who = await hub.api('/v1/auth/whoami', { token });
    expect(who.status).toBe(200);
    expect(who.body).toMatchObject({
      username: 'oidc:alice@example.com',
      uid: 'u-1001',
      groups: ['team-a'],
      source: 'oidc',
      bindings: [{ name: 'binding/team-a-viewers', role: 'viewer' }],
    });
    expect((await hub.api('/v1/clusters', { token })).status).toBe(200);
    const write = await hub.api('/v1/clustersets', {
      token,
      body: { apiVersion: 'tether.dev/v1alpha1', kind: 'ClusterSet', metadata: { name: 'nope' }, spec: {} },
    });
    expect(write.status).toBe(403);
    const stranger = await issuer.sign({ sub: 'u-2', email: 'bob@example.com', groups: ['team-b'] });
    expect((await hub.api('/v1/clusters', { token: stranger })).status).toBe(403);
  });

  it('login warns a user no binding lets in, and saves the sign-in anyway', async () => {
    const saved = issuer.user;
    issuer.user = { sub: 'u-3', email: 'carol@example.com', email_verified: true, groups: ['nobody'] };
    try {
      const login = await tether(['login', '--hub', hub.url, '--oidc']);
      expect(login.code).toBe(0);
      expect(login.err).toMatch(/knows you as oidc:carol@example.com but no RoleBinding gives you access/);
    } finally {
      issuer.user = saved;
    }
  });

  it('the hub refuses an expired or foreign token with a 401 and its reason', async () => {
    const expired = await issuer.sign({ exp: Math.floor(Date.now() / 1000) - 3600, iat: Math.floor(Date.now() / 1000) - 4000 });
    const r = await hub.api('/v1/clusters', { token: expired });
    expect(r.status).toBe(401);
    expect(r.body.detail).toMatch(/expired at/);
    const foreign = await issuer.sign({ aud: 'another-app' });
    const f = await hub.api('/v1/clusters', { token: foreign });
    expect(f.status).toBe(401);
    expect(f.body.detail).toMatch(/client "tether"/);
  });
});
