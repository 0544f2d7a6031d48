import type { Principal } from '../../shared/tenancy.js';

/**
 * Verifies a bearer credential issued by someone else (an OIDC provider's ID token) and says who
 * presented it. The admin API's authentication hands it the bearers that look like JWTs; it never
 * sees the hub's own API tokens.
 */
export interface IdentityVerifier {
  /**
   * The caller the token proves.
   * @throws UnauthenticatedError (401) with an actionable detail when the token is not valid here
   *   (bad signature, expired, another issuer or audience, an algorithm not allowed, claims too big).
   */
  verify(token: string): Promise<Principal>;
}
