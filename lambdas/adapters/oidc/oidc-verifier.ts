import {
  createRemoteJWKSet,
  customFetch,
  decodeJwt,
  decodeProtectedHeader,
  errors as joseErrors,
  jwtVerify,
  type FetchImplementation,
  type JWTPayload,
} from 'jose';
import { TetherError, UnauthenticatedError } from '../../../shared/errors.js';
import type { Principal } from '../../../shared/tenancy.js';
import { OIDC_ALGORITHMS, principalFromClaims, type OidcSettings } from '../../core/identity/oidc.js';
import type { OidcVerifier as OidcVerifierPort } from '../../core/context.js';

/**
 * The OIDC verifier: discovery of the issuer (cached), its JWKS through jose's remote key set
 * (cached; a token signed with a key the cache does not have refetches it, at most once per
 * {@link OidcVerifierOptions.jwksCooldownMs}, so a flood of forged `kid`s cannot hammer the issuer),
 * and `jwtVerify` with the issuer, the audience, an allow-list of asymmetric algorithms and a clock
 * tolerance. Cheap checks on the unverified token (shape, algorithm, issuer, expiry) come first, so a
 * forged or stale token costs no network at all.
 */

/** The issuer or its keys could not be fetched: a fault of a system the hub depends on (503, logged). */
export class IssuerUnavailableError extends TetherError {
  static override readonly status = 503;
  static override readonly title = 'Identity provider unavailable';
  readonly code = 'identity-provider-unavailable';
}

/** Tunables of the network side; tests shorten them. */
export interface OidcVerifierOptions {
  /** Least time between two JWKS fetches caused by an unknown `kid`, ms. @default 30 s */
  jwksCooldownMs?: number;
  /** How long fetched keys are used before they are fetched again anyway, ms. @default 10 min */
  jwksMaxAgeMs?: number;
  /** After a failed discovery or JWKS fetch, requests fail fast for this long instead of fetching again, ms. @default 10 s */
  failureBackoffMs?: number;
  /** Timeout of each HTTP request to the issuer, ms. @default 5 s */
  timeoutMs?: number;
  /** Clock, epoch ms (jose reads its own clock for the final check; this one drives the pre-checks and back-off). */
  now?: () => number;
  /** The fetch to use (tests count requests with it). */
  fetch?: typeof fetch;
}

interface Discovery {
  issuer: string;
  jwks_uri: string;
}

type KeySet = ReturnType<typeof createRemoteJWKSet>;

/** Verifies ID tokens of one issuer; build one per process and keep it (its caches are the point). */
export class OidcVerifier implements OidcVerifierPort {
  private keys: Promise<KeySet> | undefined;
  private failedAt: number | undefined;
  private readonly now: () => number;
  private readonly fetchImpl: typeof fetch;

  constructor(
    readonly settings: OidcSettings,
    private readonly options: OidcVerifierOptions = {},
  ) {
    this.now = options.now ?? Date.now;
    this.fetchImpl = options.fetch ?? fetch;
  }

  async verify(token: string): Promise<Principal> {
    const { issuer, audience, clockToleranceSeconds } = this.settings;
    this.precheck(token);
    const keys = await this.keySet();
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer,
        audience,
        algorithms: [...OIDC_ALGORITHMS],
        clockTolerance: clockToleranceSeconds,
        requiredClaims: ['exp', 'sub'],
        currentDate: new Date(this.now()),
      }));
    } catch (err) {
      throw this.explain(err);
    }
    return principalFromClaims(payload as Record<string, unknown>, this.settings);
  }

  /** Checks of the unverified token that need no key: a token failing them is refused without any fetch. */
  private precheck(token: string): void {
    const { issuer, clockToleranceSeconds } = this.settings;
    let alg: string | undefined;
    let claims: JWTPayload;
    try {
      alg = decodeProtectedHeader(token).alg;
      claims = decodeJwt(token);
    } catch {
      throw new UnauthenticatedError('the bearer token is not a well-formed JWT; sign in again (tether login --oidc)');
    }
    if (!alg || !(OIDC_ALGORITHMS as readonly string[]).includes(alg)) {
      throw new UnauthenticatedError(`the token is signed with "${alg ?? 'no algorithm'}"; the hub accepts ${OIDC_ALGORITHMS.join(', ')}`);
    }
    if (claims.iss !== issuer) {
      throw new UnauthenticatedError(`the token was issued by "${String(claims.iss)}"; this hub trusts tokens of "${issuer}"`);
    }
    if (typeof claims.exp !== 'number')
      throw new UnauthenticatedError('the token has no "exp" claim; the hub accepts only tokens that expire');
    if (claims.exp * 1000 + clockToleranceSeconds * 1000 <= this.now()) throw expired(claims.exp);
  }

  /** Maps jose's errors to an actionable 401 (or a 503 when the issuer could not be reached). */
  private explain(err: unknown): Error {
    const { issuer, audience } = this.settings;
    if (err instanceof TetherError) return err;
    if (err instanceof joseErrors.JWTExpired) return expired(Number(err.payload.exp));
    if (err instanceof joseErrors.JWTClaimValidationFailed) {
      if (err.claim === 'aud') {
        return new UnauthenticatedError(
          `the token is for audience ${JSON.stringify(err.payload.aud)}; this hub accepts ID tokens for client "${audience}"`,
        );
      }
      if (err.claim === 'iss') return new UnauthenticatedError(`the token was not issued by "${issuer}"`);
      if (err.claim === 'nbf' || err.claim === 'iat')
        return new UnauthenticatedError(`the token is not valid yet (${err.claim}); check the clocks`);
      return new UnauthenticatedError(`the token's "${err.claim}" claim is not valid: ${err.reason}`);
    }
    if (err instanceof joseErrors.JOSEAlgNotAllowed) {
      return new UnauthenticatedError(`the token's algorithm is not allowed; the hub accepts ${OIDC_ALGORITHMS.join(', ')}`);
    }
    if (err instanceof joseErrors.JWKSNoMatchingKey || err instanceof joseErrors.JWKSMultipleMatchingKeys) {
      return new UnauthenticatedError(`no signing key of "${issuer}" matches the token's key id; it was not signed by the issuer`);
    }
    if (err instanceof joseErrors.JWSSignatureVerificationFailed) {
      return new UnauthenticatedError(`the token's signature does not verify with the keys of "${issuer}"`);
    }
    if (err instanceof joseErrors.JWSInvalid || err instanceof joseErrors.JWTInvalid) {
      return new UnauthenticatedError(`the token is not a valid signed JWT: ${err.message}`);
    }
    if (err instanceof joseErrors.JOSENotSupported)
      return new UnauthenticatedError(`the token uses something the hub does not support: ${err.message}`);
    // Anything else is the key set's fetch failing (timeout, network, a bad answer).
    this.failedAt = this.now();
    return new IssuerUnavailableError(`could not fetch the signing keys of ${issuer}: ${(err as Error).message}`, { cause: err });
  }

  /** The issuer's remote key set, discovered once; after a failure, fails fast for the back-off. */
  private keySet(): Promise<KeySet> {
    const backoff = this.options.failureBackoffMs ?? 10_000;
    if (this.failedAt !== undefined && this.now() - this.failedAt < backoff) {
      return Promise.reject(
        new IssuerUnavailableError(`the OIDC issuer ${this.settings.issuer} failed to answer less than ${backoff / 1000} s ago`),
      );
    }
    this.failedAt = undefined;
    this.keys ??= this.discover().catch((err: unknown) => {
      this.keys = undefined;
      this.failedAt = this.now();
      throw err instanceof TetherError
        ? err
        : new IssuerUnavailableError(`OIDC discovery of ${this.settings.issuer} failed: ${(err as Error).message}`, { cause: err });
    });
    return this.keys;
  }

  private async discover(): Promise<KeySet> {
    const { issuer } = this.settings;
    const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    const res = await this.fetchImpl(url, {
      headers: { accept: 'application/json' },
      signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000),
    });
    if (!res.ok) throw new IssuerUnavailableError(`OIDC discovery at ${url} answered ${res.status}`);
    const doc = (await res.json()) as Partial<Discovery>;
    // The discovery document must name the issuer exactly (OIDC Discovery 1.0, section 4.3): a
    // document served for another issuer would let that issuer's keys sign for this one.
    if (doc.issuer !== issuer)
      throw new IssuerUnavailableError(`OIDC discovery at ${url} names issuer "${String(doc.issuer)}", not "${issuer}"`);
    if (typeof doc.jwks_uri !== 'string') throw new IssuerUnavailableError(`OIDC discovery at ${url} has no jwks_uri`);
    const fetchImpl = this.fetchImpl;
    const jwksFetch: FetchImplementation = (u, init) => fetchImpl(u, init);
    return createRemoteJWKSet(new URL(doc.jwks_uri), {
      cooldownDuration: this.options.jwksCooldownMs ?? 30_000,
      cacheMaxAge: this.options.jwksMaxAgeMs ?? 600_000,
      timeoutDuration: this.options.timeoutMs ?? 5_000,
      [customFetch]: jwksFetch,
    });
  }
}

function expired(exp: number): UnauthenticatedError {
  return new UnauthenticatedError(
    `the token expired at ${new Date(exp * 1000).toISOString()}; sign in again (tether login --oidc, or the console's sign-in)`,
  );
}
