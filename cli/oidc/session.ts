import type { CliIO } from '../io.js';
import { nearExpiry, refresh } from './sign-in.js';
import { cachedTokens, saveTokens } from './token-cache.js';

/**
 * The ID token to send to `hub` from the OIDC sign-in, refreshed (and the cache updated) when it
 * expires within a minute; undefined when there is no sign-in for this hub.
 * @throws UsageError when the sign-in expired and cannot be refreshed (the message says to sign in again).
 */
export async function oidcToken(io: Pick<CliIO, 'env' | 'cwd' | 'now'>, hub: string): Promise<string | undefined> {
  const tokens = await cachedTokens(io, hub);
  if (!tokens) return undefined;
  if (!nearExpiry(tokens, io.now().getTime())) return tokens.idToken;
  const fresh = await refresh(tokens);
  await saveTokens(io, hub, fresh);
  return fresh.idToken;
}
