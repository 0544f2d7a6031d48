/**
 * A lifecycle step: one idempotent unit of work the worker runs. Steps that span items are chains
 * of these, each re-reading and re-checking state, so duplicates and reordering are harmless.
 */
export interface StepMessage {
  /** Step type, e.g. `membership.recompute-clusters`. */
  type: string;
  /** Step input; small JSON (SQS message limit is 256 KiB). */
  payload: Record<string, unknown>;
  /** Optional delay before the step becomes visible, in seconds (max 900). */
  delaySeconds?: number;
}

/** Sends lifecycle steps to the work queue. Implementations batch (SQS SendMessageBatch of 10). */
export interface Queue {
  send(messages: StepMessage[]): Promise<void>;
}
