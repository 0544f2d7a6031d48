import type { z } from 'zod';
import { ValidationError, type FieldError } from './errors.js';

/** Converts zod issues into field errors with dotted paths. */
export function fieldErrorsOf(error: z.ZodError, prefix = ''): FieldError[] {
  return error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter((p) => p !== '').join('.');
    return { path: path || '(root)', message: issue.message };
  });
}

/**
 * Parses a value with a zod schema, throwing a {@link ValidationError} that lists every failing
 * field in words a person can act on.
 */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string, prefix = ''): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const fieldErrors = fieldErrorsOf(r.error, prefix);
  const first = fieldErrors[0];
  const more = fieldErrors.length > 1 ? ` (and ${fieldErrors.length - 1} more)` : '';
  throw new ValidationError(`${what} is invalid: ${first.path}: ${first.message}${more}`, fieldErrors);
}
