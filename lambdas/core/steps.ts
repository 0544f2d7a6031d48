import type { z } from 'zod';
import { parseOrThrow } from '../../shared/validation.js';
import type { StepMessage } from '../ports/queue.js';
import type { HubContext } from './context.js';
import { PoisonMessageError } from './step-errors.js';

export { PoisonMessageError };

/**
 * How a message reached the step. `attempt` is SQS's receive count: above 1, an earlier delivery
 * of this very message failed or its process died mid-way, possibly after writing. A step that
 * sends follow-up messages only when its write changed something must send them again on a
 * redelivery, since the earlier attempt may have written and died before sending.
 */
export interface Delivery {
  attempt: number;
}

/** A first delivery. */
export const FIRST_DELIVERY: Delivery = Object.freeze({ attempt: 1 });

/**
 * Lifecycle steps: idempotent units of work run by the worker from the queue. Each step re-reads
 * the state it acts on, so a duplicate, late or reordered message is harmless.
 */
export interface StepDefinition<S extends z.ZodType = z.ZodType> {
  type: string;
  payload: S;
  run(payload: z.infer<S>, ctx: HubContext, delivery: Delivery): Promise<void>;
}

/**
 * Declares a step type. Declaring registers nothing: a capability lists its steps, and the composed
 * registry ({@link HubContext.registry}) is what the worker looks a message's type up in.
 */
export function defineStep<S extends z.ZodType>(def: StepDefinition<S>): StepDefinition<S> {
  return Object.freeze(def);
}

/** Builds a message for a registered step, validating its payload at the sender. */
export function stepMessage<S extends z.ZodType>(def: StepDefinition<S>, payload: z.infer<S>, delaySeconds?: number): StepMessage {
  parseOrThrow(def.payload, payload, `step ${def.type} payload`);
  return { type: def.type, payload: payload as Record<string, unknown>, ...(delaySeconds ? { delaySeconds } : {}) };
}

/** Runs one step message. */
export async function runStep(message: StepMessage, ctx: HubContext, delivery: Delivery = FIRST_DELIVERY): Promise<void> {
  const def = ctx.registry.step(message.type);
  if (!def) throw new PoisonMessageError(`unknown step type "${message.type}"`);
  let payload: unknown;
  try {
    payload = parseOrThrow(def.payload, message.payload, `step ${message.type} payload`);
  } catch (err) {
    throw new PoisonMessageError((err as Error).message, { cause: err });
  }
  await def.run(payload, ctx, delivery);
}
