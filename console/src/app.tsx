import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { clearCache, setUnauthorizedHandler } from './api.js';
import { FleetSummaryBar } from './components/fleet-summary.js';
import { FleetDataProvider } from './fleet-data.js';
import { resetHubHealth } from './hub-health.js';
import { ROUTE_EVENT } from './navigation.js';
import { parseQuery, parseRoute, routeHref, routeKey, type Route } from './model/route.js';
import { NoticeContext } from './notices.js';
import { completeSignIn } from './oidc.js';
import { PermissionsProvider } from './permissions.js';
import { clearToken, readToken, saveToken } from './session.js';
import { AuditView } from './views/audit.js';
import { ClusterDetailView } from './views/cluster-detail.js';
import { ClusterSetDetailView, ClusterSetsView } from './views/clustersets.js';
import { ClustersView } from './views/clusters.js';
import { DeploymentDetailView } from './views/deployment-detail.js';
import { DeploymentsView } from './views/deployments.js';
import { GovernanceView } from './views/governance.js';
import { InventoryView } from './views/inventory.js';
import { PlacementDetailView, PlacementsView } from './views/placements.js';
import { PolicyDetailView } from './views/policy-detail.js';
import { SignIn } from './views/sign-in.js';
import { StaleBanner, StaleMain } from './views/stale-banner.js';

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
    // Back from the OIDC issuer's sign-in page: exchange the code for the ID token.
    completeSignIn()
      .then((idToken) => {
        if (!idToken) return;
        saveToken(idToken);
        setReason(undefined);
        setSignedIn(true);
      })
      .catch((err: unknown) => setReason(`Single sign-on failed: ${(err as Error).message}`));
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
        resetHubHealth();
        setReason('Signed out.');
        setSignedIn(false);
      }}
    />
  );
}

/** The current route and the view state in its query (filters, sort, page). */
function useRoute(): { route: Route; query: Record<string, string> } {
  const [hash, setHash] = useState(() => location.hash);
  useEffect(() => {
    const onHash = () => setHash(location.hash);
    addEventListener('hashchange', onHash);
    addEventListener(ROUTE_EVENT, onHash);
    return () => {
      removeEventListener('hashchange', onHash);
      removeEventListener(ROUTE_EVENT, onHash);
    };
  }, []);
  return { route: parseRoute(hash), query: parseQuery(hash) };
}

const NAV: { label: string; route: Route; matches: Route['view'][] }[] = [
  { label: 'Clusters', route: { view: 'clusters' }, matches: ['clusters', 'cluster'] },
  { label: 'Cluster sets', route: { view: 'clustersets' }, matches: ['clustersets', 'clusterset'] },
  { label: 'Placements', route: { view: 'placements' }, matches: ['placements', 'placement'] },
  { label: 'Deployments', route: { view: 'deployments' }, matches: ['deployments', 'deployment'] },
  { label: 'Governance', route: { view: 'governance' }, matches: ['governance', 'policy'] },
  { label: 'Fleet inventory', route: { view: 'inventory' }, matches: ['inventory'] },
  { label: 'Audit', route: { view: 'audit' }, matches: ['audit'] },
];

function Shell({ onSignOut }: { onSignOut: () => void }) {
  const { route, query } = useRoute();
  const [notice, setNotice] = useState('');
  const [menuOpen, setMenuOpen] = useState(false);
  const first = useRef(true);
  const key = routeKey(route);

  // After navigating, move focus to the new view's heading so keyboard and screen-reader users
  // land at the start of the content (not on the first render: the browser owns that focus).
  // A layout effect, so focus moves in the same frame the new view appears. A change of filters
  // only (the query) is not a navigation.
  useLayoutEffect(() => {
    setMenuOpen(false);
    if (first.current) {
      first.current = false;
      return;
    }
    document.querySelector<HTMLElement>('main h1')?.focus();
  }, [key]);

  useEffect(() => {
    if (!notice) return;
    const timer = setTimeout(() => setNotice(''), 8000);
    return () => clearTimeout(timer);
  }, [notice]);

  return (
    <NoticeContext.Provider value={setNotice}>
      <PermissionsProvider>
        <FleetDataProvider>
          <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), document.getElementById('main')?.focus())}>
            Skip to content
          </a>
          <header class="top">
            <span class="brand">Tether</span>
            {/* On a phone the links fold behind this button; on wider screens it is hidden. */}
            <button
              type="button"
              class="menu-toggle"
              aria-expanded={menuOpen}
              aria-controls="main-nav"
              onClick={() => setMenuOpen((o) => !o)}
            >
              Menu
            </button>
            <nav aria-label="Main" id="main-nav" class={menuOpen ? 'open' : undefined}>
              <ul>
                {NAV.map((n) => (
                  <li key={n.label}>
                    <a
                      href={routeHref(n.route)}
                      aria-current={n.matches.includes(route.view) ? 'page' : undefined}
                      onClick={() => setMenuOpen(false)}
                    >
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
          <FleetSummaryBar />
          <StaleBanner />
          <div role="status" aria-live="polite" class={notice ? 'notice shown' : 'notice'}>
            {notice}
          </div>
          <StaleMain>
            {route.view === 'clusters' && <ClustersView query={query} />}
            {route.view === 'cluster' && <ClusterDetailView key={route.name} name={route.name} />}
            {route.view === 'deployments' && <DeploymentsView query={query} />}
            {route.view === 'deployment' && <DeploymentDetailView key={route.name} name={route.name} />}
            {route.view === 'placements' && <PlacementsView />}
            {route.view === 'placement' && <PlacementDetailView key={route.name} name={route.name} />}
            {route.view === 'clustersets' && <ClusterSetsView />}
            {route.view === 'clusterset' && <ClusterSetDetailView key={route.name} name={route.name} />}
            {route.view === 'inventory' && <InventoryView />}
            {route.view === 'governance' && <GovernanceView query={query} />}
            {route.view === 'policy' && <PolicyDetailView key={route.name} name={route.name} query={query} />}
            {route.view === 'audit' && <AuditView query={query} />}
          </StaleMain>
        </FleetDataProvider>
      </PermissionsProvider>
    </NoticeContext.Provider>
  );
}
