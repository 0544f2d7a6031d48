import { TetherError } from '../../shared/errors.js';

/**
 * Thrown for step messages that can never succeed (not JSON, unknown type, invalid payload): they
 * go to the dead-letter queue instead of being retried.
 */
export class PoisonMessageError extends TetherError {
  // 500: the hub queues its own step messages, so one it cannot run is the hub's bug or a version
  // skew between its functions, never a caller's doing.
  static override readonly status = 500;
  static override readonly title = 'Poison message';
  readonly code = 'poison-message';
}
