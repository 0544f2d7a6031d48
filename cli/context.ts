import type { Command } from 'commander';
import { resolveSettings, type ResolvedSettings } from './config.js';
import { oidcToken } from './oidc/session.js';
import { AuthMissingError, ExitCode, type ExitCodeValue } from './errors.js';
import { HubClient } from './hub-client.js';
import type { CliIO } from './io.js';
import { painter, type Painter } from './output/color.js';
import { errorLines } from './output/problem.js';

/** The global flags every command accepts (defined once on the program). */
export interface GlobalFlags {
  hub?: string;
  token?: string;
  verbose?: boolean;
  /** False with `--no-color`. */
  color?: boolean;
}

/**
 * What a command's action needs: the IO, the global flags, a hub client, and a place to record a
 * non-zero exit code when a command partly fails (apply, multi-name delete) without throwing.
 */
export class CliContext {
  private exit: ExitCodeValue = ExitCode.Ok;

  constructor(
    readonly io: CliIO,
    /** The CLI's version, for `--version` and the User-Agent. */
    readonly version: string,
  ) {}

  /** The exit code recorded so far (0 unless a command reported a failure). */
  get exitCode(): ExitCodeValue {
    return this.exit;
  }

  /** Records a failure's exit code; the first failure wins, as it is usually the cause of the rest. */
  fail(code: ExitCodeValue): void {
    if (this.exit === ExitCode.Ok) this.exit = code;
  }

  /** The global flags as seen from a (sub)command. */
  flags(cmd: Command): GlobalFlags {
    return cmd.optsWithGlobals() as GlobalFlags;
  }

  /** Colour for this run: only on a terminal, never with --no-color or NO_COLOR. */
  paint(cmd?: Command): Painter {
    const flags = cmd ? this.flags(cmd) : {};
    return painter(this.io.isTTY && flags.color !== false && !this.io.env.NO_COLOR);
  }

  /** Settings after precedence (flags > env > config file); warnings go to stderr. */
  async settings(cmd: Command): Promise<ResolvedSettings> {
    const flags = this.flags(cmd);
    const settings = await resolveSettings(this.io, { hub: flags.hub, token: flags.token });
    for (const w of settings.warnings) this.warn(cmd, w);
    if (!settings.token && settings.hub) {
      // No static token anywhere: the OIDC sign-in of this hub, refreshed when near expiry.
      const idToken = await oidcToken(this.io, settings.hub);
      if (idToken) return { ...settings, token: idToken, source: { ...settings.source, token: 'oidc' } };
    }
    return settings;
  }

  /**
   * A hub client for the resolved hub and token.
   * @throws AuthMissingError when no hub or no token is configured anywhere.
   */
  async client(cmd: Command): Promise<HubClient> {
    const s = await this.settings(cmd);
    const missing: Array<'hub' | 'token'> = [];
    if (!s.hub) missing.push('hub');
    if (!s.token) missing.push('token');
    if (missing.length || !s.hub) throw new AuthMissingError(missing);
    return this.clientFor(cmd, s.hub, s.token);
  }

  /** A client for an explicit hub and token (used by `login` before anything is saved). */
  clientFor(cmd: Command, hub: string, token: string | undefined): HubClient {
    const verbose = Boolean(this.flags(cmd).verbose);
    const paint = this.paint(cmd);
    return new HubClient({
      hub,
      token,
      userAgent: `tether-cli/${this.version}`,
      onRequest: verbose ? (line) => this.io.err(`${paint(line, 'dim')}\n`) : undefined,
    });
  }

  /** Writes to stdout. */
  out(text: string): void {
    this.io.out(text);
  }

  /** Writes a warning line to stderr. */
  warn(cmd: Command | undefined, message: string): void {
    this.io.err(`${this.paint(cmd)('warning:', 'warn')} ${message}\n`);
  }

  /** Reports an error on stderr: one line, or the full detail with -v. */
  report(cmd: Command | undefined, err: unknown, prefix = ''): void {
    const verbose = cmd ? Boolean(this.flags(cmd).verbose) : false;
    const [first, ...rest] = errorLines(err, { verbose });
    const head = `${this.paint(cmd)('error:', 'bad')} ${prefix}${first}`;
    this.io.err(`${[head, ...rest].join('\n')}\n`);
  }
}
