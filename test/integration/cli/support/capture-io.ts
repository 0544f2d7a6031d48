import type { CliIO } from '../../../../cli/io.js';

/** A CliIO whose output is captured in strings, with a private environment and a fixed clock. */
export interface CapturedIO extends CliIO {
  stdout: () => string;
  stderr: () => string;
  /** Plays Ctrl-C: calls every handler registered through onInterrupt. */
  interrupt: () => void;
}

/** The instant every test treats as "now". */
export const NOW = new Date('2026-11-10T12:00:00Z');

/** Builds a captured IO; `env` replaces the process environment entirely. */
export function captureIO(
  options: { env?: Record<string, string | undefined>; cwd?: string; stdin?: string; isTTY?: boolean } = {},
): CapturedIO {
  let out = '';
  let err = '';
  const handlers = new Set<() => void>();
  return {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    readStdin: async () => options.stdin ?? '',
    now: () => NOW,
    isTTY: options.isTTY ?? false,
    columns: 100,
    onInterrupt: (handler) => {
      handlers.add(handler);
      return () => {
        handlers.delete(handler);
      };
    },
    stdout: () => out,
    stderr: () => err,
    interrupt: () => {
      for (const h of [...handlers]) h();
    },
  };
}
