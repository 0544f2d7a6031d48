/**
 * The admin token lives in session storage only: it survives a reload of the tab, disappears
 * when the tab closes, and never appears in a URL, a cookie or local storage.
 */

const KEY = 'tether.adminToken';

/** The token of this tab's session, if signed in. */
export function readToken(): string | undefined {
  try {
    return sessionStorage.getItem(KEY) ?? undefined;
  } catch {
    // Storage can be disabled by the browser; then the console simply is not signed in.
    return undefined;
  }
}

/** Keeps the token for this tab's session. */
export function saveToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

/** Forgets the token (sign-out, or the hub rejected it). */
export function clearToken(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // Nothing stored, nothing to forget.
  }
}
