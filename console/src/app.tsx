import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { clearCache, setUnauthorizedHandler } from './api.js';
import { parseRoute, routeHref, type Route } from './model/route.js';
import { NoticeContext } from './notices.js';
import { clearToken, readToken, saveToken } from './session.js';
import { ClusterDetailView } from './views/cluster-detail.js';
import { ClustersView } from './views/clusters.js';
import { DeploymentsView } from './views/deployments.js';
import { InventoryView } from './views/inventory.js';
import { SignIn } from './views/sign-in.js';

/**
 * The console shell: the sign-in gate, the navigation, the current view and the notice region.
 */
export function App() {
  const [signedIn, setSignedIn] = useState(() => readToken() !== undefined);
  const [reason, setReason] = useState<string | undefined>(undefined);

  useEffect(() => {
    setUnauthorizedHandler((problem) => {
      setReason(`The hub rejected the token: ${problem.detail}`);
      setSignedIn(false);
    });
  }, []);

  if (!signedIn) {
    return (
      <SignIn
        reason={reason}
        onSignedIn={(token) => {
          saveToken(token);
          setReason(undefined);
          setSignedIn(true);
        }}
      />
    );
  }
  return (
    <Shell
      onSignOut={() => {
        clearToken();
        clearCache();
        setReason('Signed out.');
        setSignedIn(false);
      }}
    />
  );
}

function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onHash = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  return route;
}

const NAV: { label: string; route: Route; matches: Route['view'][] }[] = [
  { label: 'Clusters', route: { view: 'clusters' }, matches: ['clusters', 'cluster'] },
  { label: 'Deployments', route: { view: 'deployments' }, matches: ['deployments'] },
  { label: 'Fleet inventory', route: { view: 'inventory' }, matches: ['inventory'] },
];

function Shell({ onSignOut }: { onSignOut: () => void }) {
  const route = useRoute();
  const [notice, setNotice] = useState('');
  const first = useRef(true);
  const routeKey = route.view === 'cluster' ? `cluster/${route.name}` : route.view;

  // After navigating, move focus to the new view's heading so keyboard and screen-reader users
  // land at the start of the content (not on the first render: the browser owns that focus).
  // A layout effect, so focus moves in the same frame the new view appears.
  useLayoutEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.querySelector<HTMLElement>('main h1')?.focus();
  }, [routeKey]);

  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setNotice(''), 8000);
    return () => clearTimeout(timer);
  }, [notice]);

  return (
    <NoticeContext.Provider value={setNotice}>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Tether</span>
        <nav aria-label="Main">
          <ul>
            {NAV.map((n) => (
              <li key={n.label}>
                <a href={routeHref(n.route)} aria-current={n.matches.includes(route.view) ? 'page' : undefined}>
                  {n.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <button type="button" class="link" onClick={onSignOut}>
          Sign out
        </button>
      </header>
      <div role="status" aria-live="polite" class={notice ? 'notice shown' : 'notice'}>
        {notice}
      </div>
      <main id="main" tabIndex={-1}>
        {route.view === 'clusters' && <ClustersView />}
        {route.view === 'cluster' && <ClusterDetailView key={route.name} name={route.name} />}
        {route.view === 'deployments' && <DeploymentsView />}
        {route.view === 'inventory' && <InventoryView />}
      </main>
    </NoticeContext.Provider>
  );
}
