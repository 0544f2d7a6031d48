import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { processIO, type CliIO } from '../io.js';
import { UsageError } from '../errors.js';

function port(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError('must be a port number from 0 to 65535');
  return Number(value);
}

function count(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 100_000) throw new InvalidArgumentError('must be a whole number from 0 to 100000');
  return Number(value);
}

function url(value: string): string {
  try {
    new URL(value);
  } catch {
    throw new InvalidArgumentError(`"${value}" is not a URL (e.g. http://127.0.0.1:8000)`);
  }
  return value;
}

/**
 * What the start banner says about the demo fleet: what this start created, what it found and left
 * as it was (a restart never undoes the user's changes), and which clusters got no agent.
 */
export function demoLines(
  requested: number | undefined,
  objects: { created: number; existing: number } | undefined,
  agents: { count: number; skipped: string[] } | undefined,
): string[] {
  if (!requested || !objects) return [];
  const objectsWord = (n: number) => `${n} object${n === 1 ? '' : 's'}`;
  const made =
    objects.existing === 0
      ? 'created'
      : objects.created === 0
        ? 'kept as they were'
        : `${objectsWord(objects.created)} created, ${objectsWord(objects.existing)} kept as they were`;
  const lines = [`  Demo fleet:   ${requested} store clusters and 2 cluster sets (${made}); ${agents?.count ?? 0} simulated agents`];
  if (agents?.skipped.length) lines.push(`                no agent for ${agents.skipped.join(', ')} (denied, detached or being deleted)`);
  return lines;
}

/**
 * `tether dev`: the local hub in one process (admin and agent APIs, worker, scheduler, embedded
 * DynamoDB and SQS), the command behind `npm start`.
 */
export function registerDevCommand(program: Command, io: CliIO = processIO()): void {
  program
    .command('dev')
    .description('Run the local hub: APIs, worker, scheduler and embedded DynamoDB/SQS on 127.0.0.1')
    .option('--port <n>', 'HTTP port (0 picks a free one)', port, 8080)
    .option('--host <addr>', 'listen address; anything but 127.0.0.1 exposes the hub to your network', '127.0.0.1')
    .option('--data <dir>', 'data directory (DynamoDB files, admin token, audit log)', '.tether')
    .option('--demo <n>', 'create a demo fleet of N clusters', count)
    .option('--dynamodb-endpoint <url>', 'use this DynamoDB endpoint instead of the embedded dynalite', url)
    .option('--sqs-endpoint <url>', 'use this SQS endpoint instead of the embedded emulator', url)
    .option('--aws', 'use real AWS DynamoDB and SQS (credentials and region from the environment)')
    .option('--log-level <level>', 'hub log level: DEBUG, INFO, WARN, ERROR', 'WARN')
    .option('--oidc-issuer <url>', 'accept ID tokens of this OIDC issuer (single sign-on; see docs/tenancy.md)')
    .option('--oidc-client-id <id>', 'the public client id the CLI and console sign in with (the audience the hub requires)')
    .option('--oidc-username-claim <claim>', 'claim that names the user (default email, then sub)')
    .option('--oidc-groups-claim <claim>', 'claim that lists the groups (default groups)')
    .addHelpText(
      'after',
      `
Examples:
  tether dev                          # hub on http://127.0.0.1:8080, data in .tether/
  tether dev --port 9090 --demo 20    # with 20 demo clusters and their simulated agents
  tether dev --dynamodb-endpoint http://127.0.0.1:8000   # against AWS's DynamoDB Local
  tether dev --oidc-issuer http://127.0.0.1:5556/dex --oidc-client-id tether   # single sign-on through a local Dex
  npm start -- --port 9090 --data /tmp/tether`,
    )
    .action(async (opts) => {
      process.env.POWERTOOLS_LOG_LEVEL ??= String(opts.logLevel).toUpperCase();
      process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';
      process.env.POWERTOOLS_SERVICE_NAME ??= 'tether-local';
      const dynamodbEndpoint = opts.dynamodbEndpoint ?? io.env.TETHER_DYNAMODB_ENDPOINT;
      const sqsEndpoint = opts.sqsEndpoint ?? io.env.TETHER_SQS_ENDPOINT;
      const oidc = await oidcOption(opts, io);
      const started = Date.now();
      // Imported here so that other commands do not pay for the hub's start-up.
      const { startLocalHub } = await import('../../lambdas/local/local-hub.js');
      const hub = await startLocalHub({
        port: opts.port,
        host: opts.host,
        dataDir: opts.data,
        demo: opts.demo,
        dynamodbEndpoint,
        sqsEndpoint,
        aws: Boolean(opts.aws),
        ...(oidc ? { config: { oidc } } : {}),
      });
      let demoAgents: { count: number; skipped: string[]; stop(): Promise<void> } | undefined;
      if (opts.demo) {
        const { demoClusterNames } = await import('../../lambdas/local/demo.js');
        const { startDemoAgents } = await import('../../sim/demo-fleet.js');
        demoAgents = await startDemoAgents(hub.url, hub.adminToken, demoClusterNames(opts.demo));
      }
      const ms = Date.now() - started;
      const lines = [
        `Tether hub ready in ${ms} ms`,
        `  URL:          ${hub.url}`,
        hub.adminTokenCreated
          ? `  Admin token:  ${hub.adminToken}   (shown once; saved to ${hub.adminTokenFile}, mode 0600)`
          : `  Admin token:  in ${hub.adminTokenFile} (mode 0600)`,
        ...(oidc ? [`  Sign-in:      OIDC issuer ${oidc.issuer}, client ${oidc.clientId ?? oidc.audience}`] : []),
        `  Data:         ${hub.dataDir}${dynamodbEndpoint ? ` (DynamoDB at ${dynamodbEndpoint})` : ''}`,
        ...(opts.host !== '127.0.0.1' && opts.host !== 'localhost'
          ? [`  WARNING: listening on ${opts.host}; the hub is reachable from your network.`]
          : []),
        ...demoLines(opts.demo, hub.demo, demoAgents),
        '',
        'Next:',
        `  npx tether login --hub ${hub.url} --token "$(cat ${hub.adminTokenFile})"`,
        '  npx tether get clusters',
        '  npx tether cluster import my-cluster --auto-accept -f import.yaml',
        '',
        'Press Ctrl-C to stop.',
      ].filter((l, i, all) => l !== '' || all[i - 1] !== '');
      io.out(lines.join('\n') + '\n');
      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = () => {
          if (stopping) return;
          stopping = true;
          io.out('\nStopping: finishing queued work...\n');
          (demoAgents?.stop() ?? Promise.resolve())
            .then(() => hub.close())
            .then(() => io.out('Stopped.\n'))
            .finally(resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}

/**
 * The local hub's OIDC settings: the --oidc-* flags, else the TETHER_OIDC_* variables the deployed
 * hub reads; none of either is single sign-on off.
 */
async function oidcOption(
  opts: { oidcIssuer?: string; oidcClientId?: string; oidcUsernameClaim?: string; oidcGroupsClaim?: string },
  io: CliIO,
) {
  const { oidcSettings, oidcSettingsFromEnv } = await import('../../lambdas/core/identity/oidc.js');
  if (!opts.oidcIssuer) {
    if (opts.oidcClientId) throw new UsageError('--oidc-client-id needs --oidc-issuer');
    return oidcSettingsFromEnv(io.env);
  }
  if (!opts.oidcClientId) throw new UsageError('--oidc-issuer needs --oidc-client-id (the client the CLI and console sign in with)');
  try {
    return oidcSettings({
      issuer: opts.oidcIssuer,
      clientId: opts.oidcClientId,
      ...(opts.oidcUsernameClaim ? { usernameClaim: opts.oidcUsernameClaim } : {}),
      ...(opts.oidcGroupsClaim ? { groupsClaim: opts.oidcGroupsClaim } : {}),
    });
  } catch (err) {
    throw new UsageError(`--oidc-issuer: ${(err as Error).message}`);
  }
}
