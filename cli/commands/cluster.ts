import { open } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { findKind } from '../../shared/resources/kinds.js';
import { API_VERSION, type Resource } from '../../shared/resources/meta.js';
import { checkName, collect, parseLabelFlags } from '../args.js';
import type { CliContext } from '../context.js';
import { AuthMissingError, exitCodeFor, HubUnreachableError, UsageError } from '../errors.js';
import { parseDurationSeconds } from '../../shared/duration.js';
import { formatOne, kindRef, parseOutputFormat, type OutputFormat } from '../output/print.js';

/**
 * `tether cluster create|import|accept|deny|detach|upgrade NAME`: the cluster lifecycle verbs.
 * Each prints a kubectl-style line (`cluster/store-0001 accepted`), or the cluster with `-o json|yaml`.
 */

const OBJECT_FORMATS: readonly OutputFormat[] = ['json', 'yaml', 'name'];

/** Registers the `cluster` command group. */
export function registerClusterCommands(program: Command, ctx: CliContext): void {
  const cluster = program
    .command('cluster')
    .description('register, import, accept, deny, detach and upgrade clusters')
    .addHelpText(
      'after',
      `
Lifecycle: create (or import) a cluster, install the agent on it, accept it, and it joins.

Examples:
  tether cluster create store-0001 --label tier=store --label region=us-east
  tether cluster import store-0002 --auto-accept -f store-0002-import.yaml
  tether cluster accept store-0001
  tether cluster upgrade store-0001 --version 0.2.0
  tether cluster detach store-0001`,
    );

  const printed = (cmd: Command, object: Resource, verb: string) => {
    const format = cmd.opts().output as string | undefined;
    if (format) ctx.out(formatOne(object, parseOutputFormat(format, OBJECT_FORMATS), { now: ctx.io.now(), paint: ctx.paint(cmd) }));
    else ctx.out(`${kindRef('cluster', object.metadata.name)} ${verb}\n`);
  };
  const outputOption = () => new Option('-o, --output <format>', 'print the cluster instead of a message').choices(OBJECT_FORMATS);

  cluster
    .command('create')
    .description('register a cluster by name (the agent joins it later with a bootstrap token from "cluster import")')
    .argument('<name>', 'cluster name (DNS-1123 label)')
    .option('--label <key=value>', 'a label; repeatable', collect)
    .addOption(outputOption())
    .addHelpText(
      'after',
      '\nExamples:\n  tether cluster create store-0001\n  tether cluster create store-0001 --label tier=store --label region=us-east -o yaml',
    )
    .action(async (name: string, opts: { label?: string[]; output?: string }, cmd: Command) => {
      checkName(name, 'cluster name');
      const labels = parseLabelFlags(opts.label);
      if (opts.output) parseOutputFormat(opts.output, OBJECT_FORMATS);
      const info = findKind('Cluster');
      if (!info) throw new UsageError('this build of tether does not know the Cluster kind');
      const client = await ctx.client(cmd);
      const created = await client.create(info, {
        apiVersion: API_VERSION,
        kind: 'Cluster',
        metadata: { name, ...(labels ? { labels } : {}) },
        spec: {},
      });
      printed(cmd, created, 'created');
    });

  cluster
    .command('import')
    .description(
      'prepare a cluster to join: mints a bootstrap token and writes the agent manifest to a file (-f), prints it (--manifest-only) or prints a one-line install command',
    )
    .argument('<name>', 'cluster name (created if it does not exist)')
    .option('--auto-accept', 'accept the cluster as soon as its agent joins')
    .option('--ttl <duration>', 'how long the bootstrap token stays valid, e.g. 24h, 90m, 1h30m', '24h')
    .option('--label <key=value>', 'a label for the cluster; repeatable', collect)
    .option('-f, --filename <path>', 'write the manifest to this file (mode 0600: it holds the bootstrap token)')
    .option('--manifest-only', 'print only the manifest YAML to stdout (for piping into kubectl apply -f -)')
    .addHelpText(
      'after',
      `
The manifest holds a single-use bootstrap token; keep it private. With -f the token is written
only to the file (mode 0600) and never printed; without -f or --manifest-only the one-line install
command printed holds it.

Examples:
  tether cluster import store-0002 -f store-0002.yaml      # then: kubectl apply -f store-0002.yaml
  tether cluster import store-0002 --manifest-only | kubectl --context store-0002 apply -f -
  tether cluster import store-0003 --auto-accept --ttl 2h --label tier=store`,
    )
    .action(async (name: string, opts: ImportOptions, cmd: Command) => {
      checkName(name, 'cluster name');
      const labels = parseLabelFlags(opts.label);
      const ttlSeconds = parseDurationSeconds(opts.ttl);
      if (ttlSeconds === undefined || ttlSeconds <= 0)
        throw new UsageError(`invalid --ttl "${opts.ttl}": expected a duration like 24h, 90m or 1h30m`);
      if (opts.filename && opts.manifestOnly) throw new UsageError('--filename and --manifest-only cannot be combined');
      const client = await ctx.client(cmd);
      const answer = await client.importCluster(name, {
        ...(labels ? { labels } : {}),
        ...(opts.autoAccept ? { autoAccept: true } : {}),
        ttlSeconds,
      });
      const manifest = answer.manifest.endsWith('\n') ? answer.manifest : `${answer.manifest}\n`;
      if (opts.manifestOnly) {
        ctx.out(manifest);
        return;
      }
      const lines = [`${kindRef('cluster', name)} ready to join; the bootstrap token expires at ${answer.bootstrapTokenExpiresAt}`];
      if (opts.filename) {
        // The one-line command carries the token; with a file it stays out of scrollback and CI logs.
        const path = await writePrivateFile(resolve(ctx.io.cwd, opts.filename), manifest);
        lines.push(`Manifest written to ${path} (mode 0600: it holds the bootstrap token)`);
        lines.push('Apply it on the cluster:');
        lines.push(`  kubectl apply -f ${opts.filename}`);
      } else {
        lines.push('Run this on a machine that can reach the cluster (it holds the bootstrap token; -f FILE keeps it off the terminal):');
        lines.push(`  ${answer.command}`);
      }
      if (!opts.autoAccept) lines.push(`Then accept it: tether cluster accept ${name}`);
      ctx.out(`${lines.join('\n')}\n`);
    });

  /** Runs `act` for each name, going on past failures (reported; the exit code is the first failure's), as `delete` does. */
  const eachName = async (cmd: Command, names: string[], act: (name: string) => Promise<void>) => {
    for (const name of names) {
      try {
        await act(name);
      } catch (err) {
        // Without a hub or a token every further name would fail the same way.
        if (err instanceof HubUnreachableError || err instanceof AuthMissingError || names.length === 1) throw err;
        ctx.report(cmd, err);
        ctx.fail(exitCodeFor(err));
      }
    }
  };

  cluster
    .command('accept')
    .description('accept clusters: their agents may join (sets spec.hubAcceptsClient)')
    .argument('<name...>', 'one or more cluster names')
    .addOption(outputOption())
    .addHelpText(
      'after',
      '\nEach name is done in turn; a failure is reported and the rest still go ahead (exit code of the first failure).\n\nExamples:\n  tether cluster accept store-0001\n  tether cluster accept store-0001 store-0002',
    )
    .action(async (names: string[], _opts: unknown, cmd: Command) => {
      names.forEach((n) => checkName(n, 'cluster name'));
      const client = await ctx.client(cmd);
      await eachName(cmd, names, async (name) => printed(cmd, await client.acceptCluster(name), 'accepted'));
    });

  cluster
    .command('deny')
    .description('deny clusters: their agents may not join, and any credential they have is revoked')
    .argument('<name...>', 'one or more cluster names')
    .addOption(outputOption())
    .addHelpText(
      'after',
      '\nEach name is done in turn; a failure is reported and the rest still go ahead (exit code of the first failure).\n\nExamples:\n  tether cluster deny store-0001\n  tether cluster deny store-0001 store-0002',
    )
    .action(async (names: string[], _opts: unknown, cmd: Command) => {
      names.forEach((n) => checkName(n, 'cluster name'));
      const client = await ctx.client(cmd);
      await eachName(cmd, names, async (name) => printed(cmd, await client.denyCluster(name), 'denied'));
    });

  cluster
    .command('detach')
    .description('detach a cluster: the agent removes what the hub applied, then leaves')
    .argument('<name>', 'cluster name')
    .option('--force', 'do not wait for the agent to clean up (for clusters that are gone for good)')
    .addOption(outputOption())
    .addHelpText('after', '\nExamples:\n  tether cluster detach store-0001\n  tether cluster detach store-0001 --force')
    .action(async (name: string, opts: { force?: boolean; output?: string }, cmd: Command) => {
      checkName(name, 'cluster name');
      const client = await ctx.client(cmd);
      const answer = await client.detachCluster(name, Boolean(opts.force));
      if (opts.output) printed(cmd, answer.cluster, 'detaching');
      else ctx.out(`${kindRef('cluster', name)} detaching: ${answer.message}\n`);
    });

  cluster
    .command('upgrade')
    .description("set the cluster's desired agent version; the agent upgrades itself")
    .argument('<name>', 'cluster name')
    .requiredOption('--version <version>', 'desired agent version, e.g. 0.2.0')
    .addOption(outputOption())
    .addHelpText('after', '\nExamples:\n  tether cluster upgrade store-0001 --version 0.2.0')
    .action(async (name: string, opts: { version: string }, cmd: Command) => {
      checkName(name, 'cluster name');
      if (opts.version.trim() === '') throw new UsageError('--version must not be empty');
      const client = await ctx.client(cmd);
      printed(cmd, await client.upgradeCluster(name, opts.version.trim()), `agent upgrade to ${opts.version.trim()} requested`);
    });
}

interface ImportOptions {
  autoAccept?: boolean;
  ttl: string;
  label?: string[];
  filename?: string;
  manifestOnly?: boolean;
}

/** Writes a file that holds a secret: created 0600, and tightened to 0600 if it already existed. */
async function writePrivateFile(path: string, text: string): Promise<string> {
  const handle = await open(path, 'w', 0o600);
  try {
    await handle.chmod(0o600);
    await handle.writeFile(text, 'utf8');
  } finally {
    await handle.close();
  }
  return path;
}
