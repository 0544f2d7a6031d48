import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalHub, type LocalHub, type LocalHubOptions } from '../../lambdas/local/local-hub.js';
import { silentLog } from '../../lambdas/ports/log.js';

/** A local hub on a free port with a throw-away data directory, quiet logs, and an admin fetch helper. */
export interface TestHub extends LocalHub {
  api(
    path: string,
    init?: { method?: string; body?: unknown; raw?: string; contentType?: string; headers?: Record<string, string>; token?: string | null },
  ): Promise<{
    status: number;
    headers: Headers;
    body: any;
    text: string;
  }>;
  stop(): Promise<void>;
}

export async function startTestHub(opts: Partial<LocalHubOptions> = {}): Promise<TestHub> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'tether-test-'));
  const hub = await startLocalHub({ port: 0, schedulerIntervalMs: 3_600_000, log: silentLog, ...opts, dataDir });
  const api: TestHub['api'] = async (path, init = {}) => {
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    if (init.token !== null) headers.authorization = `Bearer ${init.token ?? hub.adminToken}`;
    let body: string | undefined;
    if (init.raw !== undefined) body = init.raw;
    else if (init.body !== undefined) body = JSON.stringify(init.body);
    if (body !== undefined) headers['content-type'] ??= init.contentType ?? 'application/json';
    const res = await fetch(`${hub.url}${path}`, { method: init.method ?? (body !== undefined ? 'POST' : 'GET'), headers, body });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, body: parsed, text };
  };
  return Object.assign(hub, {
    api,
    stop: async () => {
      await hub.close();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  });
}
