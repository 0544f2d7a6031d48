import { Command, CommanderError } from 'commander';
import { ValidationError } from '../shared/errors.js';
import { configureAgentCommand, type AgentIO } from './command.js';
import { agentVersion } from './version.js';

/**
 * Entry point of the agent bundle (dist/agent/tether-agent.mjs, the container's command):
 * `node tether-agent.mjs agent --in-cluster`. It carries only the `agent` command, with the same
 * flags and exit codes as `tether agent`: 0 ok, 1 failed, 2 usage.
 */
export async function main(argv: string[], io: AgentIO): Promise<number> {
  const program = new Command('tether')
    .description('Tether spoke agent')
    .version(agentVersion(), '--version')
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .exitOverride()
    .showHelpAfterError('(add --help for usage)');
  configureAgentCommand(program.command('agent'), io);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    io.err(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    if (err instanceof ValidationError) return 2;
    return 1;
  }
}

const processAgentIO: AgentIO = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
};

// Run when executed directly (the bundle, `tsx agent/main.ts`), not when imported by a test.
const invoked = process.argv[1] ?? '';
if (/tether-agent\.m?js$|agent[\\/]main\.ts$/.test(invoked)) {
  process.exitCode = await main(process.argv.slice(2), processAgentIO);
}
