import { TetherError } from '../shared/errors.js';
import { ExitCode, type ExitCodeValue } from './errors.js';

/**
 * A command that works on the hub's DynamoDB table directly (`tether admin ...`) failed in AWS:
 * no credentials or region, no such table, access denied, or the endpoint cannot be reached.
 * It carries the exit code, chosen like the hub commands' (3 cannot reach or not configured,
 * 4 not found, 2 usage, 1 refused).
 */
export class TableAccessError extends TetherError {
  // 502: the table (an upstream) refused or could not be reached; the exit code carries the finer reason.
  static override readonly status = 502;
  static override readonly title = 'Table access failed';
  readonly code = 'table-access';
  constructor(
    message: string,
    readonly exitCode: ExitCodeValue,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Turns an AWS SDK (or network) error into a {@link TableAccessError} a person can act on. */
export function tableAccessError(err: unknown, table: string): TableAccessError {
  const e = (err ?? {}) as { name?: string; message?: string; code?: string; cause?: { code?: string } };
  const name = e.name ?? '';
  const message = e.message ?? String(err);
  // Under some module loaders the SDK wraps a socket error as "AWS SDK error wrapper for Error:
  // connect ECONNREFUSED ...", keeping the code only in the message.
  const code = e.code ?? e.cause?.code ?? /\b(E[A-Z]{4,})\b/.exec(message)?.[1] ?? '';
  const options = { cause: err };
  if (name === 'ResourceNotFoundException') {
    return new TableAccessError(
      `table ${table} not found: check --table (the stack's TableName output) and --region`,
      ExitCode.NotFound,
      options,
    );
  }
  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(message)) {
    return new TableAccessError(
      'no AWS credentials found: set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or log in with "aws sso login"',
      ExitCode.Unreachable,
      options,
    );
  }
  if (/region is missing/i.test(message)) {
    return new TableAccessError('no AWS region: pass --region or set AWS_REGION', ExitCode.Usage, options);
  }
  if (NETWORK_CODES.has(code) || name === 'TimeoutError') {
    return new TableAccessError(`cannot reach DynamoDB: ${code || name}`, ExitCode.Unreachable, options);
  }
  if (name === 'AccessDeniedException' || name === 'UnrecognizedClientException' || name === 'ExpiredTokenException') {
    return new TableAccessError(`AWS refused the write to ${table} (${name}): ${message}`, ExitCode.Failed, options);
  }
  return new TableAccessError(`writing to ${table} failed: ${name ? `${name}: ` : ''}${message}`, ExitCode.Failed, options);
}
