import type { Command } from 'commander';
import { writeConfig } from '../config.js';
import type { CliContext } from '../context.js';
import { findKind } from '../../shared/resources/kinds.js';
import { UsageError } from '../errors.js';

/**
 * `tether login --hub URL --token T`: checks that the hub answers and accepts the token, then saves
 * both to the config file (mode 0600). The token is never printed.
 */
export function registerLoginCommand(program: Command, ctx: CliContext): void {
  program
    .command('login')
    .description('check a hub URL and admin token, and save them to the config file')
    .addHelpText(
      'after',
      `
Checks GET /healthz and an authenticated GET /v1/clusters?limit=1 first; nothing is saved when
either fails. The config file is $TETHER_CONFIG, else $XDG_CONFIG_HOME/tether/config.json, else
~/.config/tether/config.json, written with mode 0600. --hub and --token may also come from
TETHER_HUB and TETHER_TOKEN (or the current config file, to replace just one of them).

Examples:
  tether login --hub http://127.0.0.1:8080 --token "$(cat .tether/admin-token)"
  tether login --hub https://abc123.execute-api.eu-west-1.amazonaws.com --token "$TOKEN"`,
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const settings = await ctx.settings(cmd);
      if (!settings.hub || !settings.token) {
        const missing = [settings.hub ? '' : '--hub URL', settings.token ? '' : '--token TOKEN'].filter(Boolean).join(' and ');
        throw new UsageError(`tether login needs ${missing} (or TETHER_HUB / TETHER_TOKEN)`);
      }
      const clusters = findKind('Cluster');
      if (!clusters) throw new UsageError('this build of tether does not know the Cluster kind');
      const client = ctx.clientFor(cmd, settings.hub, settings.token);
      const health = await client.health();
      // An authenticated call proves the token, not just that something answers at the URL.
      await client.list(clusters, { limit: 1 });
      const path = await writeConfig(ctx.io, { hub: settings.hub, token: settings.token });
      ctx.out(
        `Logged in to ${settings.hub}${health.version ? ` (hub version ${health.version})` : ''}.\nSaved the hub URL and token to ${path} (mode 0600).\n`,
      );
    });
}
