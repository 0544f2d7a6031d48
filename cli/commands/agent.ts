import type { Command } from 'commander';
import { configureAgentCommand } from '../../agent/command.js';
import { processIO, type CliIO } from '../io.js';

/**
 * `tether agent`: the spoke agent, from the CLI. The command itself lives with the agent
 * (agent/command.ts), so that the agent's container bundle does not carry the rest of the CLI.
 */
export function registerAgentCommand(program: Command, io: CliIO = processIO()): void {
  configureAgentCommand(program.command('agent'), io);
}
