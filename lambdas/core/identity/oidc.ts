import { UnauthenticatedError } from '../../../shared/errors.js';
import type { Principal } from '../../../shared/tenancy.js';

/**
 * Single sign-on: the settings of the OIDC issuer the hub trusts, and the pure mapping from a
 * verified ID token's claims to a {@link Principal}. The network side (discovery, JWKS, signature)
 * is the adapter's (lambdas/adapters/oidc/oidc-verifier.ts); roles come from RoleBindings whose
 * subjects name the principal's user name or one of its groups (docs/tenancy.md).
 */

/** Signature algorithms the hub accepts: asymmetric only, so never `none` and never an HS* shared secret. */
export const OIDC_ALGORITHMS = ['RS256', 'ES256', 'PS256'] as const;

/** Groups one token may carry at most; a token with more is refused, not cut (a cut could drop a group a deny rule names). */
export const MAX_OIDC_GROUPS = 256;
/** Longest group name accepted, characters. */
export const MAX_OIDC_GROUP_LENGTH = 256;
/** Longest user name accepted (before the prefix), characters. */
export const MAX_OIDC_USERNAME_LENGTH = 256;

/** How the hub trusts one OIDC issuer. */
export interface OidcSettings {
  /** Issuer URL, exactly as the provider's discovery document and the tokens' `iss` spell it. */
  issuer: string;
  /** The `aud` the hub requires: the client id the CLI and console sign in with (the hub accepts ID tokens). */
  audience: string;
  /** Public client id the CLI and console use (no secret); defaults to {@link audience}. */
  clientId?: string;
  /** Claim that names the user; `sub` is used when it is absent. Default `email`. */
  usernameClaim: string;
  /** Claim that lists the groups (a string or an array of strings; a dotted path reaches into objects). Default `groups`. */
  groupsClaim: string;
  /**
   * Put before every OIDC user name (default `oidc:`), so an OIDC user can never be mistaken for an
   * API token (`token:<name>`) or a built-in identity, whatever the provider lets users call
   * themselves. RoleBinding subjects of kind User name the prefixed name.
   */
  usernamePrefix: string;
  /** Clock skew tolerated on `exp`, `nbf` and `iat`, seconds. Default 60. */
  clockToleranceSeconds: number;
  /** Extra scopes the CLI and console ask for besides `openid` (e.g. `email profile groups`). */
  scopes?: string;
}

/** Defaults of the optional OIDC settings. */
export const OIDC_DEFAULTS = {
  usernameClaim: 'email',
  groupsClaim: 'groups',
  usernamePrefix: 'oidc:',
  clockToleranceSeconds: 60,
  scopes: 'openid email profile offline_access',
} as const;

/** What `GET /v1/auth/config` tells clients: everything a public client needs, nothing secret. */
export interface AuthConfigBody {
  oidc?: { issuer: string; clientId: string; scopes: string; usernamePrefix: string };
}

/** The public part of the settings, for `GET /v1/auth/config`. */
export function publicAuthConfig(settings: OidcSettings | undefined): AuthConfigBody {
  if (!settings) return {};
  return {
    oidc: {
      issuer: settings.issuer,
      clientId: settings.clientId ?? settings.audience,
      scopes: settings.scopes ?? OIDC_DEFAULTS.scopes,
      usernamePrefix: settings.usernamePrefix,
    },
  };
}

/** A claim by name; a name that is not a claim itself but has dots walks into objects (`realm_access.roles`). */
export function claimAt(claims: Record<string, unknown>, name: string): unknown {
  if (name in claims) return claims[name];
  if (!name.includes('.')) return undefined;
  let at: unknown = claims;
  for (const part of name.split('.')) {
    if (at === null || typeof at !== 'object' || Array.isArray(at)) return undefined;
    at = (at as Record<string, unknown>)[part];
  }
  return at;
}

/**
 * The groups of a token: the claim as one string or an array of strings; absent is none. Anything
 * else, more than {@link MAX_OIDC_GROUPS} or a name longer than {@link MAX_OIDC_GROUP_LENGTH} refuses
 * the token rather than dropping groups: a deny rule may name the group that would be dropped.
 */
export function groupsOf(claims: Record<string, unknown>, groupsClaim: string): string[] {
  const raw = claimAt(claims, groupsClaim);
  if (raw === undefined || raw === null) return [];
  const list = typeof raw === 'string' ? [raw] : raw;
  if (!Array.isArray(list) || list.some((g) => typeof g !== 'string')) {
    throw new UnauthenticatedError(
      `the token's "${groupsClaim}" claim must be a string or an array of strings; check the provider's groups claim mapping`,
    );
  }
  if (list.length > MAX_OIDC_GROUPS) {
    throw new UnauthenticatedError(
      `the token carries ${list.length} groups in "${groupsClaim}"; the hub accepts at most ${MAX_OIDC_GROUPS} (filter the groups the provider puts in the token)`,
    );
  }
  const long = (list as string[]).find((g) => g.length > MAX_OIDC_GROUP_LENGTH);
  if (long !== undefined) {
    throw new UnauthenticatedError(`a group in the token's "${groupsClaim}" claim is longer than ${MAX_OIDC_GROUP_LENGTH} characters`);
  }
  return [...new Set(list as string[])].filter((g) => g !== '');
}

/**
 * The principal of a verified token's claims: user name from {@link OidcSettings.usernameClaim}
 * (falling back to `sub` when the claim is absent), prefixed; `uid` the `sub`; the groups; the expiry.
 * An `email` user name whose `email_verified` is false is refused: anyone can type an address.
 */
export function principalFromClaims(claims: Record<string, unknown>, settings: OidcSettings): Principal {
  const sub = claims.sub;
  if (typeof sub !== 'string' || sub === '') throw new UnauthenticatedError('the token has no "sub" claim; it is not an OIDC ID token');
  const exp = claims.exp;
  if (typeof exp !== 'number') throw new UnauthenticatedError('the token has no "exp" claim; the hub accepts only tokens that expire');
  let name = sub;
  const claimed = claimAt(claims, settings.usernameClaim);
  if (claimed !== undefined && claimed !== null) {
    if (typeof claimed !== 'string' || claimed === '') {
      throw new UnauthenticatedError(`the token's "${settings.usernameClaim}" claim is not a non-empty string`);
    }
    // As the Kubernetes API server does: when present, email_verified must be true (some
    // providers send it as a string; providers that never send it, such as Entra ID, are trusted
    // to own the address).
    const verified = claims.email_verified;
    if (settings.usernameClaim === 'email' && verified !== undefined && verified !== true && verified !== 'true') {
      throw new UnauthenticatedError(
        "the token's e-mail address is not verified (email_verified is false); verify it with the provider, or configure another username claim",
      );
    }
    name = claimed;
  }
  if (name.length > MAX_OIDC_USERNAME_LENGTH) {
    throw new UnauthenticatedError(`the token's user name is longer than ${MAX_OIDC_USERNAME_LENGTH} characters`);
  }
  return {
    source: 'oidc',
    username: `${settings.usernamePrefix}${name}`,
    uid: sub,
    groups: groupsOf(claims, settings.groupsClaim),
    expiresAt: exp * 1000,
  };
}

/**
 * Checks an issuer URL: https, or http only on a loopback address (the local hub with the test
 * issuer or a Dex on this machine). No trailing slash is added or removed: `iss` is compared exactly.
 * @throws Error naming `source` when it is not acceptable.
 */
export function checkIssuerUrl(issuer: string, source: string): string {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new Error(`${source} must be the issuer's URL (like https://accounts.example.com); it is "${issuer}"`);
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new Error(`${source} must be an https URL (http only on 127.0.0.1 or localhost); it is "${issuer}"`);
  }
  if (url.search || url.hash) throw new Error(`${source} must not have a query or fragment; it is "${issuer}"`);
  return issuer;
}

/**
 * The OIDC settings from the environment (TETHER_OIDC_ISSUER, TETHER_OIDC_AUDIENCE,
 * TETHER_OIDC_CLIENT_ID, TETHER_OIDC_USERNAME_CLAIM, TETHER_OIDC_GROUPS_CLAIM,
 * TETHER_OIDC_USERNAME_PREFIX, TETHER_OIDC_CLOCK_TOLERANCE_SECONDS, TETHER_OIDC_SCOPES), or
 * undefined when no issuer is set (single sign-on off). A bad value fails start-up, naming the variable.
 */
export function oidcSettingsFromEnv(env: Record<string, string | undefined>): OidcSettings | undefined {
  const get = (name: string) => (env[name]?.trim() ? env[name]!.trim() : undefined);
  const issuer = get('TETHER_OIDC_ISSUER');
  if (!issuer) return undefined;
  const clientId = get('TETHER_OIDC_CLIENT_ID');
  const audience = get('TETHER_OIDC_AUDIENCE') ?? clientId;
  if (!audience) {
    throw new Error(
      'TETHER_OIDC_ISSUER is set but neither TETHER_OIDC_AUDIENCE nor TETHER_OIDC_CLIENT_ID is: the hub needs the client id tokens are issued for',
    );
  }
  const tolerance = get('TETHER_OIDC_CLOCK_TOLERANCE_SECONDS');
  const clockToleranceSeconds = tolerance === undefined ? OIDC_DEFAULTS.clockToleranceSeconds : Number(tolerance);
  if (!Number.isInteger(clockToleranceSeconds) || clockToleranceSeconds < 0 || clockToleranceSeconds > 600) {
    throw new Error(`TETHER_OIDC_CLOCK_TOLERANCE_SECONDS must be a whole number of seconds from 0 to 600; it is "${tolerance}"`);
  }
  return {
    issuer: checkIssuerUrl(issuer, 'TETHER_OIDC_ISSUER'),
    audience,
    ...(clientId ? { clientId } : {}),
    usernameClaim: get('TETHER_OIDC_USERNAME_CLAIM') ?? OIDC_DEFAULTS.usernameClaim,
    groupsClaim: get('TETHER_OIDC_GROUPS_CLAIM') ?? OIDC_DEFAULTS.groupsClaim,
    // An empty prefix is allowed on purpose (set the variable to "-"): the operator then owns collisions.
    usernamePrefix: env.TETHER_OIDC_USERNAME_PREFIX === '-' ? '' : (get('TETHER_OIDC_USERNAME_PREFIX') ?? OIDC_DEFAULTS.usernamePrefix),
    clockToleranceSeconds,
    ...(get('TETHER_OIDC_SCOPES') ? { scopes: get('TETHER_OIDC_SCOPES') } : {}),
  };
}

/** Settings with the defaults filled in, from the parts a caller gives (the local hub's flags, tests). */
export function oidcSettings(parts: Pick<OidcSettings, 'issuer'> & Partial<OidcSettings>): OidcSettings {
  const audience = parts.audience ?? parts.clientId;
  if (!audience) throw new Error('OIDC settings need an audience or a client id');
  return {
    usernameClaim: OIDC_DEFAULTS.usernameClaim,
    groupsClaim: OIDC_DEFAULTS.groupsClaim,
    usernamePrefix: OIDC_DEFAULTS.usernamePrefix,
    clockToleranceSeconds: OIDC_DEFAULTS.clockToleranceSeconds,
    ...parts,
    issuer: checkIssuerUrl(parts.issuer, 'the OIDC issuer'),
    audience,
  };
}
