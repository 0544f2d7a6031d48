import { routeHref, type Route } from './model/route.js';

/**
 * Writes a view's filters, sort and page into the URL as they change, without adding a history
 * entry per keystroke: the address bar always holds a shareable link to what is on screen.
 */

/** The event the shell listens to, besides `hashchange`, to re-read the route. */
export const ROUTE_EVENT = 'tether:route';

/** Replaces the current URL's fragment with `route` and `query`, and tells the shell. */
export function replaceQuery(route: Route, query: Record<string, string | undefined>): void {
  const hash = routeHref(route, query);
  if (hash === location.hash) return;
  history.replaceState(history.state, '', hash);
  dispatchEvent(new Event(ROUTE_EVENT));
}
