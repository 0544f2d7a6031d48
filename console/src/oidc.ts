/**
 * Sign-in through the hub's OIDC issuer: the authorization code flow with PKCE (S256), the console
 * being a public client whose redirect URI is the console's own address. The code verifier, state
 * and nonce wait in session storage for the redirect back; the ID token the issuer returns is kept
 * like an admin token (session storage, never a URL) and sent to the hub, which verifies its
 * signature, issuer, audience and expiry. This module checks what only the browser can: that the
 * redirect carries the state it sent, and that the token carries the nonce it asked for.
 */

/** What `GET /v1/auth/config` advertises when the hub has single sign-on. */
export interface OidcConfig {
  issuer: string;
  clientId: string;
  scopes?: string;
}

const PENDING = 'tether.oidcPending';

interface Pending {
  verifier: string;
  state: string;
  nonce: string;
  issuer: string;
  clientId: string;
  tokenEndpoint: string;
  redirectUri: string;
}

/** The hub's OIDC settings, or undefined when it has none (or cannot say). */
export async function fetchOidcConfig(): Promise<OidcConfig | undefined> {
  try {
    const res = await fetch('/v1/auth/config', { cache: 'no-store', credentials: 'omit' });
    if (!res.ok) return undefined;
    const body = (await res.json()) as { oidc?: OidcConfig };
    return body.oidc;
  } catch {
    return undefined;
  }
}

function random(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

function base64url(data: Uint8Array): string {
  let s = '';
  for (const b of data) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

async function discovery(issuer: string): Promise<{ authorization_endpoint: string; token_endpoint: string; issuer: string }> {
  const res = await fetch(`${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`, { credentials: 'omit' });
  if (!res.ok) throw new Error(`the issuer's discovery document answered ${res.status}`);
  const doc = (await res.json()) as { authorization_endpoint?: string; token_endpoint?: string; issuer?: string };
  if (doc.issuer !== issuer || !doc.authorization_endpoint || !doc.token_endpoint) {
    throw new Error(`the discovery document of ${issuer} does not describe that issuer`);
  }
  return doc as { authorization_endpoint: string; token_endpoint: string; issuer: string };
}

/** The console's address without query or fragment: the redirect URI to register at the provider. */
export function redirectUri(): string {
  return `${location.origin}${location.pathname}`;
}

/** Leaves for the issuer's sign-in page; the browser comes back with a code (see {@link completeSignIn}). */
export async function startSignIn(config: OidcConfig): Promise<void> {
  const doc = await discovery(config.issuer);
  const verifier = random();
  const challenge = base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))));
  const pending: Pending = {
    verifier,
    state: random(16),
    nonce: random(16),
    issuer: config.issuer,
    clientId: config.clientId,
    tokenEndpoint: doc.token_endpoint,
    redirectUri: redirectUri(),
  };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  const url = new URL(doc.authorization_endpoint);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: pending.redirectUri,
    scope: config.scopes?.replace(/\boffline_access\b/, '').trim() || 'openid email profile',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    state: pending.state,
    nonce: pending.nonce,
  }).toString();
  location.assign(url.toString());
}

/**
 * When the page is the redirect back from the issuer (`?code=...&state=...`): exchanges the code
 * for tokens and answers the ID token, after taking the query off the address bar. Undefined when
 * the page is not such a redirect. @throws Error with a reason a person can act on.
 */
export async function completeSignIn(): Promise<string | undefined> {
  const params = new URLSearchParams(location.search);
  if (!params.has('code') && !params.has('error')) return undefined;
  history.replaceState(null, '', `${location.pathname}${location.hash}`);
  const raw = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  if (params.has('error')) throw new Error(`the issuer refused the sign-in: ${params.get('error_description') ?? params.get('error')}`);
  if (!raw) throw new Error('this sign-in was not started from this tab; start it again');
  const pending = JSON.parse(raw) as Pending;
  if (params.get('state') !== pending.state)
    throw new Error('the sign-in answer does not belong to this tab (state mismatch); start it again');
  if (params.has('iss') && params.get('iss') !== pending.issuer) throw new Error('the sign-in answer comes from another issuer');
  const res = await fetch(pending.tokenEndpoint, {
    method: 'POST',
    credentials: 'omit',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: params.get('code') ?? '',
      redirect_uri: pending.redirectUri,
      client_id: pending.clientId,
      code_verifier: pending.verifier,
    }).toString(),
  });
  const body = (await res.json().catch(() => ({}))) as { id_token?: string; error?: string; error_description?: string };
  if (!res.ok || !body.id_token) {
    throw new Error(`the issuer did not hand out an ID token: ${body.error_description ?? body.error ?? `HTTP ${res.status}`}`);
  }
  const claims = JSON.parse(atob(body.id_token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/'))) as { nonce?: string };
  if (claims.nonce !== pending.nonce) throw new Error('the ID token does not carry the nonce of this sign-in; start it again');
  return body.id_token;
}
