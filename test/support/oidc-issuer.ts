import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

/**
 * A small OIDC provider for tests, on 127.0.0.1 only (no outside network): discovery, a JWKS with
 * key rotation (the previous key stays published, as providers do), the device authorization grant
 * (RFC 8628), an authorization endpoint that approves at once (authorization code + PKCE S256), a
 * token endpoint (code, device code, refresh token) and ID tokens signed with jose. It answers CORS
 * so the console in a browser can talk to it. It counts what tests assert on (JWKS fetches, grants).
 */

/** The user the issuer signs in (tests change it between sign-ins). */
export interface TestUser {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  /** Groups as the provider puts them in the token (a string or an array; other shapes to test refusals). */
  groups?: unknown;
}

export interface OidcIssuerOptions {
  /** Client ids the issuer knows (public clients, no secret). Default `['tether']`. */
  clientIds?: string[];
  /** Lifetime of ID and access tokens, seconds. Default 300. */
  tokenTtlSeconds?: number;
  /** Token polls answered `authorization_pending` before a device code is approved. Default 1. */
  devicePendingPolls?: number;
  /** Seconds the device flow tells clients to wait between polls. Default 1. */
  deviceInterval?: number;
  /** Path after the origin, so the issuer URL has one as many providers' do. Default `/oidc`. */
  path?: string;
  user?: TestUser;
}

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

interface Grant {
  clientId: string;
  user: TestUser;
  nonce?: string;
  scope: string;
}

/** A running test issuer. */
export interface TestOidcIssuer {
  /** The issuer URL (`iss`), e.g. http://127.0.0.1:41234/oidc. */
  issuer: string;
  /** The first configured client id. */
  clientId: string;
  /** The signed-in user for the next grants. */
  user: TestUser;
  /** Signs an ID token with the current key (or `opts.key`): claims default to the user's, this issuer, the client, 5 min. */
  sign(claims?: Record<string, unknown>, opts?: { alg?: string; kid?: string; key?: 'current' | 'previous' | CryptoKey }): Promise<string>;
  /** Makes a new signing key current; the old one stays in the JWKS (until `dropPrevious`). */
  rotateKey(opts?: { dropPrevious?: boolean }): Promise<void>;
  /** The PEM-less public JWK of the current key (for the HS256-with-public-key attack test). */
  currentPublicJwk(): JWK;
  /** Requests served, by path (e.g. `/jwks`). */
  hits(path: string): number;
  /** Grants completed, by grant type (`authorization_code`, `device_code`, `refresh_token`). */
  grants: Record<string, number>;
  /** Stops the server. Refresh tokens are single-use: each refresh hands back a new one. */
  close(): Promise<void>;
}

const DEFAULT_USER: TestUser = { sub: 'u-1001', email: 'alice@example.com', email_verified: true, name: 'Alice', groups: ['team-a'] };

/** Starts a test issuer on a free 127.0.0.1 port. */
export async function startOidcIssuer(opts: OidcIssuerOptions = {}): Promise<TestOidcIssuer> {
  const clientIds = opts.clientIds ?? ['tether'];
  const ttl = opts.tokenTtlSeconds ?? 300;
  const path = opts.path ?? '/oidc';
  const keys: SigningKey[] = [await newKey()];
  const hits = new Map<string, number>();
  const grants: Record<string, number> = {};
  const codes = new Map<string, Grant & { redirectUri: string; challenge: string }>();
  const devices = new Map<string, Grant & { polls: number; userCode: string }>();
  const refreshTokens = new Map<string, Grant>();
  let issuer = '';
  const state = { user: { ...(opts.user ?? DEFAULT_USER) } };

  async function idToken(grant: Grant): Promise<string> {
    const { groups, ...rest } = grant.user;
    return sign({
      ...rest,
      ...(groups === undefined ? {} : { groups }),
      aud: grant.clientId,
      ...(grant.nonce ? { nonce: grant.nonce } : {}),
    });
  }

  async function sign(
    claims: Record<string, unknown> = {},
    o: { alg?: string; kid?: string; key?: 'current' | 'previous' | CryptoKey } = {},
  ): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const { groups, ...user } = state.user;
    const key = o.key === 'previous' ? keys[1] : keys[0];
    const body = {
      ...user,
      ...(groups === undefined ? {} : { groups }),
      iss: issuer,
      aud: clientIds[0],
      iat: now,
      exp: now + ttl,
      jti: randomUUID(),
      ...claims,
    };
    const signing = o.key && o.key !== 'current' && o.key !== 'previous' ? o.key : key.privateKey;
    return new SignJWT(body).setProtectedHeader({ alg: o.alg ?? 'RS256', kid: o.kid ?? key.kid, typ: 'JWT' }).sign(signing);
  }

  async function tokens(grant: Grant): Promise<Record<string, unknown>> {
    const refresh = `rt_${randomBytes(16).toString('hex')}`;
    refreshTokens.set(refresh, grant);
    return {
      access_token: `at_${randomBytes(16).toString('hex')}`,
      token_type: 'Bearer',
      expires_in: ttl,
      id_token: await idToken(grant),
      refresh_token: refresh,
      scope: grant.scope,
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', issuer);
    const route = url.pathname.startsWith(path) ? url.pathname.slice(path.length) : url.pathname;
    hits.set(route, (hits.get(route) ?? 0) + 1);
    res.setHeader('access-control-allow-origin', '*');
    res.setHeader('access-control-allow-headers', 'authorization, content-type, dpop');
    if (req.method === 'OPTIONS') return send(res, 204);
    const form = req.method === 'POST' ? new URLSearchParams(await readBody(req)) : url.searchParams;
    if (route === '/.well-known/openid-configuration') {
      return json(res, 200, {
        issuer,
        jwks_uri: `${issuer}/jwks`,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        device_authorization_endpoint: `${issuer}/device`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        code_challenge_methods_supported: ['S256'],
        grant_types_supported: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
        token_endpoint_auth_methods_supported: ['none'],
        scopes_supported: ['openid', 'email', 'profile', 'groups', 'offline_access'],
      });
    }
    if (route === '/jwks') return json(res, 200, { keys: keys.map((k) => k.publicJwk) });
    const clientId = form.get('client_id') ?? '';
    if (['/authorize', '/device', '/token'].includes(route) && !clientIds.includes(clientId)) {
      return json(res, 401, { error: 'invalid_client', error_description: `unknown client "${clientId}"` });
    }
    if (route === '/authorize') {
      const redirect = form.get('redirect_uri');
      const challenge = form.get('code_challenge');
      if (!redirect || form.get('response_type') !== 'code' || !challenge || form.get('code_challenge_method') !== 'S256') {
        return json(res, 400, { error: 'invalid_request', error_description: 'code flow with PKCE S256 and a redirect_uri only' });
      }
      const code = randomBytes(12).toString('hex');
      codes.set(code, {
        clientId,
        user: { ...state.user },
        nonce: form.get('nonce') ?? undefined,
        scope: form.get('scope') ?? 'openid',
        redirectUri: redirect,
        challenge,
      });
      const to = new URL(redirect);
      to.searchParams.set('code', code);
      if (form.get('state')) to.searchParams.set('state', form.get('state')!);
      to.searchParams.set('iss', issuer);
      res.setHeader('location', to.toString());
      return send(res, 302);
    }
    if (route === '/device' && req.method === 'POST') {
      const deviceCode = randomBytes(16).toString('hex');
      const userCode = `${randomBytes(2).toString('hex')}-${randomBytes(2).toString('hex')}`.toUpperCase();
      devices.set(deviceCode, { clientId, user: { ...state.user }, scope: form.get('scope') ?? 'openid', polls: 0, userCode });
      return json(res, 200, {
        device_code: deviceCode,
        user_code: userCode,
        verification_uri: `${issuer}/activate`,
        verification_uri_complete: `${issuer}/activate?user_code=${userCode}`,
        expires_in: 600,
        interval: opts.deviceInterval ?? 1,
      });
    }
    if (route === '/token' && req.method === 'POST') {
      const type = form.get('grant_type');
      if (type === 'authorization_code') {
        const grant = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        if (!grant || grant.clientId !== clientId || grant.redirectUri !== form.get('redirect_uri')) {
          return json(res, 400, { error: 'invalid_grant', error_description: 'unknown or used code' });
        }
        if (createHash('sha256').update(verifier).digest('base64url') !== grant.challenge) {
          return json(res, 400, { error: 'invalid_grant', error_description: 'PKCE verification failed' });
        }
        grants.authorization_code = (grants.authorization_code ?? 0) + 1;
        return json(res, 200, await tokens(grant));
      }
      if (type === 'urn:ietf:params:oauth:grant-type:device_code') {
        const grant = devices.get(form.get('device_code') ?? '');
        if (!grant) return json(res, 400, { error: 'expired_token' });
        if (grant.polls++ < (opts.devicePendingPolls ?? 1)) return json(res, 400, { error: 'authorization_pending' });
        devices.delete(form.get('device_code') ?? '');
        grants.device_code = (grants.device_code ?? 0) + 1;
        return json(res, 200, await tokens(grant));
      }
      if (type === 'refresh_token') {
        const grant = refreshTokens.get(form.get('refresh_token') ?? '');
        refreshTokens.delete(form.get('refresh_token') ?? '');
        if (!grant) return json(res, 400, { error: 'invalid_grant', error_description: 'unknown or used refresh token' });
        grants.refresh_token = (grants.refresh_token ?? 0) + 1;
        // The user as the provider knows it now (groups may have changed since the first sign-in).
        return json(res, 200, await tokens({ ...grant, user: { ...state.user }, nonce: undefined }));
      }
      return json(res, 400, { error: 'unsupported_grant_type' });
    }
    return json(res, 404, { error: 'not_found' });
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => json(res, 500, { error: 'server_error', error_description: (err as Error).message }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;

  return {
    issuer,
    clientId: clientIds[0],
    get user() {
      return state.user;
    },
    set user(u: TestUser) {
      state.user = u;
    },
    sign,
    async rotateKey(o = {}) {
      keys.unshift(await newKey());
      keys.length = o.dropPrevious ? 1 : 2;
    },
    currentPublicJwk: () => keys[0].publicJwk,
    hits: (p) => hits.get(p) ?? 0,
    grants,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function newKey(): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = randomUUID();
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

function send(res: ServerResponse, status: number): void {
  res.writeHead(status);
  res.end();
}
