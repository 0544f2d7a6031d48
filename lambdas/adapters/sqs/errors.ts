/**
 * Named errors of the SQS adapter.
 */
import { TetherError } from '../../../shared/errors.js';

/** One step message that SQS did not accept. */
export interface FailedSend {
  /** The step's `type`, to tell the caller which step was lost. */
  type: string;
  /** Index of the message in the array passed to `Queue.send`. */
  index: number;
  /** SQS error code (e.g. `InternalError`), or the SDK error's name when the whole request failed. */
  code: string;
  /** SQS's or the SDK's message. */
  message: string;
  /** True when SQS blamed the request: resending the same message will fail again. */
  senderFault: boolean;
}

/**
 * Some step messages could not be sent after retries. The others were sent: steps are idempotent,
 * so a caller may resend the whole list.
 */
export class QueueSendError extends TetherError {
  // 503: SQS did not take the messages after retries: a dependency of the hub failed, not the request, and steps are idempotent so the caller may retry. Even a message SQS blames (senderFault) was built by the hub.
  static override readonly status = 503;
  static override readonly title = 'Queue unavailable';
  readonly code = 'queue-send-failed';
  constructor(
    readonly failed: FailedSend[],
    readonly total: number,
    options?: ErrorOptions,
  ) {
    super(
      `${failed.length} of ${total} step messages were not sent: ` +
        failed
          .slice(0, 5)
          .map((f) => `#${f.index} ${f.type} (${f.code}: ${f.message})`)
          .join('; ') +
        (failed.length > 5 ? `; and ${failed.length - 5} more` : ''),
      options,
    );
  }
}

/** SQS answered without a field it always sends (a broken emulator or proxy). */
export class SqsResponseError extends TetherError {
  // 502: SQS (or an emulator or proxy in front of it) answered something malformed: an upstream fault.
  static override readonly status = 502;
  static override readonly title = 'Bad queue response';
  readonly code = 'sqs-unexpected-response';
}

/** A handler called a Lambda API the local runtime deliberately does not emulate. */
export class UnsupportedLambdaApiError extends TetherError {
  // 500: a handler called an API the runtime does not offer: a bug of the hub's code.
  static override readonly status = 500;
  static override readonly title = 'Unsupported Lambda API';
  readonly code = 'unsupported-lambda-api';
}
