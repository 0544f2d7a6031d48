import type { Command } from 'commander';
import { knownKindsText } from '../args.js';
import type { CliContext } from '../context.js';
import { explain } from '../explain.js';

/** `tether explain KIND[.field.path]`: the documentation of a kind's fields, from its schema. */
export function registerExplainCommand(program: Command, ctx: CliContext): void {
  program
    .command('explain')
    .description('describe the fields of a resource kind, or of one field path (as kubectl explain)')
    .argument('<field>', `KIND or KIND.field.path; kinds: ${knownKindsText()}`)
    .option('--recursive', 'list every field below, as a tree')
    .addHelpText(
      'after',
      `
Read from the same schemas the hub validates with, so it matches the hub you run: no hub is asked.
Each field shows its type (<string>, <[]Object>, <map[string]string>), -required- when it must be
given, and its description, allowed values, default and bounds.

Examples:
  tether explain cluster
  tether explain cluster.spec.taints
  tether explain fleetdeployment.spec.rolloutStrategy
  tether explain placement.spec --recursive`,
    )
    .action((field: string, opts: { recursive?: boolean }) => {
      ctx.out(explain(field, { recursive: Boolean(opts.recursive) }));
    });
}
