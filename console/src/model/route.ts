/**
 * Hash routes (`#/clusters/store-0001`): the hub serves one page, so the view lives in the
 * fragment. Routes name objects only; the admin token is never part of a URL. A view's filters,
 * sort and page follow a `?` in the fragment (`#/clusters?state=Unknown&sort=-name`), so a view
 * can be bookmarked and shared.
 */

/** The console's views. */
export type Route =
  | { view: 'clusters' }
  | { view: 'cluster'; name: string }
  | { view: 'deployments' }
  | { view: 'deployment'; name: string }
  | { view: 'placements' }
  | { view: 'placement'; name: string }
  | { view: 'clustersets' }
  | { view: 'clusterset'; name: string }
  | { view: 'inventory' }
  | { view: 'governance' }
  | { view: 'policy'; name: string }
  | { view: 'audit' };

/** Collections whose objects have a detail page: list view -> detail view. */
const DETAIL = { clusters: 'cluster', deployments: 'deployment', placements: 'placement', clustersets: 'clusterset' } as const;
type ListView = keyof typeof DETAIL;

function isListView(s: string | undefined): s is ListView {
  return s !== undefined && Object.hasOwn(DETAIL, s);
}

/** The path part of a hash (before `?`). */
function pathOf(hash: string): string {
  const h = hash.replace(/^#\/?/, '');
  const q = h.indexOf('?');
  return q < 0 ? h : h.slice(0, q);
}

/** Reads a route from `location.hash`; anything unknown is the Clusters view. */
export function parseRoute(hash: string): Route {
  const parts = pathOf(hash).split('/').filter(Boolean).map(safeDecode);
  if (isListView(parts[0])) {
    if (parts[1]) return { view: DETAIL[parts[0]], name: parts[1] };
    return { view: parts[0] };
  }
  if (parts[0] === 'inventory') return { view: 'inventory' };
  // Policies have no list view of their own: the governance view lists them (by policy).
  if (parts[0] === 'policies') return parts[1] ? { view: 'policy', name: parts[1] } : { view: 'governance' };
  if (parts[0] === 'governance') return { view: 'governance' };
  if (parts[0] === 'audit') return { view: 'audit' };
  return { view: 'clusters' };
}

/** The hash of a route, for links; `query` adds a view's filters (empty values are left out). */
export function routeHref(route: Route, query: Record<string, string | undefined> = {}): string {
  let path: string;
  switch (route.view) {
    case 'cluster':
      path = `#/clusters/${encodeURIComponent(route.name)}`;
      break;
    case 'deployment':
      path = `#/deployments/${encodeURIComponent(route.name)}`;
      break;
    case 'placement':
      path = `#/placements/${encodeURIComponent(route.name)}`;
      break;
    case 'clusterset':
      path = `#/clustersets/${encodeURIComponent(route.name)}`;
      break;
    case 'policy':
      path = `#/policies/${encodeURIComponent(route.name)}`;
      break;
    default:
      path = `#/${route.view}`;
  }
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v) params.set(k, v);
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

/** The view state after `?` in a hash (`state=Unknown&sort=-name`), as a plain record. */
export function parseQuery(hash: string): Record<string, string> {
  const h = hash.replace(/^#\/?/, '');
  const q = h.indexOf('?');
  if (q < 0) return {};
  return Object.fromEntries(new URLSearchParams(h.slice(q + 1)));
}

/** A route's key for "did the view change?" (the query is not part of it). */
export function routeKey(route: Route): string {
  return 'name' in route ? `${route.view}/${route.name}` : route.view;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
