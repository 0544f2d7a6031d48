import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';
import { parseDuration } from '../duration.js';
import { labelKeyProblem, LabelSelectorSchema } from '../labels.js';
import { AGE_COLUMN, defineKind, LABELS_COLUMN } from './define-kind.js';
import { ConditionSchema, NameSchema } from './meta.js';
import { WorkSpecSchema } from './work.js';

/**
 * FleetDeployment: a Work template rolled out to the clusters a Placement chooses, with
 * per-cluster templating, overrides by label selector, a progressive rollout strategy and
 * maintenance windows in each cluster's local time. The hub side lives in lambdas/capabilities/rollouts/.
 */

/** Label every Work written by a FleetDeployment carries: `tether.dev/fleetdeployment=<name>`. */
export const FLEETDEPLOYMENT_LABEL = 'tether.dev/fleetdeployment';
/** Annotation of such a Work: the FleetDeployment revision number it renders. */
export const REVISION_ANNOTATION = 'tether.dev/revision';
/** Annotation of such a Work: the content hash of that revision (template and overrides). */
export const REVISION_HASH_ANNOTATION = 'tether.dev/revision-hash';
/** The conventional cluster label that holds a cluster's time zone (see {@link zoneFromLabel}). */
export const TIMEZONE_LABEL = 'tether.dev/timezone';

export const RolloutTypes = ['All', 'Progressive', 'ProgressivePerGroup'] as const;
export type RolloutType = (typeof RolloutTypes)[number];

/**
 * Resolves a count given as a whole number or a percentage of `total` (`"10%"`).
 * Percentages round down unless `roundUp` (concurrency rounds up so that 1% of 50 is still 1).
 */
export function resolveCount(value: number | string, total: number, roundUp = false): number {
  if (typeof value === 'number') return value;
  const pct = Number(value.trim().slice(0, -1));
  const exact = (total * pct) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

const PERCENT = /^(\d{1,3})%$/;

/** Why a count-or-percentage is invalid, or undefined. `min` is the smallest allowed number. */
function countProblem(value: unknown, min: number): string | undefined {
  if (typeof value === 'number') {
    if (!Number.isInteger(value)) return `must be a whole number, got ${value}`;
    if (value < min) return `must be at least ${min}, got ${value}`;
    return undefined;
  }
  if (typeof value === 'string') {
    const m = PERCENT.exec(value.trim());
    if (!m) return `must be a whole number or a percentage such as "25%", got "${value}"`;
    const pct = Number(m[1]);
    if (pct > 100) return `percentage must be between ${min === 0 ? 0 : 1}% and 100%, got ${value}`;
    if (pct < min) return `percentage must be at least ${min}%, got ${value}`;
    return undefined;
  }
  return 'must be a whole number or a percentage string such as "25%"';
}

function countSchema(min: number) {
  return z
    .union([z.number(), z.string()], { error: 'must be a whole number or a percentage string such as "25%"' })
    .superRefine((v, ctx) => {
      const p = countProblem(v, min);
      if (p) ctx.addIssue({ code: 'custom', message: p });
    });
}

function durationSchema(opts: { allowNone?: boolean; positive?: boolean } = {}) {
  const hint = `a duration such as "30s", "5m" or "1h30m"${opts.allowNone ? ', or "None"' : ''}`;
  return z.string({ error: `must be ${hint}` }).superRefine((v, ctx) => {
    if (opts.allowNone && v === 'None') return;
    const ms = parseDuration(v);
    if (ms === undefined) ctx.addIssue({ code: 'custom', message: `must be ${hint}, got "${v}"` });
    else if (opts.positive && ms <= 0) ctx.addIssue({ code: 'custom', message: `must be longer than 0, got "${v}"` });
  });
}

/**
 * Why a time zone name is not usable, or undefined. Any zone the runtime's Intl knows is accepted
 * (IANA names such as `Europe/Berlin`, and `UTC`).
 */
export function timeZoneProblem(zone: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return undefined;
  } catch {
    return `unknown time zone "${zone}"; use an IANA name such as "America/New_York", "Europe/Berlin" or "UTC"`;
  }
}

/**
 * The time zone held in a cluster label. Label values cannot contain `/`, so zones are written
 * with `.` in its place (`America.New_York`); a value that is already a zone (`UTC`) works too.
 * @returns the IANA name, or undefined when the value is not a known zone.
 */
export function zoneFromLabel(value: string | undefined): string | undefined {
  if (!value) return undefined;
  for (const candidate of [value, value.replace(/\./g, '/')]) {
    if (!timeZoneProblem(candidate)) return candidate;
  }
  return undefined;
}

/**
 * Why a maintenance-window schedule is not usable, or undefined. Schedules are standard 5-field
 * cron (minute hour day-of-month month day-of-week) or an `@daily`-style alias. The `H` (random)
 * field of cron-parser is refused: a window must open at the same time every time it is evaluated.
 */
export function cronProblem(schedule: string): string | undefined {
  const s = schedule.trim();
  const fields = s.split(/\s+/);
  if (!s.startsWith('@') && fields.length !== 5) {
    return `invalid cron expression "${schedule}": expected 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`;
  }
  if (/(^|[\s,/(])H/.test(s)) return `invalid cron expression "${schedule}": the random "H" field is not allowed in a maintenance window`;
  try {
    CronExpressionParser.parse(s, { currentDate: new Date(0), tz: 'UTC' }).next();
    return undefined;
  } catch (err) {
    return `invalid cron expression "${schedule}": ${(err as Error).message}`;
  }
}

export const MaintenanceWindowSchema = z
  .object({
    /** When the window opens: 5-field cron in the window's time zone, e.g. `0 2 * * *`. */
    schedule: z.string({ error: 'schedule (a cron expression) is required' }).superRefine((v, ctx) => {
      const p = cronProblem(v);
      if (p) ctx.addIssue({ code: 'custom', message: p });
    }),
    /** How long the window stays open after each start (elapsed time, e.g. `2h`). */
    duration: durationSchema({ positive: true }),
    /** IANA time zone of the schedule; the fallback when `timeZoneLabel` is set but missing. */
    timeZone: z
      .string()
      .superRefine((v, ctx) => {
        const p = timeZoneProblem(v);
        if (p) ctx.addIssue({ code: 'custom', message: p });
      })
      .optional(),
    /** Cluster label holding the cluster's own zone (e.g. `tether.dev/timezone=America.New_York`). */
    timeZoneLabel: z
      .string()
      .superRefine((v, ctx) => {
        const p = labelKeyProblem(v);
        if (p) ctx.addIssue({ code: 'custom', message: `timeZoneLabel: ${p}` });
      })
      .optional(),
  })
  .strict();
export type MaintenanceWindow = z.infer<typeof MaintenanceWindowSchema>;

/** Which manifests of the template an override touches; every field that is set must match. */
export const ManifestSelectorSchema = z
  .object({ apiVersion: z.string().optional(), kind: z.string().optional(), name: z.string().optional(), namespace: z.string().optional() })
  .strict();
export type ManifestSelector = z.infer<typeof ManifestSelectorSchema>;

export const OverrideSchema = z
  .object({
    /** A name for messages; defaults to the override's index. */
    name: z.string().optional(),
    /** Clusters the override applies to; absent or empty selects every cluster. */
    clusterSelector: LabelSelectorSchema.optional(),
    /** Manifests it applies to; absent selects every manifest. */
    manifestSelector: ManifestSelectorSchema.optional(),
    /** A JSON merge patch (RFC 7396) applied to each selected manifest; may hold template references. */
    patch: z.record(z.string(), z.unknown()).optional(),
    /** Rewrites the registry of container images: `from` (default: any registry) becomes `to`. */
    imageRegistry: z
      .object({ from: z.string().min(1).optional(), to: z.string().min(1, 'imageRegistry.to must name a registry') })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (!o.patch && !o.imageRegistry)
      ctx.addIssue({ code: 'custom', message: 'an override needs a patch, an imageRegistry rewrite, or both' });
  });
export type Override = z.infer<typeof OverrideSchema>;

export const RolloutStrategySchema = z
  .object({
    type: z
      .enum(RolloutTypes, { error: `rolloutStrategy.type must be one of ${RolloutTypes.join(', ')}` })
      .default('All')
      .describe(
        'All: every cluster at once; Progressive: maxConcurrency clusters at a time; ProgressivePerGroup: one decision group after another.',
      ),
    /** Clusters updating at once (Progressive; caps each group for ProgressivePerGroup). Default 25%. */
    maxConcurrency: countSchema(1)
      .optional()
      .describe('Clusters updating at once, a number or a percentage (Progressive; caps each group for ProgressivePerGroup). Default 25%.'),
    /** How long a cluster must stay Available before it counts as succeeded. Default 0. */
    minSuccessTime: durationSchema()
      .default('0s')
      .describe('How long a cluster must stay Available before it counts as succeeded, e.g. 5m.'),
    /** How long a cluster may take to succeed before it counts as failed, or `None`. Default None. */
    progressDeadline: durationSchema({ allowNone: true })
      .default('None')
      .describe('How long a cluster may take to succeed before it counts as failed, e.g. 30m, or None.'),
    /** Failed clusters tolerated before the rollout pauses; a number or a percentage. Default 0. */
    maxFailures: countSchema(0).default(0).describe('Failed clusters tolerated before the rollout pauses: a number or a percentage.'),
    /** Decision groups rolled out first, in this order, each fully successful before the rest. */
    mandatoryDecisionGroups: z
      .array(z.object({ groupName: z.string().min(1) }).strict())
      .default([])
      .describe('Decision groups rolled out first, in this order, each fully successful before the rest (canaries).'),
    /** Pause between two waves, protecting registries from a whole fleet pulling at once. Default 0. */
    waveDelay: durationSchema().default('0s').describe('Pause between two waves, so a whole fleet does not pull images at once.'),
  })
  .strict();
export type RolloutStrategy = z.infer<typeof RolloutStrategySchema>;

export const FleetDeploymentSpecSchema = z
  .object({
    /** The Work spec rendered for each cluster (`{{ .cluster.name }}` and friends are expanded). */
    template: WorkSpecSchema.describe(
      'The Work spec rendered for each cluster; {{ .cluster.name }}, {{ .cluster.labels.x }} and friends are expanded per cluster. Each change makes a new revision.',
    ),
    placementRef: z
      .object({ name: NameSchema }, { error: 'placementRef.name (the Placement to follow) is required' })
      .strict()
      .describe('The Placement whose decisions say which clusters get the Work.'),
    overrides: z
      .array(OverrideSchema)
      .max(100)
      .default([])
      .describe(
        'Per-cluster changes to the rendered manifests: a merge patch or an image registry rewrite, for the clusters a selector matches.',
      ),
    rolloutStrategy: RolloutStrategySchema.prefault({}).describe('How fast the fleet moves to a new revision.'),
    maintenanceWindows: z
      .array(MaintenanceWindowSchema)
      .max(20)
      .default([])
      .describe('When clusters may be updated (cron schedule, duration, time zone); none means at any time.'),
    /** Stops new waves; what is applied stays. */
    paused: z.boolean().optional().describe('Stops new waves; what is applied stays (tether rollout pause|resume).'),
  })
  .strict();
export type FleetDeploymentSpec = z.infer<typeof FleetDeploymentSpecSchema>;

/**
 * Rollout states shown in `status.state` and the STATE column (Pending: the placement has chosen no
 * clusters yet). Both complete states are final: every cluster was processed. `CompleteWithFailures`
 * says that some of them failed (within `maxFailures`) or could not be rendered, so a CI gate that
 * waits for `Complete` does not pass a rollout that left clusters behind.
 */
export const RolloutStates = [
  'Pending',
  'Progressing',
  'WaitingForWindow',
  'Paused',
  'Aborted',
  'Failed',
  'Complete',
  'CompleteWithFailures',
] as const;
export type RolloutState = (typeof RolloutStates)[number];

export const RolloutSummarySchema = z.object({
  total: z.number().int(),
  /** Clusters whose Work carries the current revision and whose agent is online. */
  updated: z.number().int(),
  applied: z.number().int(),
  available: z.number().int(),
  degraded: z.number().int(),
  failed: z.number().int(),
  /** Clusters that still need the revision but are outside their maintenance window. */
  pendingWindow: z.number().int(),
  /** Clusters whose template could not be rendered (listed in `clusters`). */
  templateErrors: z.number().int().default(0),
});
export type RolloutSummary = z.infer<typeof RolloutSummarySchema>;

export const GroupStatusSchema = z.object({
  name: z.string(),
  total: z.number().int(),
  updated: z.number().int(),
  available: z.number().int(),
  failed: z.number().int(),
  /** Pending, Progressing, Succeeded, Failed or WaitingForWindow. */
  state: z.string(),
  mandatory: z.boolean().optional(),
});
export type GroupStatus = z.infer<typeof GroupStatusSchema>;

/** One cluster that needs attention: a template error, a failure, a missing time zone. */
export const ClusterProblemSchema = z.object({ cluster: z.string(), reason: z.string(), message: z.string() });
export type ClusterProblem = z.infer<typeof ClusterProblemSchema>;

/** Rollout controls set through the API (pause/resume/abort/rollback/override-window), not by the controller. */
export const RolloutControlSchema = z.object({
  resumedAt: z.string().optional(),
  acknowledgedFailures: z.object({ revision: z.number().int(), count: z.number().int() }).optional(),
  abortedRevision: z.number().int().optional(),
  windowOverride: z
    .object({ reason: z.string(), until: z.string().optional(), at: z.string(), revision: z.number().int(), actor: z.string().optional() })
    .optional(),
  rollbackFrom: z.object({ revision: z.number().int(), to: z.number().int(), at: z.string() }).optional(),
});
export type RolloutControl = z.infer<typeof RolloutControlSchema>;

export const FleetDeploymentStatusSchema = z.object({
  conditions: z.array(ConditionSchema).default([]),
  observedGeneration: z.number().int().optional(),
  revision: z.number().int().optional(),
  revisionHash: z.string().optional(),
  state: z.string().optional(),
  pausedReason: z.string().optional(),
  summary: RolloutSummarySchema.optional(),
  groups: z.array(GroupStatusSchema).optional(),
  /** At most {@link MAX_CLUSTER_PROBLEMS} entries; `clustersOmitted` counts the rest. */
  clusters: z.array(ClusterProblemSchema).optional(),
  clustersOmitted: z.number().int().optional(),
  waves: z.number().int().optional(),
  lastWaveTime: z.string().optional(),
  /** Latched when failures passed maxFailures; a resume after `at` releases it. */
  failurePause: z
    .object({ at: z.string(), failed: z.number().int(), revision: z.number().int(), reason: z.string(), message: z.string() })
    .optional(),
  control: RolloutControlSchema.optional(),
});
export type FleetDeploymentStatus = z.infer<typeof FleetDeploymentStatusSchema>;

/** Longest list of clusters with problems kept in status. */
export const MAX_CLUSTER_PROBLEMS = 50;

/** FleetDeployment condition types. */
export const FleetDeploymentConditions = { Progressing: 'Progressing', Paused: 'Paused', Complete: 'Complete', Failed: 'Failed' } as const;

/** The FleetDeployment kind. */
export const fleetDeploymentKind = defineKind({
  kind: 'FleetDeployment',
  plural: 'fleetdeployments',
  singular: 'fleetdeployment',
  shortNames: ['fd'],
  namespaced: false,
  spec: FleetDeploymentSpecSchema,
  status: FleetDeploymentStatusSchema,
  description:
    'A Work template rolled out progressively to the clusters a Placement chooses, with templating, overrides and maintenance windows.',
  printerColumns: [
    { name: 'PLACEMENT', jsonPath: '.spec.placementRef.name', type: 'string', priority: 1 },
    { name: 'STRATEGY', jsonPath: '.spec.rolloutStrategy.type', type: 'string', default: 'All', priority: 1 },
    { name: 'REVISION', jsonPath: '.status.revision', type: 'integer' },
    {
      name: 'UPDATED/TOTAL',
      jsonPath: '.status.summary.updated',
      of: '.status.summary.total',
      ofDefault: '0',
      type: 'ratio',
      default: '0',
    },
    { name: 'AVAILABLE', jsonPath: '.status.summary.available', type: 'integer', default: '0' },
    { name: 'FAILED', jsonPath: '.status.summary.failed', type: 'integer', default: '0', tones: { nonZero: 'bad' } },
    { name: 'PENDING-WINDOW', jsonPath: '.status.summary.pendingWindow', type: 'integer', default: '0', priority: 1 },
    {
      name: 'STATE',
      jsonPath: '.status.state',
      type: 'string',
      default: 'Pending',
      tones: { Complete: 'good', CompleteWithFailures: 'warn', Failed: 'bad', Aborted: 'bad', Paused: 'warn', WaitingForWindow: 'warn' },
    },
    AGE_COLUMN,
    LABELS_COLUMN,
  ],
});
