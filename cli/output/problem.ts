import type { Problem } from '../../shared/api.js';
import { ValidationError } from '../../shared/errors.js';
import { AuthMissingError, HubProblemError, HubUnreachableError } from '../errors.js';

/**
 * How errors read on stderr: one clear line by default (`error: Cluster "x" not found (404)`),
 * the whole problem with `-v`. Lines are returned without the `error:` prefix's colour so the
 * caller decides on colour.
 */

/** Options of {@link errorLines}. */
export interface ErrorFormatOptions {
  verbose: boolean;
}

/** The message lines for an error: the first is the one-line summary, the rest verbose detail. */
export function errorLines(err: unknown, options: ErrorFormatOptions): string[] {
  if (err instanceof HubProblemError) return problemLines(err.problem, options.verbose, err.request);
  if (err instanceof HubUnreachableError) {
    const lines = [`cannot reach the hub at ${err.hub}: ${err.reason} — is it running? (tether dev)`];
    if (options.verbose) lines.push(...causeLines(err));
    return lines;
  }
  if (err instanceof AuthMissingError) {
    return [`${err.message}: run "tether login --hub URL --token TOKEN" or set TETHER_HUB and TETHER_TOKEN`];
  }
  if (err instanceof ValidationError && options.verbose) {
    return [err.message, ...err.fieldErrors.map((f) => `  ${f.path}: ${f.message}`)];
  }
  const message = err instanceof Error ? err.message : String(err);
  return options.verbose && err instanceof Error ? [message, ...causeLines(err)] : [message];
}

/** A hub problem as one line, plus every field of it when verbose. */
export function problemLines(problem: Problem, verbose: boolean, request?: string): string[] {
  const lines = [`${problem.detail || problem.title} (${problem.status})${hintFor(problem.status)}`];
  if (!verbose) return lines;
  lines.push(`  status:   ${problem.status} ${problem.title}`);
  lines.push(`  type:     ${problem.type}`);
  if (request) lines.push(`  request:  ${request}`);
  if (problem.instance) lines.push(`  instance: ${problem.instance}`);
  if (problem.currentResourceVersion) lines.push(`  current resourceVersion: ${problem.currentResourceVersion}`);
  if (problem.limitBytes !== undefined) lines.push(`  size:     ${problem.actualBytes ?? '?'} bytes; limit ${problem.limitBytes} bytes`);
  if (problem.errors?.length) {
    lines.push('  field errors:');
    for (const e of problem.errors) lines.push(`    ${e.path}: ${e.message}`);
  }
  return lines;
}

function hintFor(status: number): string {
  if (status === 401) return ' — run "tether login" or set TETHER_TOKEN';
  if (status === 403) return ' — the token does not grant this; check it with "tether login"';
  return '';
}

function causeLines(err: Error): string[] {
  const lines: string[] = [];
  let cause = (err as { cause?: unknown }).cause;
  for (let depth = 0; cause !== undefined && depth < 5; depth++) {
    const c = cause as { message?: string; code?: string; cause?: unknown };
    lines.push(`  caused by: ${c.code ? `${c.code} ` : ''}${c.message ?? String(cause)}`);
    cause = c.cause;
  }
  return lines;
}
