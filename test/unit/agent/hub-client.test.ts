import {
  AgentConfigError,
  CredentialRejectedError,
  HubProtocolError,
  HubUnavailableError,
  JoinPendingError,
} from '../../../agent/errors.js';
import { HubClient } from '../../../agent/hub-client.js';
import { FakeHub } from './support/fake-hub.js';

const join = { cluster: 'store-0042', agentVersion: '0.1.0', claims: [] };

describe('HubClient', () => {
  let hub: FakeHub;
  let client: HubClient;
  beforeEach(async () => {
    hub = await new FakeHub().start();
    client = new HubClient({ hubUrl: hub.url + '/', userAgent: 'tether-agent/0.1.0', now: () => Date.parse('2026-11-02T10:00:00Z') });
  });
  afterEach(() => hub.close());

  test('join: 202 is JoinPendingError with the wait, 200 the credential, 401 CredentialRejectedError', async () => {
    const token = hub.issueBootstrapToken();
    hub.pendingRetryAfterSeconds = 9;
    const pending = await client.join(token, join).catch((e) => e);
    expect(pending).toBeInstanceOf(JoinPendingError);
    expect(pending.retryAfterMs).toBe(9000);
    hub.accepted = true;
    const joined = await client.join(token, join);
    expect(hub.credentials.has(joined.credential)).toBe(true);
    expect(joined).toMatchObject({ cluster: 'store-0042', pollIntervalSeconds: 30 });
    const again = await client.join(token, join).catch((e) => e);
    expect(again).toBeInstanceOf(CredentialRejectedError);
    expect(again.status).toBe(401);
    expect(again.message).toContain('bootstrap token is invalid, used or expired');
  });

  test('desired: 200 with the state, 304 when the revision matches', async () => {
    hub.accepted = true;
    const { credential } = await client.join(hub.issueBootstrapToken(), join);
    const first = await client.desired(credential, undefined);
    expect(first.changed && first.state.revision).toBe(hub.desired.revision);
    expect(await client.desired(credential, hub.desired.revision)).toEqual({ changed: false });
    expect(hub.requests.at(-1)).toMatchObject({ ifNoneMatch: `"${hub.desired.revision}"`, authorization: `Bearer ${credential}` });
  });

  test('desired: sends the age of the last heartbeat the hub recorded, so the hub records one every half lease', async () => {
    let now = Date.parse('2026-11-02T10:00:00Z');
    const timed = new HubClient({ hubUrl: hub.url, now: () => now });
    hub.accepted = true;
    const { credential } = await timed.join(hub.issueBootstrapToken(), join);
    const ages: Array<string | undefined> = [];
    for (let i = 0; i < 5; i++) {
      await timed.desired(credential, hub.desired.revision);
      ages.push(hub.requests.at(-1)?.heartbeatAge);
      now += 29_400;
    }
    // The fake hub records by the real rule (lease 60 s): the first poll, then every other one.
    expect(ages).toEqual([undefined, '29', '58', '29', '58']);
    // The clock went back: the age is unknown, so the agent sends none and the hub records this poll.
    now -= 120_000;
    await timed.desired(credential, hub.desired.revision);
    expect(hub.requests.at(-1)?.heartbeatAge).toBeUndefined();
    now += 10_000;
    await timed.desired(credential, hub.desired.revision);
    expect(hub.requests.at(-1)?.heartbeatAge).toBe('10');
  });

  test('429 and 5xx are HubUnavailableError with Retry-After; other statuses HubProtocolError', async () => {
    hub.inject(429, { headers: { 'retry-after': '17' } });
    const throttled = await client.desired('c', undefined).catch((e) => e);
    expect(throttled).toBeInstanceOf(HubUnavailableError);
    expect(throttled).toMatchObject({ status: 429, retryAfterMs: 17_000 });
    hub.inject(503, { headers: { 'retry-after': 'Mon, 02 Nov 2026 10:00:05 GMT' } });
    expect(await client.desired('c', undefined).catch((e) => e)).toMatchObject({ status: 503, retryAfterMs: 5000 });
    hub.inject(404);
    expect(await client.desired('c', undefined).catch((e) => e)).toBeInstanceOf(HubProtocolError);
    hub.inject(403);
    expect(await client.rotate('c').catch((e) => e)).toMatchObject({ name: 'CredentialRejectedError', status: 403 });
  });

  test('answers that break the protocol are HubProtocolError, naming the field', async () => {
    hub.inject(200, { body: JSON.stringify({ revision: 7 }) });
    const err = await client.desired('c', undefined).catch((e) => e);
    expect(err).toBeInstanceOf(HubProtocolError);
    expect(err.message).toMatch(/revision/);
    hub.inject(200, { body: '<html>proxy login</html>' });
    expect((await client.desired('c', undefined).catch((e) => e)).message).toMatch(/not JSON/);
  });

  test('a closed port and a timeout are HubUnavailableError', async () => {
    const url = hub.url;
    await hub.close();
    const down = new HubClient({ hubUrl: url });
    const err = await down.desired('c', undefined).catch((e) => e);
    expect(err).toBeInstanceOf(HubUnavailableError);
    expect(err.message).toMatch(/ECONNREFUSED/);
    const slow = new HubClient({
      hubUrl: 'http://127.0.0.1:1',
      timeoutMs: 50,
      fetch: (_u, init) => new Promise((_, reject) => init.signal?.addEventListener('abort', () => reject(init.signal?.reason))),
    });
    expect((await slow.desired('c', undefined).catch((e) => e)).message).toMatch(/timed out after 50 ms/);
    hub = await new FakeHub().start();
  });

  test('status reports are checked before they are sent', async () => {
    const bad = { observedRevision: '1', agentVersion: '', healthy: true } as never;
    await expect(client.status('c', bad)).rejects.toThrow(/invalid status report: agentVersion/);
    expect(hub.requests).toHaveLength(0);
  });

  test('rejects hub URLs that are not http(s)', () => {
    expect(() => new HubClient({ hubUrl: 'hub.example.com' })).toThrow(AgentConfigError);
    expect(() => new HubClient({ hubUrl: 'ftp://hub.example.com' })).toThrow(/must use https/);
  });
});
