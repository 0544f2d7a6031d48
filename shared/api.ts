import { z } from 'zod';
import { API_VERSION } from './resources/meta.js';

/**
 * Shapes of the admin API's non-resource responses: lists, problems and apply results.
 * The CLI, the console and the OpenAPI description all use these.
 */

/** RFC 9457 problem details, with Tether's field errors for validation failures. */
export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  instance: z.string().optional(),
  /** For validation problems: every failing field. */
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  /** For conflicts: the stored resourceVersion. */
  currentResourceVersion: z.string().optional(),
  /** For 413: the limit and the actual size in bytes. */
  limitBytes: z.number().optional(),
  actualBytes: z.number().optional(),
  /** For 403 refusals of the authorization model: what was refused, and the rule that refused it. */
  authorization: z
    .object({
      verb: z.string(),
      kind: z.string(),
      name: z.string().optional(),
      reason: z.string(),
      clusterSets: z.array(z.string()).optional(),
    })
    .optional(),
});
export type Problem = z.infer<typeof ProblemSchema>;

/** Base URI of Tether problem types; `type` is this plus the error code. */
export const PROBLEM_BASE = 'https://tether.dev/problems/';

/** `GET /v1/{plural}` answer: `{kind: "<Kind>List", items, metadata.continue}`. */
export function listSchema(itemSchema: z.ZodType, kind: string) {
  return z.object({
    apiVersion: z.literal(API_VERSION),
    kind: z.literal(`${kind}List`),
    metadata: z.object({ continue: z.string().optional() }),
    items: z.array(itemSchema),
  });
}

export const ApplyActions = ['created', 'configured', 'unchanged', 'failed'] as const;

/** One document's outcome in `POST /v1/apply`. */
export const ApplyResultSchema = z.object({
  /** Zero-based index of the document in the request. */
  index: z.number().int(),
  kind: z.string().optional(),
  name: z.string().optional(),
  namespace: z.string().optional(),
  action: z.enum(ApplyActions),
  resourceVersion: z.string().optional(),
  problem: ProblemSchema.optional(),
});
export type ApplyResult = z.infer<typeof ApplyResultSchema>;

export const ApplyResponseSchema = z.object({
  dryRun: z.boolean(),
  results: z.array(ApplyResultSchema),
  /** Counts per action. */
  summary: z.record(z.string(), z.number()),
});
export type ApplyResponse = z.infer<typeof ApplyResponseSchema>;
