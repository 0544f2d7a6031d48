import { jsonLog, redact, REDACTED } from '../../../agent/log.js';

describe('agent logs', () => {
  test('redact masks secret-looking keys, Secret payloads and bearer tokens, keeping the rest', () => {
    const out = redact({
      cluster: 'store-1',
      bootstrapToken: 'thb_x.abc',
      headers: { Authorization: 'Bearer thc_live_123', accept: 'application/json' },
      note: 'sent Bearer thc_inline_456 to the hub',
      object: {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'db' },
        data: { password: 'aHVudGVyMg==' },
        stringData: { user: 'admin' },
      },
      count: 3,
      credentialStored: true,
    }) as Record<string, any>;
    expect(out.cluster).toBe('store-1');
    expect(out.bootstrapToken).toBe(REDACTED);
    expect(out.headers).toEqual({ Authorization: REDACTED, accept: 'application/json' });
    expect(out.note).toBe(`sent Bearer ${REDACTED} to the hub`);
    expect(out.object.data).toEqual({ password: REDACTED });
    expect(out.object.stringData).toEqual({ user: REDACTED });
    expect(out.object.metadata).toEqual({ name: 'db' });
    expect(out.count).toBe(3);
    expect(out.credentialStored).toBe(true);
  });

  test('errors keep name, message, code and cause; cycles are cut', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const err = new Error('cannot reach the hub', { cause });
    const loop: Record<string, unknown> = { a: 1 };
    loop.self = loop;
    expect(redact({ error: err, loop })).toEqual({
      error: {
        name: 'Error',
        message: 'cannot reach the hub',
        cause: { name: 'Error', message: 'connect ECONNREFUSED', code: 'ECONNREFUSED' },
      },
      loop: { a: 1, self: '[Circular]' },
    });
  });

  test('jsonLog writes one JSON object per line, honours the level, and masks registered secrets anywhere', () => {
    const lines: string[] = [];
    const log = jsonLog({
      write: (l) => lines.push(l),
      level: 'info',
      base: { cluster: 'c1' },
      now: () => new Date('2026-11-02T10:00:00Z'),
    });
    const token = 'thc_9f8e7d6c5b4a39281706';
    log.addSecret(token);
    log.debug('dropped');
    log.info('joined', { detail: `got ${token} from the hub` });
    log.error('failed', { error: new Error(`hub said: ${token} is revoked`) });
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => l.endsWith('\n'))).toBe(true);
    const first = JSON.parse(lines[0]);
    expect(first).toEqual({
      time: '2026-11-02T10:00:00.000Z',
      level: 'info',
      msg: 'joined',
      cluster: 'c1',
      detail: `got ${REDACTED} from the hub`,
    });
    expect(lines.join('')).not.toContain(token);
  });
});
