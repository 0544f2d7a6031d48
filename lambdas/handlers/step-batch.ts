import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { StepMessage } from '../ports/queue.js';
import type { HubContext } from '../core/context.js';
import { runStep } from '../core/steps.js';
import { PoisonMessageError } from '../core/step-errors.js';

/**
 * The worker's side of the queue: SQS records in, step messages to the domain's `runStep`, and
 * Lambda's partial-batch answer out. The domain never sees an SQS record.
 */

/**
 * Decodes one SQS record into a step message.
 * @throws PoisonMessageError when the body is not JSON or not `{type, payload}`: no retry can fix it.
 */
export function decodeStepRecord(record: SQSRecord): StepMessage {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch (err) {
    throw new PoisonMessageError(`message ${record.messageId} is not JSON`, { cause: err });
  }
  const m = body as Partial<StepMessage>;
  if (!m || typeof m.type !== 'string' || typeof m.payload !== 'object' || m.payload === null) {
    throw new PoisonMessageError(`message ${record.messageId} is not a step message ({type, payload})`);
  }
  return { type: m.type, payload: m.payload };
}

/**
 * Runs a batch of step messages and reports the failed ones, with Lambda's ReportBatchItemFailures
 * semantics: only the failed messages become visible again; after maxReceiveCount they go to the DLQ.
 * Records run concurrently: every step is idempotent and re-reads its state.
 */
export async function processBatch(event: SQSEvent, ctx: HubContext): Promise<SQSBatchResponse> {
  const failures: { itemIdentifier: string }[] = [];
  await Promise.all(
    event.Records.map(async (record) => {
      try {
        await runStep(decodeStepRecord(record), ctx, { attempt: Number(record.attributes?.ApproximateReceiveCount ?? '1') || 1 });
      } catch (err) {
        failures.push({ itemIdentifier: record.messageId });
        const poison = err instanceof PoisonMessageError;
        ctx.ports.log[poison ? 'error' : 'warn']('step failed', {
          messageId: record.messageId,
          receiveCount: record.attributes?.ApproximateReceiveCount,
          poison,
          error: err instanceof Error ? `${err.name}: ${err.message}` : String(err),
        });
      }
    }),
  );
  return { batchItemFailures: failures };
}
