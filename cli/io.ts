import { spawn } from 'node:child_process';
import { homedir } from 'node:os';

/**
 * Everything the CLI touches in its surroundings, passed in rather than reached for, so that tests
 * run `run([...])` in-process with captured output, a private environment and a fixed clock.
 */
export interface CliIO {
  /** Writes text to standard output, exactly as given (callers add newlines). */
  out: (text: string) => void;
  /** Writes text to standard error, exactly as given. */
  err: (text: string) => void;
  /** Environment variables (TETHER_HUB, TETHER_TOKEN, TETHER_CONFIG, XDG_CONFIG_HOME, HOME, NO_COLOR). */
  env: Record<string, string | undefined>;
  /** Directory that relative paths (`apply -f`, `import -f`) are resolved against. */
  cwd: string;
  /** Reads all of standard input (for `apply -f -`). */
  readStdin: () => Promise<string>;
  /** The current time, for ages like `5m`. */
  now: () => Date;
  /** Whether stdout/stderr are terminals; colour is used only when they are. */
  isTTY: boolean;
  /** Terminal width for help text, when known. */
  columns?: number;
  /**
   * Calls `handler` on Ctrl-C (SIGINT) until the returned function is called. Long-running
   * commands (`get --watch`) stop cleanly with it; without it they run until their own end.
   */
  onInterrupt?: (handler: () => void) => () => void;
  /** Opens a URL in the user's browser (`tether login --oidc --browser`); callers print the URL too, as this may do nothing. */
  openUrl?: (url: string) => Promise<void>;
}

/** The real process: stdout, stderr, process.env, process.cwd() and stdin. */
export function processIO(): CliIO {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    readStdin: readProcessStdin,
    now: () => new Date(),
    isTTY: Boolean(process.stdout.isTTY && process.stderr.isTTY),
    columns: process.stdout.columns,
    onInterrupt: (handler) => {
      process.once('SIGINT', handler);
      return () => {
        process.off('SIGINT', handler);
      };
    },
    openUrl: openInBrowser,
  };
}

/** Opens a URL with the platform's opener (open, xdg-open, start), detached; a missing opener is ignored. */
async function openInBrowser(url: string): Promise<void> {
  const [cmd, args] =
    process.platform === 'darwin'
      ? ['open', [url]]
      : process.platform === 'win32'
        ? ['cmd', ['/c', 'start', '""', url]]
        : ['xdg-open', [url]];
  const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
  child.on('error', () => undefined);
  child.unref();
}

async function readProcessStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

/** The user's home directory: `$HOME` from the injected environment first, so tests never touch the real one. */
export function homeOf(io: Pick<CliIO, 'env'>): string {
  return io.env.HOME ?? homedir();
}
