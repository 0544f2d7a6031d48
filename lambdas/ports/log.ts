/**
 * Structured logging as the domain sees it. Powertools' Logger satisfies this shape; so does a
 * console-backed logger for the CLI. Callers never pass secrets (tokens, Secret data) in fields.
 */
export interface Log {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** Security-relevant events (auth failures, token use, acceptance decisions). */
export interface AuditLog {
  record(event: AuditEvent): void;
  /** Writes buffered events to the audit store (`denials`: the denial aggregates too, now). */
  flush?(denials?: boolean): Promise<void>;
}

export interface AuditEvent {
  action: string;
  outcome: 'allowed' | 'denied';
  cluster?: string;
  actor?: string;
  reason?: string;
  sourceIp?: string;
  [key: string]: unknown;
}

export const silentLog: Log = { debug() {}, info() {}, warn() {}, error() {} };
