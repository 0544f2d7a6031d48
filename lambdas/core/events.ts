import type { z } from 'zod';
import { parseOrThrow } from '../../shared/validation.js';
import type { StepMessage } from '../ports/queue.js';
import type { HubContext } from './context.js';

/**
 * A domain event one capability publishes and any other may subscribe to, by declaring a step in
 * its `subscriptions`. The publisher does not know who listens: with no subscriber nothing is sent.
 * Each subscriber's step receives the event's payload, so the step's payload schema must accept it.
 */
export interface HubEvent<S extends z.ZodType = z.ZodType> {
  name: string;
  payload: S;
}

/** Declares an event and the shape of its payload. */
export function defineEvent<S extends z.ZodType>(name: string, payload: S): HubEvent<S> {
  return Object.freeze({ name, payload });
}

/**
 * Publishes one event per payload: one step message per payload for each subscribed step, queued
 * together. The payloads are validated against the event's schema at the sender.
 */
export async function publish<S extends z.ZodType>(ctx: HubContext, event: HubEvent<S>, payloads: z.infer<S>[]): Promise<void> {
  const steps = ctx.registry.subscribers(event);
  if (!payloads.length || !steps.length) return;
  for (const p of payloads) parseOrThrow(event.payload, p, `event ${event.name} payload`);
  const messages: StepMessage[] = steps.flatMap((step) =>
    payloads.map((payload) => ({ type: step.type, payload: payload as Record<string, unknown> })),
  );
  await ctx.ports.queue.send(messages);
}
