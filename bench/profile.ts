/**
 * Summarises a V8 CPU profile (what `node --cpu-prof` writes, or the inspector's Profiler.stop
 * returns) by who spent the time: Tether's own code, the embedded stand-ins (dynalite, the SQS
 * emulator), the AWS SDK, the Lambda glue, or Node itself. Pure.
 *
 * A sample is charged to the first frame, walking up from the leaf, whose script belongs to a known
 * group, so time spent in Node internals (JSON, crypto, streams) on behalf of dynalite counts as
 * dynalite's, not as "Node".
 */

/** The parts of a .cpuprofile this needs. */
export interface CpuProfile {
  nodes: Array<{ id: number; callFrame: { functionName: string; url: string }; hitCount?: number; children?: number[] }>;
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

/** Who a sample is charged to. */
export type ProfileGroup =
  'tether' | 'local runtime' | 'dynalite' | 'sqs emulator' | 'aws sdk' | 'lambda glue' | 'other deps' | 'node' | 'gc' | 'idle';

/** Group rules by script URL; the first match wins. Checked from the leaf frame upwards. */
const RULES: Array<[ProfileGroup, RegExp]> = [
  [
    'dynalite',
    /node_modules\/(dynalite|level|leveldown|classic-level|abstract-level|memdown|encoding-down|levelup|deferred-leveldown|subleveldown|lazy|big\.js|buffer-crc32)\//,
  ],
  ['sqs emulator', /node_modules\/(fauxqs|toad-cache|local-aws-sqs)\/|lambdas\/local\/sqs-embedded/],
  ['aws sdk', /node_modules\/(@aws-sdk|@smithy|@aws-crypto|fast-xml-parser|strnum|tslib|bowser|uuid)\//],
  ['lambda glue', /node_modules\/(@middy|@aws-lambda-powertools|aws-xray-sdk|cls-hooked|async-hook-jl)/],
  ['local runtime', /\/lambdas\/local\//],
  ['tether', /^(?!.*node_modules).*\/(lambdas|shared|agent|bench|cli)\//],
  ['other deps', /node_modules\//],
];

/** Which group a script URL belongs to, or undefined for Node internals and unknown scripts. */
export function groupOf(url: string): ProfileGroup | undefined {
  if (!url) return undefined;
  for (const [group, re] of RULES) if (re.test(url)) return group;
  return undefined;
}

/** Time by group, in ms, and the busiest functions of Tether's own code. */
export interface ProfileSummary {
  totalMs: number;
  /** Busy time (not idle) by group, ms. */
  byGroup: Partial<Record<ProfileGroup, number>>;
  /** Tether's self time by function, ms, largest first. */
  tetherHotspots: Array<{ fn: string; ms: number }>;
}

/** Summarises a profile; see the module comment for how samples are charged. */
export function summariseProfile(profile: CpuProfile): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  const groupCache = new Map<number, ProfileGroup>();
  const charge = (id: number): ProfileGroup => {
    const cached = groupCache.get(id);
    if (cached) return cached;
    const leaf = byId.get(id)!;
    const name = leaf.callFrame.functionName;
    let group: ProfileGroup = 'node';
    if (name === '(idle)') group = 'idle';
    else if (name === '(garbage collector)') group = 'gc';
    else {
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const g = groupOf(byId.get(at)!.callFrame.url);
        if (g) {
          group = g;
          break;
        }
      }
    }
    groupCache.set(id, group);
    return group;
  };

  const byGroup: Partial<Record<ProfileGroup, number>> = {};
  const hot = new Map<string, number>();
  const addTime = (id: number, ms: number) => {
    const g = charge(id);
    byGroup[g] = (byGroup[g] ?? 0) + ms;
    const frame = byId.get(id)!.callFrame;
    if (groupOf(frame.url) === 'tether') {
      const key = `${frame.functionName || '(anonymous)'} ${frame.url.replace(/^.*\/(lambdas|shared|agent|bench|cli)\//, '$1/')}`;
      hot.set(key, (hot.get(key) ?? 0) + ms);
    }
  };

  if (profile.samples && profile.timeDeltas && profile.samples.length === profile.timeDeltas.length) {
    // Each delta is the time before its sample; charge it to that sample's node.
    profile.samples.forEach((id, i) => addTime(id, Math.max(0, profile.timeDeltas![i]) / 1000));
  } else {
    const hits = profile.nodes.reduce((n, x) => n + (x.hitCount ?? 0), 0);
    const perHit = hits ? (profile.endTime - profile.startTime) / 1000 / hits : 0;
    for (const n of profile.nodes) if (n.hitCount) addTime(n.id, n.hitCount * perHit);
  }
  const tetherHotspots = [...hot.entries()]
    .map(([fn, ms]) => ({ fn, ms }))
    .sort((a, b) => b.ms - a.ms)
    .slice(0, 8);
  return { totalMs: (profile.endTime - profile.startTime) / 1000, byGroup, tetherHotspots };
}

/** Busy shares by group (idle excluded), as fractions of busy time. */
export function busyShares(summary: ProfileSummary): Array<{ group: ProfileGroup; ms: number; share: number }> {
  const entries = Object.entries(summary.byGroup).filter(([g]) => g !== 'idle') as Array<[ProfileGroup, number]>;
  const busy = entries.reduce((n, [, ms]) => n + ms, 0);
  return entries.map(([group, ms]) => ({ group, ms, share: busy ? ms / busy : 0 })).sort((a, b) => b.ms - a.ms);
}
