import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { AGENT_NAMESPACE, parseImportManifest } from '../shared/agent-manifest.js';
import { TetherError, ValidationError } from '../shared/errors.js';
import { parseDocuments } from '../shared/manifests.js';
import { Agent } from './agent.js';
import type { ClusterApi } from './kube/cluster-api.js';
import type { KubeObject } from './kube/types.js';
import { isLogLevel, jsonLog, type AgentLog } from './log.js';
import { defaultHealthAddr, parseHostPort, startHealthServer, type HealthServer } from './server.js';
import { envFetch } from './transport.js';
import { agentVersion, DEFAULT_AGENT_IMAGE } from './version.js';

/**
 * The `agent` command: runs the spoke agent against a cluster (kubeconfig, in-cluster, or simulated
 * in memory). `tether agent` (cli/commands/agent.ts) and the agent bundle (agent/main.ts, the
 * container's entry point: `agent --in-cluster`) both use it.
 *
 * Command-line problems are ValidationErrors (the CLI's exit code 2); a failed `--once` is an
 * {@link AgentRunError} (exit code 1).
 */

/** What the command touches outside itself; the CLI's CliIO is one. */
export interface AgentIO {
  out: (text: string) => void;
  err: (text: string) => void;
  env: Record<string, string | undefined>;
  /** Relative paths (--from-manifest, --kubeconfig) are resolved against this. */
  cwd: string;
}

/** The agent ran but could not do what `--once` asked (or was revoked). The CLI exits with 1. */
export class AgentRunError extends TetherError {
  // 500: the agent process itself could not do its job.
  static override readonly status = 500;
  static override readonly title = 'Agent run failed';
  readonly code = 'agent-failed';
}

interface AgentFlags {
  hub?: string;
  bootstrapToken?: string;
  name?: string;
  kubeconfig?: string;
  inCluster?: boolean;
  simulate?: boolean;
  fromManifest?: string;
  seed?: string;
  healthAddr?: string;
  namespace?: string;
  once?: boolean;
  logLevel: string;
  agentVersion?: string;
  image?: string;
  pollInterval?: number;
  resync?: number;
}

function seconds(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 86_400)
    throw new InvalidArgumentError('must be whole seconds from 1 to 86400');
  return Number(value);
}

const HELP = `
Where the hub URL, cluster name and bootstrap token come from, first match wins:
  flags (--hub, --name, --bootstrap-token), then --from-manifest, then TETHER_HUB_URL,
  TETHER_CLUSTER_NAME and TETHER_BOOTSTRAP_TOKEN. Once joined, the agent keeps its credential in
  the Secret tether-agent-credential and needs no bootstrap token again.

The agent honours HTTPS_PROXY, HTTP_PROXY and NO_PROXY for the hub and the API server.
Logs are JSON lines on stdout. Health and metrics: /healthz, /readyz, /metrics on --health-addr.

Examples:
  tether agent --simulate --from-manifest import.yaml
  tether agent --hub https://hub.example.com --name store-0042 --bootstrap-token "$TOKEN" --kubeconfig ~/.kube/config
  tether agent --in-cluster                       # in the agent's pod (what the import manifest runs)
  tether agent --simulate --from-manifest import.yaml --once   # join, apply and report once, then exit
  tether agent --simulate --from-manifest import.yaml --seed objects.yaml   # the in-memory cluster starts with these objects`;

/**
 * Adds the agent's options and action to `cmd`, which is either `tether agent` or the bundle's
 * own program. A `--hub` option is added unless an ancestor (the `tether` program) defines it.
 */
export function configureAgentCommand(cmd: Command, io: AgentIO): Command {
  const inherited = (flag: string) => {
    for (let c = cmd.parent; c; c = c.parent) if (c.options.some((o) => o.long === flag)) return true;
    return false;
  };
  if (!inherited('--hub')) cmd.option('--hub <url>', 'hub URL (env TETHER_HUB_URL)');
  cmd
    .description('Run the spoke agent: join the hub, apply its works to a cluster and report status')
    .option('--bootstrap-token <token>', 'single-use bootstrap token from the import manifest (env TETHER_BOOTSTRAP_TOKEN)')
    .option('--name <cluster>', "the cluster's name on the hub (env TETHER_CLUSTER_NAME)")
    .option('--kubeconfig <path>', 'use this kubeconfig (its current context)')
    .option('--in-cluster', "use the pod's service account (inside the cluster)")
    .option('--simulate', 'use an in-memory cluster (demos, load tests)')
    .option('--from-manifest <file>', 'read hub URL, cluster name, bootstrap token and namespace from an import manifest')
    .option(
      '--seed <file>',
      'with --simulate: objects (YAML or JSON documents) the in-memory cluster starts with, as if kubectl had applied them',
    )
    .option(
      '--health-addr <host:port>',
      'where /healthz, /readyz and /metrics listen (default 0.0.0.0:8081 with --in-cluster, a free port on 127.0.0.1 with --simulate, else 127.0.0.1:8081; port 0 picks a free one; "off" disables)',
    )
    .option('--namespace <ns>', `the agent's namespace (env TETHER_NAMESPACE, default ${AGENT_NAMESPACE})`)
    .option('--once', 'join, poll, apply and report once, then exit (exit code 1 if that failed)')
    .addOption(new Option('--log-level <level>', 'debug, info, warn or error').default('info').env('TETHER_LOG_LEVEL'))
    .addOption(new Option('--agent-version <version>', 'version to report (default: this build)').env('TETHER_AGENT_VERSION').hideHelp())
    .addOption(
      new Option('--image <repository>', 'image repository for self-upgrade when the hub names none')
        .default(DEFAULT_AGENT_IMAGE)
        .hideHelp(),
    )
    .addOption(
      new Option('--poll-interval <seconds>', 'poll interval until the hub sets one')
        .argParser(seconds)
        .env('TETHER_POLL_INTERVAL_SECONDS'),
    )
    .addOption(new Option('--resync <seconds>', 'reconcile (and detect drift) at least this often; default every poll').argParser(seconds))
    .addHelpText('after', HELP)
    .action(async (_opts, command: Command) => {
      await runAgentCommand(command.optsWithGlobals() as AgentFlags, io);
    });
  return cmd;
}

/** What the flags, the manifest and the environment resolve to. */
interface Resolved {
  hubUrl: string;
  cluster: string;
  bootstrapToken?: string;
  namespace: string;
  mode: 'simulate' | 'in-cluster' | 'kubeconfig';
  manifestText?: string;
  /** With --seed: the objects the simulated cluster starts with. */
  seed?: KubeObject[];
}

async function resolveFlags(flags: AgentFlags, io: AgentIO): Promise<Resolved> {
  const modes = [flags.simulate && '--simulate', flags.inCluster && '--in-cluster', flags.kubeconfig && '--kubeconfig'].filter(Boolean);
  if (modes.length > 1) throw new ValidationError(`choose one of ${modes.join(', ')}`);
  let fromManifest: ReturnType<typeof parseImportManifest> | undefined;
  let manifestText: string | undefined;
  if (flags.fromManifest) {
    const path = resolve(io.cwd, flags.fromManifest);
    try {
      manifestText = await readFile(path, 'utf8');
    } catch (err) {
      throw new ValidationError(
        `cannot read --from-manifest ${flags.fromManifest}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
        [],
        { cause: err },
      );
    }
    try {
      fromManifest = parseImportManifest(manifestText, flags.fromManifest);
    } catch (err) {
      throw new ValidationError((err as Error).message, [], { cause: err });
    }
  }
  const hubUrl = flags.hub ?? fromManifest?.hubUrl ?? io.env.TETHER_HUB_URL;
  const cluster = flags.name ?? fromManifest?.cluster ?? io.env.TETHER_CLUSTER_NAME;
  const bootstrapToken = flags.bootstrapToken ?? fromManifest?.bootstrapToken ?? (io.env.TETHER_BOOTSTRAP_TOKEN || undefined);
  const namespace = flags.namespace ?? fromManifest?.namespace ?? io.env.TETHER_NAMESPACE ?? AGENT_NAMESPACE;
  const missing = [!hubUrl && '--hub (or TETHER_HUB_URL)', !cluster && '--name (or TETHER_CLUSTER_NAME)'].filter(Boolean);
  if (missing.length) throw new ValidationError(`missing ${missing.join(' and ')}; or give --from-manifest import.yaml`);
  try {
    const u = new URL(hubUrl!);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('not http(s)');
  } catch (err) {
    throw new ValidationError(`--hub "${hubUrl}" is not an http(s) URL (e.g. https://hub.example.com)`, [], { cause: err });
  }
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(cluster!) || cluster!.length > 63) {
    throw new ValidationError(`--name "${cluster}" must be a DNS-1123 label (lowercase letters, digits and '-')`);
  }
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace) || namespace.length > 63)
    throw new ValidationError(`--namespace "${namespace}" must be a DNS-1123 label`);
  if (!isLogLevel(flags.logLevel)) throw new ValidationError(`--log-level "${flags.logLevel}" must be debug, info, warn or error`);
  const mode = flags.simulate ? 'simulate' : flags.inCluster ? 'in-cluster' : 'kubeconfig';
  const seed = flags.seed === undefined ? undefined : await readSeed(flags, io);
  return { hubUrl: hubUrl!, cluster: cluster!, bootstrapToken, namespace, mode, manifestText, ...(seed ? { seed } : {}) };
}

/** Reads `--seed`: Kubernetes objects for the in-memory cluster (only with --simulate). */
async function readSeed(flags: AgentFlags, io: AgentIO): Promise<KubeObject[]> {
  if (!flags.simulate)
    throw new ValidationError('--seed needs --simulate: it fills the in-memory cluster; a real cluster has its own objects');
  let text: string;
  try {
    text = await readFile(resolve(io.cwd, flags.seed!), 'utf8');
  } catch (err) {
    throw new ValidationError(`cannot read --seed ${flags.seed}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, [], {
      cause: err,
    });
  }
  let docs: unknown[];
  try {
    docs = parseDocuments(text);
  } catch (err) {
    throw new ValidationError(`--seed ${flags.seed}: ${(err as Error).message}`, [], { cause: err });
  }
  return docs.map((d, i) => {
    const o = d as Partial<KubeObject> | null;
    if (
      !o ||
      typeof o !== 'object' ||
      typeof o.apiVersion !== 'string' ||
      typeof o.kind !== 'string' ||
      typeof o.metadata?.name !== 'string'
    ) {
      throw new ValidationError(`--seed ${flags.seed}: document ${i + 1} is not a Kubernetes object (apiVersion, kind and metadata.name)`);
    }
    return o as KubeObject;
  });
}

async function clusterApi(r: Resolved, flags: AgentFlags, io: AgentIO, log: AgentLog): Promise<{ api: ClusterApi; close: () => void }> {
  if (r.mode === 'simulate') {
    const { MemoryCluster } = await import('./kube/memory-cluster.js');
    const cluster = new MemoryCluster({ name: r.cluster });
    // The simulated cluster starts as if `kubectl apply -f import.yaml` had run on it.
    if (r.manifestText) {
      const { orderForApply } = await import('./kube/apply-order.js');
      const docs = parseDocuments(r.manifestText).filter((d): d is KubeObject => typeof d === 'object' && d !== null);
      for (const obj of orderForApply(docs)) {
        try {
          await cluster.apply(obj, { fieldManager: 'kubectl', force: false });
        } catch (err) {
          log.warn('simulated cluster: could not apply an object of the import manifest', {
            kind: obj.kind,
            name: obj.metadata?.name,
            error: err,
          });
        }
      }
    }
    // Then what --seed holds, as `kubectl apply` would: after the import manifest, whose CRDs
    // (ClusterFeature) it may use. An object the cluster refuses stops the agent with the reason.
    if (r.seed) {
      const { orderForApply } = await import('./kube/apply-order.js');
      // As on a real cluster, a custom resource waits for its CRD to be established.
      const crds = [...parseDocuments(r.manifestText ?? ''), ...r.seed]
        .filter((d): d is KubeObject => (d as KubeObject | null)?.kind === 'CustomResourceDefinition')
        .map((d) => d.metadata.name);
      for (const obj of r.seed)
        if (obj.kind === 'CustomResourceDefinition') await cluster.apply(obj, { fieldManager: 'kubectl', force: false });
      for (const name of crds) {
        for (let waited = 0; !(await cluster.isCrdEstablished(name)) && waited < 10_000; waited += 50)
          await new Promise((r) => setTimeout(r, 50));
      }
      for (const obj of orderForApply(r.seed.filter((o) => o.kind !== 'CustomResourceDefinition'))) {
        try {
          await cluster.apply(obj, { fieldManager: 'kubectl', force: false });
        } catch (err) {
          cluster.close();
          throw new ValidationError(`--seed: the cluster refused ${obj.kind} "${obj.metadata.name}": ${(err as Error).message}`, [], {
            cause: err,
          });
        }
      }
      log.info('simulated cluster seeded', { objects: r.seed.length });
    }
    return { api: cluster, close: () => cluster.close() };
  }
  // Imported here so that --simulate and --help do not load the Kubernetes client.
  const { KubeClientAdapter } = await import('./kube/node-adapter.js');
  try {
    const api =
      r.mode === 'in-cluster'
        ? KubeClientAdapter.inCluster({ env: io.env })
        : KubeClientAdapter.fromKubeconfig(flags.kubeconfig ? resolve(io.cwd, flags.kubeconfig) : undefined, { env: io.env });
    return { api, close: () => undefined };
  } catch (err) {
    throw new ValidationError(
      `cannot use the ${r.mode === 'in-cluster' ? 'in-cluster service account' : 'kubeconfig'}: ${(err as Error).message}`,
      [],
      { cause: err },
    );
  }
}

/** Runs the agent for the parsed flags until a signal, a detach or a revoked credential (or once). */
export async function runAgentCommand(flags: AgentFlags, io: AgentIO): Promise<void> {
  const r = await resolveFlags(flags, io);
  const healthAddr = flags.healthAddr ?? defaultHealthAddr(r.mode);
  let listen: { host: string; port: number } | undefined;
  if (healthAddr !== 'off') {
    try {
      listen = parseHostPort(healthAddr);
    } catch (err) {
      throw new ValidationError(`--health-addr: ${(err as Error).message}`, [], { cause: err });
    }
  }
  const version = flags.agentVersion ?? agentVersion();
  const log = jsonLog({ write: (line) => io.out(line), level: flags.logLevel as 'info', base: { cluster: r.cluster } });
  const { api, close } = await clusterApi(r, flags, io, log);
  const agent = new Agent({
    hubUrl: r.hubUrl,
    cluster: r.cluster,
    bootstrapToken: r.bootstrapToken,
    api,
    namespace: r.namespace,
    version,
    image: flags.image,
    fetch: envFetch({ env: io.env }),
    log,
    simulate: r.mode === 'simulate',
    initialPollIntervalMs: flags.pollInterval ? flags.pollInterval * 1000 : undefined,
    resyncIntervalMs: flags.resync ? flags.resync * 1000 : undefined,
    httpsProxy: io.env.HTTPS_PROXY ?? io.env.https_proxy,
    noProxy: io.env.NO_PROXY ?? io.env.no_proxy,
  });
  let server: HealthServer | undefined;
  if (listen) {
    try {
      server = await startHealthServer(agent.healthSource(), listen.host, listen.port);
    } catch (err) {
      close();
      const code = (err as NodeJS.ErrnoException).code;
      const hint =
        code === 'EADDRINUSE'
          ? `: the port is taken (another agent?); choose another with --health-addr ${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:PORT (port 0 picks a free one) or turn it off with --health-addr off`
          : '';
      throw new ValidationError(
        `cannot listen on ${healthAddr} for /healthz, /readyz and /metrics: ${code ?? (err as Error).message}${hint}`,
        [],
        { cause: err },
      );
    }
  }
  io.err(`tether agent ${version}: cluster ${r.cluster}, hub ${r.hubUrl}, ${r.mode}${server ? `, health on ${server.url}` : ''}\n`);
  const onSignal = () => void agent.stop();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (flags.once) {
      const outcome = await agent.runOnce();
      if (outcome !== true && outcome !== 'detached') {
        throw new AgentRunError(
          outcome instanceof Error ? outcome.message : `the agent stopped: ${outcome}`,
          outcome instanceof Error ? { cause: outcome } : undefined,
        );
      }
      return;
    }
    const exit = await agent.start();
    if (exit === 'revoked') {
      // Exiting would only make Kubernetes restart the pod into the same refusal; stay up, unready, until told to stop.
      io.err('tether agent: the hub rejected this agent; idle until stopped (see the log)\n');
      await new Promise<void>((done) => {
        process.once('SIGINT', done);
        process.once('SIGTERM', done);
      });
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await agent.stop();
    await server?.close();
    close();
  }
}
