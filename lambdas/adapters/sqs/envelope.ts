/**
 * The SQS message body of a lifecycle step: `{"type": ..., "payload": {...}}` as JSON.
 * The sender (SqsQueue) and the worker handler both go through this file, so the envelope has
 * exactly one definition.
 */
import { z } from 'zod';
import { MalformedInputError } from '../../../shared/errors.js';
import { parseOrThrow } from '../../../shared/validation.js';
import type { StepMessage } from '../../ports/queue.js';

/** The envelope as it travels; `delaySeconds` is an SQS send parameter, never part of the body. */
export const StepEnvelopeSchema = z.object({
  type: z.string().min(1),
  payload: z.record(z.string(), z.unknown()),
});

/** A decoded step: what the worker dispatches on. */
export type StepEnvelope = z.infer<typeof StepEnvelopeSchema>;

/**
 * Serialises a step as an SQS message body.
 *
 * JSON.stringify already escapes control characters and lone surrogates. Two more kinds are
 * written as `\uXXXX` escapes: U+FFFE and U+FFFF, which SQS rejects, and characters beyond the
 * BMP (emoji), which SQS accepts but the embedded emulator wrongly rejects. The body is then
 * valid on every SQS-compatible endpoint, and JSON.parse restores the payload unchanged.
 */
export function encodeStepBody(message: StepMessage): string {
  return JSON.stringify({ type: message.type, payload: message.payload }).replace(
    /[\uD800-\uDFFF\uFFFE\uFFFF]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16)}`,
  );
}

/**
 * Parses an SQS message body back into a step. Throws MalformedInputError for text that is not
 * JSON and ValidationError for JSON that is not an envelope.
 */
export function decodeStepBody(body: string): StepEnvelope {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch (error) {
    throw new MalformedInputError('step message body is not JSON', undefined, { cause: error });
  }
  return parseOrThrow(StepEnvelopeSchema, json, 'step message body');
}
