import type { Command } from 'commander';
import { readConfig, resolveSettings, writeConfig } from '../config.js';
import { HubProblemError } from '../errors.js';
import { browserSignIn, deviceSignIn } from '../oidc/sign-in.js';
import { forgetTokens, saveTokens } from '../oidc/token-cache.js';
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
    .description("check a hub URL and admin token (or sign in through the hub's OIDC issuer), and save them")
    .option('--oidc', "sign in through the hub's OIDC issuer (device code; see --browser) instead of with a token")
    .option('--browser', 'with --oidc: sign in in a browser (authorization code + PKCE on a 127.0.0.1 redirect)')
    .addHelpText(
      'after',
      `
Checks GET /healthz and an authenticated GET /v1/clusters?limit=1 first; nothing is saved when
either fails. The config file is $TETHER_CONFIG, else $XDG_CONFIG_HOME/tether/config.json, else
~/.config/tether/config.json, written with mode 0600. --hub and --token may also come from
TETHER_HUB and TETHER_TOKEN (or the current config file, to replace just one of them).

With --oidc, the hub's GET /v1/auth/config names the issuer and client; the CLI signs in with the
device authorization grant (open the printed URL on any device and confirm the code) or, with
--browser, in a browser on this machine. The ID token is sent to the hub and refreshed with the
refresh token when near expiry; both are kept in oidc-tokens.json next to the config file (mode
0600; a cache readable by others is refused). "tether logout" removes them.

Examples:
  tether login --hub http://127.0.0.1:8080 --token "$(cat .tether/admin-token)"
  tether login --hub https://abc123.execute-api.eu-west-1.amazonaws.com --token "$TOKEN"
  tether login --hub https://hub.example.com --oidc
  tether login --hub https://hub.example.com --oidc --browser`,
    )
    .action(async (opts: { oidc?: boolean; browser?: boolean }, cmd: Command) => {
      if (opts.browser && !opts.oidc) throw new UsageError('--browser goes with --oidc');
      if (opts.oidc) return oidcLogin(ctx, cmd, Boolean(opts.browser));
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

/** `tether login --oidc`: signs in through the issuer the hub advertises, checks the ID token with the hub, saves it. */
async function oidcLogin(ctx: CliContext, cmd: Command, browser: boolean): Promise<void> {
  const flags = ctx.flags(cmd);
  if (flags.token) throw new UsageError('--oidc signs in without a token; drop --token');
  // Not ctx.settings: that would refresh (or fail on) the sign-in this login replaces.
  const { hub } = await resolveSettings(ctx.io, { hub: flags.hub });
  if (!hub) throw new UsageError('tether login --oidc needs --hub URL (or TETHER_HUB)');
  const anonymous = ctx.clientFor(cmd, hub, undefined);
  const health = await anonymous.health();
  const { oidc } = await anonymous.authConfig();
  if (!oidc) throw new UsageError(`the hub at ${hub} has no single sign-on configured (GET /v1/auth/config); log in with --token`);
  const tokens = browser ? await browserSignIn(oidc, ctx.io) : await deviceSignIn(oidc, ctx.io);
  const username = `${oidc.usernamePrefix ?? ''}${tokens.username ?? ''}`;
  const clusters = findKind('Cluster');
  if (!clusters) throw new UsageError('this build of tether does not know the Cluster kind');
  let noRole = false;
  try {
    // The hub verifies the ID token here: a 401 means it does not accept it, and nothing is saved.
    await ctx.clientFor(cmd, hub, tokens.idToken).list(clusters, { limit: 1 });
  } catch (err) {
    if (!(err instanceof HubProblemError && err.status === 403)) throw err;
    noRole = true;
  }
  const cache = await saveTokens(ctx.io, hub, tokens);
  // The saved static token would win over the sign-in: the config keeps the hub only.
  const path = await writeConfig(ctx.io, { hub });
  ctx.out(
    `Signed in to ${hub}${health.version ? ` (hub version ${health.version})` : ''} as ${username} through ${oidc.issuer}.\n` +
      `Saved the hub URL to ${path} and the tokens to ${cache} (mode 0600).\n`,
  );
  if (noRole)
    ctx.warn(
      cmd,
      `the hub knows you as ${username} but no RoleBinding gives you access yet; ask an admin to bind your user or one of your groups to a role`,
    );
  if (ctx.io.env.TETHER_TOKEN) ctx.warn(cmd, 'TETHER_TOKEN is set and takes precedence over the sign-in; unset it to use the sign-in');
}

/** `tether logout`: forgets the OIDC sign-in and the saved token of the hub (of every hub with --all); keeps the hub URL. */
export function registerLogoutCommand(program: Command, ctx: CliContext): void {
  program
    .command('logout')
    .description('forget the OIDC sign-in and saved token of the hub (the hub URL stays)')
    .option('--all', 'forget the OIDC sign-ins of every hub')
    .addHelpText(
      'after',
      `
Removes the hub's tokens from oidc-tokens.json and the token from the config file. Tokens are not
revoked at the issuer: an ID token the hub has seen stays valid until it expires (minutes).

Examples:
  tether logout
  tether logout --all`,
    )
    .action(async (opts: { all?: boolean }, cmd: Command) => {
      const { config } = await readConfig(ctx.io);
      const normalised = opts.all ? undefined : (await resolveSettings(ctx.io, { hub: ctx.flags(cmd).hub })).hub;
      if (!opts.all && !normalised) throw new UsageError('no hub to log out of: pass --hub URL or --all');
      const forgotten = await forgetTokens(ctx.io, normalised);
      const hadToken = Boolean(config.token);
      if (hadToken) await writeConfig(ctx.io, { ...(config.hub ? { hub: config.hub } : {}) });
      const what = [forgotten ? 'the OIDC sign-in' : '', hadToken ? 'the saved token' : ''].filter(Boolean).join(' and ');
      ctx.out(what ? `Logged out${normalised ? ` of ${normalised}` : ''}: removed ${what}.\n` : 'Nothing to log out of.\n');
    });
}
