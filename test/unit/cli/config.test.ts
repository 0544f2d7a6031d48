import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configLocation, normaliseHubUrl, readConfig, resolveSettings, writeConfig } from '../../../cli/config.js';
import { UsageError } from '../../../cli/errors.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tether-cli-config-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const io = (env: Record<string, string | undefined>) => ({ env, cwd: dir });

describe('config file location', () => {
  test('$TETHER_CONFIG (relative to cwd), else $XDG_CONFIG_HOME/tether, else ~/.config/tether', () => {
    expect(configLocation(io({ TETHER_CONFIG: 'my.json', XDG_CONFIG_HOME: '/x', HOME: '/h' }))).toEqual({
      path: join(dir, 'my.json'),
      ownDir: false,
    });
    expect(configLocation(io({ XDG_CONFIG_HOME: '/x', HOME: '/h' }))).toEqual({ path: '/x/tether/config.json', ownDir: true });
    expect(configLocation(io({ XDG_CONFIG_HOME: '', HOME: '/h' }))).toEqual({ path: '/h/.config/tether/config.json', ownDir: true });
  });
});

describe('writing', () => {
  test('the file is 0600 and its tether directory 0700, even when they existed with looser modes', async () => {
    const env = { XDG_CONFIG_HOME: join(dir, 'xdg') };
    mkdirSync(join(dir, 'xdg', 'tether'), { recursive: true, mode: 0o755 });
    chmodSync(join(dir, 'xdg', 'tether'), 0o755);
    writeFileSync(join(dir, 'xdg', 'tether', 'config.json'), '{}', { mode: 0o644 });
    const path = await writeConfig(io(env), { hub: 'http://127.0.0.1:8080', token: 'secret' });
    expect(path).toBe(join(dir, 'xdg', 'tether', 'config.json'));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'xdg', 'tether')).mode & 0o777).toBe(0o700);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ hub: 'http://127.0.0.1:8080', token: 'secret' });
  });

  test('a $TETHER_CONFIG in a shared directory does not chmod that directory', async () => {
    const shared = join(dir, 'shared');
    mkdirSync(shared, { mode: 0o755 });
    chmodSync(shared, 0o755);
    const path = await writeConfig(io({ TETHER_CONFIG: join(shared, 'tether.json') }), { hub: 'http://h', token: 't' });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(shared).mode & 0o777).toBe(0o755);
  });
});

describe('reading', () => {
  test('a missing file is an empty config; a broken one is a usage error naming the file', async () => {
    const path = join(dir, 'c.json');
    expect((await readConfig(io({ TETHER_CONFIG: path }))).config).toEqual({});
    writeFileSync(path, '{not json');
    const err = await readConfig(io({ TETHER_CONFIG: path })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as UsageError).message).toBe(`the config file ${path} is not valid JSON; fix it or run "tether login" again`);
  });

  test('a token readable by others gives a warning with the fix', async () => {
    const path = join(dir, 'c.json');
    writeFileSync(path, JSON.stringify({ hub: 'http://h', token: 't' }));
    chmodSync(path, 0o644);
    const r = await readConfig(io({ TETHER_CONFIG: path }));
    expect(r.warnings).toEqual([`the config file ${path} holds a token and is readable by other users (mode 644); run: chmod 600 ${path}`]);
    chmodSync(path, 0o600);
    expect((await readConfig(io({ TETHER_CONFIG: path }))).warnings).toEqual([]);
  });
});

describe('precedence: flags > environment > config file', () => {
  const path = () => join(dir, 'c.json');
  beforeEach(() => writeFileSync(path(), JSON.stringify({ hub: 'http://from-config', token: 'config-token' }), { mode: 0o600 }));

  test('config alone', async () => {
    const s = await resolveSettings(io({ TETHER_CONFIG: path() }), {});
    expect(s).toMatchObject({ hub: 'http://from-config', token: 'config-token', source: { hub: 'config', token: 'config' } });
  });

  test('environment beats config; empty variables count as unset', async () => {
    const s = await resolveSettings(io({ TETHER_CONFIG: path(), TETHER_HUB: 'http://from-env/', TETHER_TOKEN: '' }), {});
    expect(s).toMatchObject({ hub: 'http://from-env', token: 'config-token', source: { hub: 'env', token: 'config' } });
  });

  test('flags beat both', async () => {
    const s = await resolveSettings(io({ TETHER_CONFIG: path(), TETHER_HUB: 'http://from-env', TETHER_TOKEN: 'env-token' }), {
      hub: 'https://from-flag:8443/base/',
      token: 'flag-token',
    });
    expect(s).toMatchObject({ hub: 'https://from-flag:8443/base', token: 'flag-token', source: { hub: 'flag', token: 'flag' } });
  });

  test('nothing anywhere', async () => {
    const s = await resolveSettings(io({ TETHER_CONFIG: join(dir, 'none.json') }), {});
    expect(s.hub).toBeUndefined();
    expect(s.token).toBeUndefined();
  });
});

describe('hub URLs', () => {
  test('http and https only, no query, trailing slashes dropped', () => {
    expect(normaliseHubUrl('http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080');
    expect(normaliseHubUrl('https://abc.execute-api.eu-west-1.amazonaws.com/prod//')).toBe(
      'https://abc.execute-api.eu-west-1.amazonaws.com/prod',
    );
    expect(() => normaliseHubUrl('127.0.0.1:8080')).toThrow(UsageError);
    expect(() => normaliseHubUrl('localhost')).toThrow(/invalid hub URL "localhost" \(from --hub\)/);
    expect(() => normaliseHubUrl('http://h/?x=1', 'env')).toThrow(
      'invalid hub URL "http://h/?x=1" (from TETHER_HUB): it must not have a query or fragment',
    );
  });
});
