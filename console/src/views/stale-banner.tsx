import type { ComponentChildren } from 'preact';
import { useHubHealth, useStale } from '../hub-health.js';
import { useNow } from '../poll.js';
import { timeAgo } from '../model/clusters.js';

/**
 * While the hub does not answer: a banner saying since when the data is old, and the content
 * greyed (`main.stale`). Actions check {@link useStale} and are disabled meanwhile.
 */
export function StaleBanner() {
  const health = useHubHealth();
  const now = useNow(5000);
  if (!health.stale) return null;
  const at = health.lastGood ? new Date(health.lastGood) : undefined;
  return (
    <div class="stale-banner" role="alert" data-stale-since={at?.toISOString()}>
      <strong>The hub is not answering.</strong>{' '}
      {at ? (
        <>
          What you see is from its last answer at <time dateTime={at.toISOString()}>{at.toLocaleTimeString()}</time> (
          {timeAgo(at.toISOString(), now)}) and may be out of date.
        </>
      ) : (
        <>Nothing has been loaded yet.</>
      )}{' '}
      Actions are disabled until it answers again; the console keeps trying. <span class="detail">({health.error})</span>
    </div>
  );
}

/** The main region, greyed and marked busy while the data is stale. */
export function StaleMain({ children }: { children: ComponentChildren }) {
  const stale = useStale();
  return (
    <main id="main" tabIndex={-1} class={stale ? 'stale' : undefined} data-stale={stale ? 'true' : undefined}>
      {children}
    </main>
  );
}
