import { z } from 'zod';
import { AnnotationsSchema, LabelsSchema } from '../labels.js';

/** The API group and version of every Tether resource. */
export const API_VERSION = 'tether.dev/v1alpha1';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A DNS-1123 label: what Kubernetes requires of namespace names; Tether requires it of every name. */
export const NameSchema = z
  .string({ error: 'name is required and must be a string' })
  .min(1, 'name must not be empty')
  .max(63, 'name must be at most 63 characters (DNS-1123 label)')
  .regex(DNS1123_LABEL, "name must be a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit");

/** Is this a valid DNS-1123 label? */
export function isDnsLabel(name: string): boolean {
  return name.length > 0 && name.length <= 63 && DNS1123_LABEL.test(name);
}

/** Object metadata as the user writes it. System fields are accepted but set by the hub. */
export const ObjectMetaInputSchema = z
  .object({
    name: NameSchema,
    labels: LabelsSchema.optional(),
    annotations: AnnotationsSchema.optional(),
    resourceVersion: z.string().regex(/^\d+$/, 'resourceVersion must be the decimal string the hub returned').optional(),
    // Read-only fields a user may echo back from `get -o yaml`; the hub ignores them on write.
    uid: z.string().optional(),
    generation: z.number().int().optional(),
    creationTimestamp: z.string().optional(),
    deletionTimestamp: z.string().optional(),
    finalizers: z.array(z.string()).optional(),
    namespace: z.string().optional(),
  })
  .strict();

/** Object metadata as stored and returned by the hub. */
export const ObjectMetaSchema = z.object({
  name: NameSchema,
  /** For namespaced kinds (Work), the cluster the object belongs to. */
  namespace: z.string().optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
  uid: z.string(),
  resourceVersion: z.string(),
  generation: z.number().int(),
  creationTimestamp: z.string(),
  deletionTimestamp: z.string().optional(),
  finalizers: z.array(z.string()).optional(),
});
export type ObjectMeta = z.infer<typeof ObjectMetaSchema>;

export const ConditionStatusSchema = z.enum(['True', 'False', 'Unknown']);
export type ConditionStatus = z.infer<typeof ConditionStatusSchema>;

/** A status condition, following the Kubernetes conventions. */
export const ConditionSchema = z.object({
  type: z.string(),
  status: ConditionStatusSchema,
  reason: z.string(),
  message: z.string(),
  lastTransitionTime: z.string(),
  observedGeneration: z.number().int().optional(),
});
export type Condition = z.infer<typeof ConditionSchema>;

/** Any stored resource: the common envelope. */
export interface Resource<Spec = unknown, Status = unknown> {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec: Spec;
  status?: Status;
}

/**
 * Sets a condition, keeping lastTransitionTime when the status does not change.
 * Returns a new array; the input is not modified.
 */
export function setCondition(conditions: Condition[] | undefined, next: Omit<Condition, 'lastTransitionTime'>, now: string): Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === next.type);
  if (i < 0) {
    list.push({ ...next, lastTransitionTime: now });
  } else {
    const prev = list[i];
    list[i] = { ...next, lastTransitionTime: prev.status === next.status ? prev.lastTransitionTime : now };
  }
  return list;
}

/** Finds a condition by type. */
export function getCondition(conditions: Condition[] | undefined, type: string): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}
