import { Command, CommanderError } from 'commander';
import { registerAdminCommands } from './commands/admin.js';
import { registerAgentCommand } from './commands/agent.js';
import { registerApplyCommand } from './commands/apply.js';
import { registerClusterCommands } from './commands/cluster.js';
import { registerCompletionCommand, runComplete } from './commands/completion.js';
import { registerComplianceCommands } from './commands/compliance.js';
import { registerAuditCommand } from './commands/audit.js';
import { registerAuthCommands } from './commands/auth.js';
import { registerTokenCommands } from './commands/token.js';
import { registerDeleteCommand } from './commands/delete.js';
import { registerDescribeCommand } from './commands/describe.js';
import { registerDevCommand } from './commands/dev.js';
import { registerDiffCommand } from './commands/diff.js';
import { registerEditCommand } from './commands/edit.js';
import { registerExplainCommand } from './commands/explain.js';
import { registerGetCommand } from './commands/get.js';
import { registerLabelCommands } from './commands/label.js';
import { registerLoginCommand, registerLogoutCommand } from './commands/login.js';
import { registerRolloutCommands } from './commands/rollout.js';
import { registerSimCommand } from './commands/sim.js';
import { CliContext } from './context.js';
import { ExitCode, exitCodeFor } from './errors.js';
import { processIO, type CliIO } from './io.js';
import { TETHER_VERSION } from '../shared/version.js';

/**
 * The `tether` program: assembles the commands and turns every outcome into an exit code.
 * `bin/tether.js` calls {@link run} with `process.argv.slice(2)`; tests call it with captured IO.
 */

const EXIT_CODES_HELP = `
Exit codes:
  0  ok
  1  the hub refused or failed the request (API error; any apply document failed)
  2  usage error (bad flags or arguments, unknown kind, invalid label selector)
  3  cannot reach the hub, or no hub/token configured (or the hub says the token is missing)
  4  not found
  5  conflict (the object changed meanwhile, or already exists)`;

const PROGRAM_HELP = `
The hub and token come from --hub/--token, else TETHER_HUB/TETHER_TOKEN, else the config file
written by "tether login" ($TETHER_CONFIG, $XDG_CONFIG_HOME/tether/config.json or
~/.config/tether/config.json).

Examples:
  tether dev                                   # a local hub on http://127.0.0.1:8080
  tether login --hub http://127.0.0.1:8080 --token "$(cat .tether/admin-token)"
  tether get clusters -l tier=store -o wide
  tether describe cluster store-0001
  tether apply -f fleet/ --dry-run
  tether cluster import store-0002 -f store-0002.yaml
  tether --version`;

/** The CLI's version: package.json's. */
export function cliVersion(): string {
  return TETHER_VERSION;
}

/** Builds the program for one run. Commands are added after the shared settings so they inherit them. */
export function buildProgram(ctx: CliContext): Command {
  const paint = ctx.paint();
  const program = new Command('tether')
    .description('Tether: manage fleets of Kubernetes clusters from a serverless hub')
    .option('--hub <url>', 'hub URL (overrides TETHER_HUB and the config file)')
    .option('--token <token>', 'admin token (overrides TETHER_TOKEN and the config file)')
    .option('-v, --verbose', 'show each HTTP request and the full problem details of errors')
    .option('--no-color', 'never colour the output (NO_COLOR works too)')
    .configureOutput({
      writeOut: (s) => ctx.io.out(s),
      writeErr: (s) => ctx.io.err(s),
      outputError: (s, write) => write(s.replace(/^error:/, paint('error:', 'bad'))),
      getOutHelpWidth: () => ctx.io.columns ?? 100,
      getErrHelpWidth: () => ctx.io.columns ?? 100,
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    })
    .configureHelp({ showGlobalOptions: true })
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .addHelpText('after', PROGRAM_HELP)
    // 'afterAll' repeats on every subcommand's help: scripts depend on the exit codes.
    .addHelpText('afterAll', EXIT_CODES_HELP);

  registerLoginCommand(program, ctx);
  registerLogoutCommand(program, ctx);
  registerGetCommand(program, ctx);
  registerDescribeCommand(program, ctx);
  registerDeleteCommand(program, ctx);
  registerAuditCommand(program, ctx);
  registerAuthCommands(program, ctx);
  registerTokenCommands(program, ctx);
  registerComplianceCommands(program, ctx);
  registerApplyCommand(program, ctx);
  registerDiffCommand(program, ctx);
  registerLabelCommands(program, ctx);
  registerEditCommand(program, ctx);
  registerExplainCommand(program, ctx);
  registerClusterCommands(program, ctx);
  registerRolloutCommands(program, ctx);
  registerDevCommand(program, ctx.io);
  registerAgentCommand(program, ctx.io);
  registerCompletionCommand(program, ctx);
  registerSimCommand(program, ctx);
  registerAdminCommands(program, ctx);
  return program;
}

/**
 * Runs the CLI with user arguments (no `node` and script path) and returns the exit code.
 * Never calls process.exit, so tests can run it in-process.
 */
export async function run(argv: string[], io: CliIO = processIO()): Promise<number> {
  const ctx = new CliContext(io, cliVersion());
  // `--version` is not a commander option: `tether cluster upgrade --version V` needs the name,
  // and commander recognises program options anywhere on the line.
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === 'version')) {
    io.out(`tether ${ctx.version}\n`);
    return ExitCode.Ok;
  }
  const program = buildProgram(ctx);
  // The completion scripts' helper: words as the shell split them, never parsed as options here.
  if (argv[0] === '__complete') {
    await runComplete(program, ctx, argv.slice(1));
    return ExitCode.Ok;
  }
  let current: Command | undefined;
  program.hook('preAction', (_root, action) => {
    current = action;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return ctx.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has already printed its message (or the help).
      return err.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    }
    ctx.report(current, err);
    return exitCodeFor(err);
  }
}
