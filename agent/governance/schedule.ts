import type { ComplianceState } from '../../shared/resources/policy.js';
import type { DesiredPolicyTemplate } from '../../shared/protocol/v1.js';

/**
 * When a template is evaluated again: at its policy's arrival or change (the caller knows), then
 * every `evaluationInterval.compliant` while compliant and every `.noncompliant` otherwise (a
 * pending template too, to notice its dependencies being met; the governor also re-evaluates at
 * once when they are). `null` means never again until the policy changes. A ±10 % jitter keeps
 * templates that arrived together from being evaluated in lockstep forever.
 */

/** Relative jitter of evaluation intervals. */
export const EVALUATION_JITTER = 0.1;

/**
 * The time of the next evaluation, or undefined for never (until the policy changes).
 * @param random a number in [0, 1).
 */
export function nextEvaluationAt(
  now: number,
  state: ComplianceState,
  interval: DesiredPolicyTemplate['evaluationInterval'],
  random: number,
): number | undefined {
  const seconds = state === 'Compliant' ? interval.compliant : interval.noncompliant;
  if (seconds === null) return undefined;
  const ms = seconds * 1000;
  return now + Math.round(ms * (1 - EVALUATION_JITTER + 2 * EVALUATION_JITTER * random));
}

/** First retry of a template whose kind the cluster does not serve yet (doubling up to its interval). */
export const KIND_NOT_FOUND_RETRY_MS = 15_000;

/**
 * The next evaluation of a template found `KindNotFound`: usually a CRD that another policy (or a
 * work) has just created and the API server has not established yet. Retried after 15 s, then
 * 30 s, 60 s, ... up to the template's noncompliant interval, so a bootstrap chain (install the CRD,
 * then create its objects) completes in seconds rather than a whole interval, and a typo costs
 * only a few early retries.
 * @param attempt 0 for the first KindNotFound in a row.
 */
export function kindNotFoundRetryAt(
  now: number,
  attempt: number,
  interval: DesiredPolicyTemplate['evaluationInterval'],
  random: number,
): number | undefined {
  const regular = nextEvaluationAt(now, 'NonCompliant', interval, random);
  const soon = now + KIND_NOT_FOUND_RETRY_MS * 2 ** Math.min(attempt, 10);
  return regular === undefined ? soon : Math.min(regular, soon);
}
