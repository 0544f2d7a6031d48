import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { getJson } from './api.js';

/**
 * What the signed-in caller may do, from `GET /v1/auth/whoami` (asked once per session): the
 * console hides the create, edit, delete and rollout-control buttons the role cannot use. It is a
 * courtesy, not the control: the hub authorizes every request, and a refusal (403) is shown with
 * the hub's reason.
 */

/** One rule of the caller's grants, as whoami lists them. */
export interface GrantRule {
  effect: 'allow' | 'deny';
  verbs: string[];
  kinds: string[];
  clusterSets?: string[];
}

/** The part of whoami the console uses. */
export interface WhoAmI {
  username: string;
  groups: string[];
  source: string;
  rules: GrantRule[];
}

/**
 * Whether the rules allow `verb` on `kind` somewhere: an unscoped deny wins; otherwise any allow
 * (in any cluster set) shows the button, and the hub decides for the object at hand.
 */
export function allows(rules: readonly GrantRule[], verb: string, kind: string): boolean {
  const hits = (r: GrantRule) => (r.verbs.includes('*') || r.verbs.includes(verb)) && (r.kinds.includes('*') || r.kinds.includes(kind));
  if (rules.some((r) => r.effect === 'deny' && !r.clusterSets?.length && hits(r))) return false;
  return rules.some((r) => r.effect === 'allow' && hits(r));
}

/** undefined while whoami is being asked (or a hub without it): everything is shown, as before. */
const PermissionsContext = createContext<WhoAmI | undefined>(undefined);

/** Asks whoami once for the session and provides the answer below. */
export function PermissionsProvider({ children }: { children: ComponentChildren }) {
  const [who, setWho] = useState<WhoAmI | undefined>(undefined);
  useEffect(() => {
    getJson<WhoAmI>('/v1/auth/whoami')
      .then((r) => setWho(r.value))
      .catch(() => undefined);
  }, []);
  return <PermissionsContext.Provider value={who}>{children}</PermissionsContext.Provider>;
}

/** The caller, once known. */
export function useWhoAmI(): WhoAmI | undefined {
  return useContext(PermissionsContext);
}

/** Whether to show a control for `verb` on `kind` (true until whoami answers). */
export function useCan(verb: string, kind: string): boolean {
  const who = useContext(PermissionsContext);
  return who === undefined || allows(who.rules, verb, kind);
}
