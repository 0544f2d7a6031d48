/**
 * Hash routes (`#/clusters/store-0001`): the hub serves one page, so the view lives in the
 * fragment. Routes name objects only; the admin token is never part of a URL.
 */

/** The console's views. */
export type Route =
  | { view: 'clusters' }
  | { view: 'cluster'; name: string }
  | { view: 'deployments' }
  | { view: 'inventory' };

/** Reads a route from `location.hash`; anything unknown is the Clusters view. */
export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(safeDecode);
  if (parts[0] === 'clusters' && parts[1]) return { view: 'cluster', name: parts[1] };
  if (parts[0] === 'deployments') return { view: 'deployments' };
  if (parts[0] === 'inventory') return { view: 'inventory' };
  return { view: 'clusters' };
}

/** The hash of a route, for links. */
export function routeHref(route: Route): string {
  switch (route.view) {
    case 'cluster':
      return `#/clusters/${encodeURIComponent(route.name)}`;
    default:
      return `#/${route.view}`;
  }
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
