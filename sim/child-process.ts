import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TetherError } from '../shared/errors.js';

/**
 * Child processes that run this package's TypeScript (the simulator's shards, the benchmarks' hub
 * process). `tether` runs from any directory, so nothing here may depend on the current one: the
 * child script and the tsx loader are found from this module's own location, and a child that dies
 * before it says it is ready fails the parent at once instead of leaving it waiting.
 */

/** A child process exited (or could not start) before it was ready. */
export class ChildStartError extends TetherError {
  // 500: the simulator's own child process failed; nothing the caller sent.
  static override readonly status = 500;
  static override readonly title = 'Simulator child failed';
  readonly code = 'child-start-failed';
}

const require = createRequire(import.meta.url);

/** The tsx loader as a file URL, resolved from this package's dependencies. */
export function tsxLoaderUrl(): string {
  return pathToFileURL(require.resolve('tsx')).href;
}

/**
 * The package's own tsconfig.json: tsx otherwise reads the one in the current directory, which in
 * a user's project may be unrelated (bin/tether.js ignores it for the same reason).
 */
const PACKAGE_TSCONFIG = fileURLToPath(new URL('../tsconfig.json', import.meta.url));

/** Options of {@link forkTypeScript}. */
export interface ForkTypeScriptOptions {
  /** Environment additions (the child gets the parent's environment plus these). */
  env?: Record<string, string>;
  /** The child's stdout: shown with the parent's, or dropped. */
  stdout?: 'inherit' | 'ignore';
  /** Serialization of IPC messages; `advanced` carries typed arrays. */
  serialization?: 'json' | 'advanced';
  /** What the child is, for error messages ("fleet shard"). */
  label: string;
}

/** Keeps the last few kilobytes of a child's stderr (while passing it on), to explain its death. */
function stderrTail(child: ChildProcess): () => string {
  let tail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    process.stderr.write(chunk);
    tail = (tail + chunk.toString('utf8')).slice(-4000);
  });
  return () => tail;
}

/** The most telling line of a dead child's stderr: its error line, else its last line. */
export function deathReason(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.find((l) => /^(\w+)?Error\b|^Error \[/.test(l)) ?? lines[lines.length - 1] ?? '';
}

/**
 * Forks `moduleUrl` (a `.ts` file of this package) through tsx, with an IPC channel, and waits for
 * its first message (the child's "ready").
 * @returns the child and a description of its death, for errors raised later.
 * @throws ChildStartError when the child exits or fails to spawn before it is ready.
 */
export async function forkTypeScript(
  moduleUrl: URL,
  options: ForkTypeScriptOptions,
): Promise<{ child: ChildProcess; describeExit: (code: number | null, signal: NodeJS.Signals | null, when?: string) => string }> {
  const child = fork(fileURLToPath(moduleUrl), [], {
    execArgv: ['--import', tsxLoaderUrl()],
    env: { ...process.env, TSX_TSCONFIG_PATH: PACKAGE_TSCONFIG, ...options.env },
    serialization: options.serialization ?? 'json',
    stdio: ['ignore', options.stdout ?? 'inherit', 'pipe', 'ipc'],
  });
  const tail = stderrTail(child);
  const describeExit = (code: number | null, signal: NodeJS.Signals | null, when = '') => {
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    const reason = deathReason(tail());
    return `${options.label} process ${child.pid ?? '?'} ${how}${when}${reason ? `: ${reason}` : ''}`;
  };
  await new Promise<void>((resolve, reject) => {
    const onMessage = () => {
      cleanup();
      resolve();
    };
    // 'close' rather than 'exit': it comes after stderr is drained, so the reason is complete.
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      cleanup();
      reject(new ChildStartError(describeExit(code, signal, ' before it was ready')));
    };
    const onError = (err: Error) => {
      cleanup();
      child.kill();
      reject(new ChildStartError(`cannot start the ${options.label} process: ${err.message}`, { cause: err }));
    };
    const cleanup = () => {
      child.off('message', onMessage);
      child.off('close', onExit);
      child.off('error', onError);
    };
    child.once('message', onMessage);
    child.once('close', onExit);
    child.once('error', onError);
  });
  return { child, describeExit };
}
