import { z } from 'zod';
import { BuiltInRoles, RoleRuleSchema } from '../tenancy.js';
import { AGE_COLUMN, defineKind, LABELS_COLUMN } from './define-kind.js';
import { NameSchema } from './meta.js';

/**
 * Role and RoleBinding: authorization as data (after Kubernetes RBAC and Argo CD's policies).
 * A Role lists rules (verbs × kinds, allow or deny); a RoleBinding ties users, groups or API tokens
 * to a role (built-in or custom) and to the cluster sets it applies in. Cluster-scoped, written by
 * admins only; docs/tenancy.md explains the model. The decision engine is lambdas/core/authz/.
 */

export const RoleSpecSchema = z
  .object({
    rules: z.array(RoleRuleSchema).min(1).max(100).describe('Verbs × kinds this role allows or denies; deny rules win.'),
  })
  .strict();
export type RoleSpec = z.infer<typeof RoleSpecSchema>;

/** The Role kind (custom roles; the built-in ones are not stored). */
export const roleKind = defineKind({
  kind: 'Role',
  plural: 'roles',
  singular: 'role',
  shortNames: [],
  namespaced: false,
  spec: RoleSpecSchema,
  status: z.object({}).passthrough(),
  description: `A custom role: rules of verbs × kinds, allow or deny (deny wins). Built-in roles (${BuiltInRoles.join(', ')}) are not stored.`,
  printerColumns: [{ name: 'RULES', jsonPath: '.spec.rules', type: 'count' }, AGE_COLUMN, LABELS_COLUMN],
});

export const SubjectKinds = ['User', 'Group', 'Token'] as const;

export const SubjectSchema = z
  .object({
    kind: z.enum(SubjectKinds),
    /** A user name (OIDC username claim), a group (OIDC groups claim) or an API token's name. */
    name: z.string().min(1).max(256),
  })
  .strict();
export type Subject = z.infer<typeof SubjectSchema>;

export const RoleBindingSpecSchema = z
  .object({
    subjects: z.array(SubjectSchema).min(1).max(100).describe('Who is bound: users, groups (OIDC) and API tokens.'),
    roleRef: z.object({ name: NameSchema }).strict().describe('The role: a built-in role (admin, operator, viewer, auditor) or a Role.'),
    clusterSets: z
      .array(NameSchema)
      .max(100)
      .default([])
      .describe('The cluster sets the role applies in; empty: every cluster (unscoped).'),
  })
  .strict();
export type RoleBindingSpec = z.infer<typeof RoleBindingSpecSchema>;

/** The RoleBinding kind. */
export const roleBindingKind = defineKind({
  kind: 'RoleBinding',
  plural: 'rolebindings',
  singular: 'rolebinding',
  shortNames: ['rb'],
  namespaced: false,
  spec: RoleBindingSpecSchema,
  status: z.object({}).passthrough(),
  description: 'Binds users, groups or API tokens to a role within cluster sets (empty: unscoped).',
  printerColumns: [
    { name: 'ROLE', jsonPath: '.spec.roleRef.name', type: 'string' },
    { name: 'SETS', jsonPath: '.spec.clusterSets', type: 'list', default: '<all clusters>' },
    { name: 'SUBJECTS', jsonPath: '.spec.subjects', type: 'count' },
    AGE_COLUMN,
  ],
});
