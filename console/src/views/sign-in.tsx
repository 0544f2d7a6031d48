import { useEffect, useState } from 'preact/hooks';
import { describeError, verifyToken } from '../api.js';
import { fetchOidcConfig, startSignIn, type OidcConfig } from '../oidc.js';

/**
 * The sign-in form: an admin token, checked against the hub before it is kept (in session
 * storage only, never in the URL).
 */
export function SignIn({ reason, onSignedIn }: { reason?: string; onSignedIn: (token: string) => void }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const [oidc, setOidc] = useState<OidcConfig | undefined>(undefined);
  useEffect(() => {
    void fetchOidcConfig().then(setOidc);
  }, []);
  const signInWithIssuer = () => {
    if (!oidc) return;
    setBusy(true);
    setError(undefined);
    startSignIn(oidc).catch((err: unknown) => {
      setError(`Cannot reach ${oidc.issuer}: ${(err as Error).message}`);
      setBusy(false);
    });
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    const t = token.trim();
    if (!t) {
      setError('Enter an admin token.');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      await verifyToken(t);
      onSignedIn(t);
    } catch (err) {
      setError(describeError(err));
      setBusy(false);
    }
  };
  return (
    <main class="signin" id="main">
      <h1>Tether console</h1>
      <p>
        Sign in with an admin token. A local hub prints it on its first start and keeps it in the <code>admin-token</code> file of its data
        directory (the <code>Admin token:</code> line of <code>npm start</code> names the file; <code>.tether/admin-token</code> unless you
        passed <code>--data</code>).
      </p>
      {reason && <p class="muted">{reason}</p>}
      {oidc && (
        <p>
          <button type="button" class="primary" disabled={busy} onClick={signInWithIssuer}>
            Sign in with {issuerName(oidc.issuer)}
          </button>
        </p>
      )}
      <form onSubmit={submit} novalidate>
        <label for="token">Admin token</label>
        <input
          id="token"
          name="token"
          type="password"
          autoComplete="off"
          spellcheck={false}
          value={token}
          onInput={(e) => setToken((e.target as HTMLInputElement).value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'token-error' : 'token-help'}
          autoFocus
        />
        <p id="token-help" class="help">
          Kept in this tab’s session storage until you sign out or close the tab.
        </p>
        {error && (
          <p id="token-error" role="alert" class="error">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}

/** The issuer as a person knows it: its host (and path, when the host serves several issuers). */
function issuerName(issuer: string): string {
  try {
    const u = new URL(issuer);
    return `${u.host}${u.pathname === '/' ? '' : u.pathname}`;
  } catch {
    return issuer;
  }
}
