import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import { UsageError } from '../errors.js';
import type { CliIO } from '../io.js';
import type { CachedOidcTokens } from './token-cache.js';

/**
 * The CLI's OIDC flows, with openid-client (no hand-written OAuth): the device authorization grant
 * (RFC 8628, the default: it works over SSH and in containers), the authorization code flow with
 * PKCE on a 127.0.0.1 loopback redirect (`--browser`, RFC 8252), and the refresh grant. The CLI is
 * a public client: no secret. What it keeps is the ID token, which the hub verifies (its audience is
 * the client id on every provider, while access tokens are often opaque or meant for another API).
 */

/** What the hub's `GET /v1/auth/config` advertises. */
export interface IssuerInfo {
  issuer: string;
  clientId: string;
  scopes?: string;
}

/** Refresh when the ID token has less than this left, ms. */
export const REFRESH_MARGIN_MS = 60_000;
/** How long the browser flow waits for the redirect, ms. */
export const BROWSER_TIMEOUT_MS = 5 * 60_000;

const DEFAULT_SCOPES = 'openid email profile offline_access';

/** The provider's configuration by discovery; plain http is allowed only for a loopback issuer (a local test issuer or Dex). */
export async function discover(info: IssuerInfo): Promise<oidc.Configuration> {
  const url = new URL(info.issuer);
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !loopback)
    throw new UsageError(`the hub's OIDC issuer ${info.issuer} is not https; refusing to sign in through it`);
  try {
    return await oidc.discovery(
      url,
      info.clientId,
      undefined,
      oidc.None(),
      url.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : undefined,
    );
  } catch (err) {
    throw new UsageError(`cannot read the OIDC discovery document of ${info.issuer}: ${(err as Error).message}`, { cause: err });
  }
}

function cached(
  info: IssuerInfo,
  tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers,
  previousRefresh?: string,
): CachedOidcTokens {
  const claims = tokens.claims();
  if (!tokens.id_token || !claims) {
    throw new UsageError(`${info.issuer} answered without an ID token; the client "${info.clientId}" must be allowed the "openid" scope`);
  }
  const username = typeof claims.email === 'string' ? claims.email : claims.sub;
  return {
    issuer: info.issuer,
    clientId: info.clientId,
    idToken: tokens.id_token,
    expiresAt: claims.exp * 1000,
    // A provider that does not rotate refresh tokens answers a refresh without one: keep the old.
    ...((tokens.refresh_token ?? previousRefresh) ? { refreshToken: tokens.refresh_token ?? previousRefresh } : {}),
    username,
  };
}

/** Signs in with the device authorization grant: prints the URL and code on stderr, then polls. */
export async function deviceSignIn(info: IssuerInfo, io: CliIO): Promise<CachedOidcTokens> {
  const config = await discover(info);
  if (!config.serverMetadata().device_authorization_endpoint) {
    throw new UsageError(`${info.issuer} does not offer the device authorization grant; use tether login --oidc --browser`);
  }
  const start = await oidc.initiateDeviceAuthorization(config, { scope: info.scopes ?? DEFAULT_SCOPES });
  io.err(
    `To sign in, open ${start.verification_uri_complete ?? start.verification_uri}\n` +
      `and confirm the code ${start.user_code} (valid ${Math.round(start.expires_in / 60)} min). Waiting...\n`,
  );
  const abort = new AbortController();
  const stop = io.onInterrupt?.(() => abort.abort());
  try {
    return cached(info, await oidc.pollDeviceAuthorizationGrant(config, start, undefined, { signal: abort.signal }));
  } catch (err) {
    if (abort.signal.aborted) throw new UsageError('sign-in interrupted');
    throw new UsageError(`device sign-in failed: ${(err as Error).message}`, { cause: err });
  } finally {
    stop?.();
  }
}

/**
 * Signs in with the authorization code flow and PKCE: a one-shot server on 127.0.0.1 (a free port)
 * receives the redirect; the browser is opened with `io.openUrl` and the URL printed in any case.
 * Register `http://127.0.0.1/callback` (any port) as a redirect URI of the client.
 */
export async function browserSignIn(info: IssuerInfo, io: CliIO): Promise<CachedOidcTokens> {
  const config = await discover(info);
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const { server, redirectUri, callback } = await loopbackReceiver();
  try {
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: info.scopes ?? DEFAULT_SCOPES,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    io.err(`Opening the browser to sign in; if it does not open, visit:\n  ${url.href}\n`);
    // Not awaited: a browser (or a test's fetch) may hold its request open until the redirect is answered.
    void io.openUrl?.(url.href).catch(() => undefined);
    const { url: returned, answer } = await callback;
    try {
      const tokens = await oidc.authorizationCodeGrant(config, returned, {
        pkceCodeVerifier: verifier,
        expectedState: state,
        expectedNonce: nonce,
      });
      answer(200, 'Signed in to Tether. You can close this tab.');
      return cached(info, tokens);
    } catch (err) {
      answer(400, 'Tether sign-in failed; see the terminal.');
      throw new UsageError(`browser sign-in failed: ${(err as Error).message}`, { cause: err });
    }
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

/** Uses the refresh token for a new ID token. @throws UsageError telling to sign in again when it cannot. */
export async function refresh(tokens: CachedOidcTokens): Promise<CachedOidcTokens> {
  const info = { issuer: tokens.issuer, clientId: tokens.clientId };
  if (!tokens.refreshToken)
    throw new UsageError(`the OIDC sign-in expired at ${new Date(tokens.expiresAt).toISOString()}; run tether login --oidc`);
  const config = await discover(info);
  try {
    return cached(info, await oidc.refreshTokenGrant(config, tokens.refreshToken), tokens.refreshToken);
  } catch (err) {
    throw new UsageError(`the OIDC sign-in could not be refreshed (${(err as Error).message}); run tether login --oidc`, { cause: err });
  }
}

/** True when the ID token expires within {@link REFRESH_MARGIN_MS} of `now`. */
export function nearExpiry(tokens: CachedOidcTokens, now: number): boolean {
  return tokens.expiresAt - now < REFRESH_MARGIN_MS;
}

interface Receiver {
  server: Server;
  redirectUri: string;
  callback: Promise<{ url: URL; answer: (status: number, text: string) => void }>;
}

function loopbackReceiver(): Promise<Receiver> {
  return new Promise((resolve, reject) => {
    let deliver!: Receiver['callback'] extends Promise<infer T> ? (v: T) => void : never;
    let fail!: (err: Error) => void;
    const callback: Receiver['callback'] = new Promise((res, rej) => {
      deliver = res;
      fail = rej;
    });
    const timer = setTimeout(
      () => fail(new UsageError(`no answer from the browser within ${BROWSER_TIMEOUT_MS / 60_000} minutes`)),
      BROWSER_TIMEOUT_MS,
    );
    timer.unref();
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      if (url.pathname !== '/callback') {
        res.writeHead(404).end();
        return;
      }
      clearTimeout(timer);
      deliver({
        url,
        answer: (status, text) => {
          res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end(`${text}\n`);
        },
      });
    });
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as AddressInfo).port;
      resolve({ server, redirectUri: `http://127.0.0.1:${port}/callback`, callback });
    });
  });
}
