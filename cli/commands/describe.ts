import type { Command } from 'commander';
import { checkName, clusterFlag, knownKindsText, resolveKind, scopeFor, type ClusterFlags } from '../args.js';
import type { CliContext } from '../context.js';
import { relatedSections } from '../describe-related.js';
import { describeResource } from '../output/describe.js';

/** `tether describe <kind> <name>`: one object, laid out for a person to read. */
export function registerDescribeCommand(program: Command, ctx: CliContext): void {
  program
    .command('describe')
    .description('show one resource in detail: metadata, labels, spec, status, conditions, events and related objects')
    .argument('<kind>', `resource kind: ${knownKindsText()}`)
    .argument('<name>', 'the object to describe')
    .option('--cluster <name>', 'the cluster the object belongs to (for kinds that belong to a cluster, e.g. works)')
    .option('-n, --namespace <cluster>', 'same as --cluster (works are namespaced by their cluster)')
    .addHelpText(
      'after',
      `
Related objects cost one bounded request (at most 20 shown): a cluster's works with their recent drift
events and its compliance, a cluster set's members. A FleetDeployment shows its summary, groups and
clusters with errors. A policy shows its clusters, non-compliant first (at most 50), with each
violating object, its reason and its diff.

Examples:
  tether describe cluster store-0001
  tether describe fleetdeployment pos
  tether describe placement stores-east
  tether describe cs stores
  tether describe work nginx -n store-0001
  tether describe policy pci-network-default-deny`,
    )
    .action(async (kindText: string, name: string, opts: ClusterFlags, cmd: Command) => {
      const info = resolveKind(kindText);
      const scope = scopeFor(info, clusterFlag(opts));
      const client = await ctx.client(cmd);
      const object = await client.get(info, checkName(name), scope);
      const describeCtx = { now: ctx.io.now(), paint: ctx.paint(cmd) };
      ctx.out(describeResource(object, describeCtx, await relatedSections(client, object, describeCtx)));
    });
}
