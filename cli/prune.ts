import type { Command } from 'commander';
import type { KindInfo } from '../shared/resources/kinds.js';
import type { CliContext } from './context.js';
import { AuthMissingError, exitCodeFor, HubProblemError, HubUnreachableError } from './errors.js';
import type { HubClient, Scope } from './hub-client.js';
import { objectKey, type ManifestObject } from './manifest-objects.js';
import { kindRef } from './output/print.js';

/**
 * `apply --prune -l SELECTOR`: after the files are applied, deletes what the selector owns that the
 * files no longer hold, so a pipeline keeps the hub equal to a Git repository (kubectl apply --prune).
 * The candidates are the objects of the kinds the files hold (works: in the clusters the files name)
 * that match the selector; an object that is in the files is never a candidate.
 */

/** The lists to search for objects to prune: one per applied kind, and per cluster for works. */
export function pruneScopes(objects: readonly ManifestObject[]): Array<{ info: KindInfo; scope: Scope }> {
  const seen = new Map<string, { info: KindInfo; scope: Scope }>();
  for (const o of objects) seen.set(`${o.info.kind}/${o.scope.cluster ?? ''}`, { info: o.info, scope: o.scope });
  return [...seen.values()].sort(
    (a, b) => a.info.kind.localeCompare(b.info.kind) || (a.scope.cluster ?? '').localeCompare(b.scope.cluster ?? ''),
  );
}

/**
 * Lists, for each applied kind, the objects matching `selector`, and deletes (or, in a dry run,
 * only reports) those not in `objects`. Prints `cluster/store-0009 pruned`; a failure is reported
 * and the rest go on.
 */
export async function prune(
  ctx: CliContext,
  cmd: Command,
  client: HubClient,
  objects: readonly ManifestObject[],
  selector: string,
  dryRun: boolean,
): Promise<void> {
  const keep = new Set(objects.map((o) => objectKey(o.info.kind, o.name, o.scope.cluster)));
  for (const { info, scope } of pruneScopes(objects)) {
    const found = await client.listAll(info, { ...scope, labelSelector: selector });
    for (const o of found) {
      if (keep.has(objectKey(info.kind, o.metadata.name, scope.cluster))) continue;
      const ref = `${kindRef(info.kind, o.metadata.name)}${scope.cluster ? ` (cluster ${scope.cluster})` : ''}`;
      if (o.metadata.deletionTimestamp) continue; // already on its way out
      if (dryRun) {
        ctx.out(`${ref} pruned (dry run)\n`);
        continue;
      }
      try {
        const result = await client.delete(info, o.metadata.name, scope);
        ctx.out(`${ref} pruned${result.status === 202 ? ' (finalizers running)' : ''}\n`);
      } catch (err) {
        if (err instanceof HubUnreachableError || err instanceof AuthMissingError) throw err;
        if (err instanceof HubProblemError && err.status === 404) continue; // gone meanwhile: what prune wanted
        ctx.report(cmd, err, `pruning ${ref}: `);
        ctx.fail(exitCodeFor(err));
      }
    }
  }
}
