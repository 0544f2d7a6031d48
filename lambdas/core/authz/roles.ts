import { PseudoKinds, type BuiltInRole, type RoleRule } from '../../../shared/tenancy.js';

/**
 * The built-in roles as rules. Kinds are listed by name rather than `*` (admin aside), so a kind
 * added later is refused to every role but admin until a role names it: the safe default.
 */

/** Kinds a team works with: what an operator writes within its cluster sets. */
export const WORKLOAD_KINDS = ['Work', 'Placement', 'FleetDeployment', 'Policy', 'PolicySet', 'SyncRule'] as const;

/** Kinds anyone bound to a set may read within it (viewer, operator). */
export const SCOPED_READ_KINDS = [
  'Cluster',
  'ClusterSet',
  ...WORKLOAD_KINDS,
  'ClusterProfile',
  PseudoKinds.Event,
  PseudoKinds.ComplianceEvent,
] as const;

/** Kinds only admins write (and read): who may do what. */
export const ADMIN_ONLY_KINDS = ['Role', 'RoleBinding', PseudoKinds.ApiToken] as const;

/** Rules of each built-in role. */
export const BUILT_IN_ROLE_RULES: Readonly<Record<BuiltInRole, readonly RoleRule[]>> = Object.freeze({
  admin: [{ effect: 'allow', verbs: ['*'], kinds: ['*'] }],
  operator: [
    { effect: 'allow', verbs: ['get', 'list'], kinds: [...SCOPED_READ_KINDS] },
    { effect: 'allow', verbs: ['create', 'update', 'patch', 'delete'], kinds: [...WORKLOAD_KINDS] },
    { effect: 'allow', verbs: ['control'], kinds: ['FleetDeployment'] },
  ],
  viewer: [{ effect: 'allow', verbs: ['get', 'list'], kinds: [...SCOPED_READ_KINDS] }],
  auditor: [
    { effect: 'allow', verbs: ['get', 'list'], kinds: [...SCOPED_READ_KINDS, PseudoKinds.AuditRecord] },
    { effect: 'allow', verbs: ['export'], kinds: [PseudoKinds.ComplianceReport, PseudoKinds.AuditRecord] },
  ],
} satisfies Record<BuiltInRole, RoleRule[]>);
