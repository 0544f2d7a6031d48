/**
 * The agent's structured logs: one JSON object per line on stdout, and redaction that keeps tokens,
 * credentials and Secret data out of them whatever a caller passes in.
 */

/** Log severities, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** What the agent logs through. Fields are redacted before they are written. */
export interface AgentLog {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /**
   * Registers a secret value (a bootstrap token, a credential) so that it is masked wherever it
   * appears in a later line, even inside an error message.
   */
  addSecret(value: string | undefined): void;
}

/** What replaces a redacted value. */
export const REDACTED = '[REDACTED]';

/** Keys whose values are never logged, whatever the object. */
const SECRET_KEY = /token|credential|password|passwd|secret|authorization|api[-_]?key|private[-_]?key|cookie/i;

/** Keys that hold a Secret's payload when the object is a Kubernetes Secret. */
const SECRET_DATA_KEYS: ReadonlySet<string> = new Set(['data', 'stringData']);

/**
 * Returns a copy of `value` that is safe to log: values under secret-looking keys are masked,
 * a Kubernetes Secret's `data`/`stringData` values are masked (keys kept, so a person sees which
 * ones), `Bearer <x>` becomes `Bearer [REDACTED]`, and Errors become `{name, message, code}`.
 * Cycles and depth beyond 12 are cut.
 */
export function redact(value: unknown): unknown {
  return redactValue(value, 0, new WeakSet());
}

function redactValue(value: unknown, depth: number, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return redactString(value);
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return typeof value === 'function' ? undefined : value;
  if (seen.has(value)) return '[Circular]';
  if (depth > 12) return '[Truncated]';
  seen.add(value);
  if (value instanceof Error) {
    const out: Record<string, unknown> = { name: value.name, message: redactString(value.message) };
    const code = (value as { code?: unknown }).code;
    if (typeof code === 'string' || typeof code === 'number') out.code = code;
    if (value.cause !== undefined) out.cause = redactValue(value.cause, depth + 1, seen);
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1, seen));
  const obj = value as Record<string, unknown>;
  const isSecret = obj.kind === 'Secret' && typeof obj.apiVersion === 'string';
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(obj)) {
    if (isSecret && SECRET_DATA_KEYS.has(key) && v !== null && typeof v === 'object') {
      out[key] = Object.fromEntries(Object.keys(v).map((k) => [k, REDACTED]));
    } else if (SECRET_KEY.test(key) && v !== undefined && v !== null && v !== '' && typeof v !== 'boolean' && typeof v !== 'number') {
      out[key] = REDACTED;
    } else {
      out[key] = redactValue(v, depth + 1, seen);
    }
  }
  return out;
}

function redactString(s: string): string {
  return s.replace(/\b(Bearer|Basic)\s+[^\s"',]+/gi, `$1 ${REDACTED}`);
}

/** Options of {@link jsonLog}. */
export interface JsonLogOptions {
  /** Where each line goes. Default: process.stdout. */
  write?: (line: string) => void;
  /** Lines below this level are dropped. Default `info`. */
  level?: LogLevel;
  /** Fields added to every line, e.g. `{cluster}`. */
  base?: Record<string, unknown>;
  /** The time of a line. Default: now. */
  now?: () => Date;
}

/**
 * A logger writing one JSON object per line: `{"time","level","msg",...fields}`. Every line is
 * redacted with {@link redact}, then every registered secret value is masked in the final text.
 */
export function jsonLog(options: JsonLogOptions = {}): AgentLog {
  const write = options.write ?? ((line: string) => void process.stdout.write(line));
  const min = LEVELS[options.level ?? 'info'];
  const now = options.now ?? (() => new Date());
  const secrets = new Set<string>();
  const emit = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS[level] < min) return;
    const record = { time: now().toISOString(), level, msg, ...options.base, ...fields };
    let line = JSON.stringify(redact(record));
    for (const s of secrets) line = line.split(s).join(REDACTED);
    write(line + '\n');
  };
  return {
    debug: (msg, fields) => emit('debug', msg, fields),
    info: (msg, fields) => emit('info', msg, fields),
    warn: (msg, fields) => emit('warn', msg, fields),
    error: (msg, fields) => emit('error', msg, fields),
    addSecret: (value) => {
      // Very short values would mask ordinary words; real tokens are long.
      if (value && value.length >= 8) {
        secrets.add(value);
        // JSON escaping could change how the value appears in the line; mask that form too.
        const escaped = JSON.stringify(value).slice(1, -1);
        if (escaped !== value) secrets.add(escaped);
      }
    },
  };
}

/** A logger that drops everything (the default in library use and tests that do not look at logs). */
export function silentLog(): AgentLog {
  const noop = () => undefined;
  return { debug: noop, info: noop, warn: noop, error: noop, addSecret: noop };
}

/** Is this a known log level name? */
export function isLogLevel(value: string): value is LogLevel {
  return value in LEVELS;
}
