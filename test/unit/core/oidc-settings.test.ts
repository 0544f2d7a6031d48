import { oidcEnvironment, validateProps } from '../../../cdk/hub-props.js';
import { looksLikeJwt } from '../../../lambdas/http/auth.js';
import { groupsOf, oidcSettingsFromEnv, principalFromClaims, publicAuthConfig, oidcSettings } from '../../../lambdas/core/identity/oidc.js';

describe('OIDC settings', () => {
  it('are off without an issuer, and read every TETHER_OIDC_* variable', () => {
    expect(oidcSettingsFromEnv({})).toBeUndefined();
    expect(
      oidcSettingsFromEnv({
        TETHER_OIDC_ISSUER: 'https://login.example.com/realms/acme',
        TETHER_OIDC_CLIENT_ID: 'tether',
        TETHER_OIDC_GROUPS_CLAIM: 'cognito:groups',
        TETHER_OIDC_USERNAME_CLAIM: 'preferred_username',
        TETHER_OIDC_CLOCK_TOLERANCE_SECONDS: '30',
      }),
    ).toEqual({
      issuer: 'https://login.example.com/realms/acme',
      audience: 'tether',
      clientId: 'tether',
      usernameClaim: 'preferred_username',
      groupsClaim: 'cognito:groups',
      usernamePrefix: 'oidc:',
      clockToleranceSeconds: 30,
    });
  });

  it('fail start-up with the variable named when a value is wrong', () => {
    expect(() => oidcSettingsFromEnv({ TETHER_OIDC_ISSUER: 'https://x.example.com' })).toThrow(
      /TETHER_OIDC_AUDIENCE nor TETHER_OIDC_CLIENT_ID/,
    );
    expect(() => oidcSettingsFromEnv({ TETHER_OIDC_ISSUER: 'http://idp.example.com', TETHER_OIDC_CLIENT_ID: 'c' })).toThrow(
      /must be an https URL/,
    );
    expect(() =>
      oidcSettingsFromEnv({
        TETHER_OIDC_ISSUER: 'https://x.example.com',
        TETHER_OIDC_CLIENT_ID: 'c',
        TETHER_OIDC_CLOCK_TOLERANCE_SECONDS: 'soon',
      }),
    ).toThrow(/TETHER_OIDC_CLOCK_TOLERANCE_SECONDS/);
    expect(oidcSettingsFromEnv({ TETHER_OIDC_ISSUER: 'http://127.0.0.1:5556/dex', TETHER_OIDC_CLIENT_ID: 'c' })?.issuer).toBe(
      'http://127.0.0.1:5556/dex',
    );
  });

  it('publish only what a public client needs', () => {
    expect(publicAuthConfig(undefined)).toEqual({});
    expect(publicAuthConfig(oidcSettings({ issuer: 'https://idp.example.com', audience: 'aud', clientId: 'cli' }))).toEqual({
      oidc: { issuer: 'https://idp.example.com', clientId: 'cli', scopes: 'openid email profile offline_access', usernamePrefix: 'oidc:' },
    });
  });

  it('go into the admin function environment from the CDK props, and bad props are refused', () => {
    expect(oidcEnvironment(undefined)).toEqual({});
    expect(
      oidcEnvironment({ issuer: 'https://idp.example.com', clientId: 'tether', groupsClaim: 'cognito:groups', usernamePrefix: '' }),
    ).toEqual({
      TETHER_OIDC_ISSUER: 'https://idp.example.com',
      TETHER_OIDC_CLIENT_ID: 'tether',
      TETHER_OIDC_AUDIENCE: 'tether',
      TETHER_OIDC_GROUPS_CLAIM: 'cognito:groups',
      TETHER_OIDC_USERNAME_PREFIX: '-',
    });
    expect(
      oidcSettingsFromEnv(oidcEnvironment({ issuer: 'https://idp.example.com', clientId: 'tether', usernamePrefix: '' }))?.usernamePrefix,
    ).toBe('');
    expect(() =>
      validateProps({ stage: 'dev', agentImage: 'i', agentVersion: '1', oidc: { issuer: 'http://idp.example.com', clientId: '' } }),
    ).toThrow(/oidc\.issuer.*|oidc\.clientId/s);
  });
});

describe('OIDC claims', () => {
  const settings = oidcSettings({ issuer: 'https://idp.example.com', clientId: 'tether' });
  const exp = 2_000_000_000;

  it('map to a principal; the user-name claim can be nested; sub is the uid', () => {
    expect(principalFromClaims({ sub: 's1', email: 'a@example.com', groups: ['g'], exp }, settings)).toEqual({
      source: 'oidc',
      username: 'oidc:a@example.com',
      uid: 's1',
      groups: ['g'],
      expiresAt: exp * 1000,
    });
    const keycloak = { ...settings, groupsClaim: 'realm_access.roles' };
    expect(principalFromClaims({ sub: 's1', exp, realm_access: { roles: ['ops', 'ops'] } }, keycloak).groups).toEqual(['ops']);
  });

  it('groups: a string, an array, absent; anything else or too much is refused', () => {
    expect(groupsOf({ groups: 'a' }, 'groups')).toEqual(['a']);
    expect(groupsOf({}, 'groups')).toEqual([]);
    expect(groupsOf({ 'cognito:groups': ['x', 'y'] }, 'cognito:groups')).toEqual(['x', 'y']);
    expect(() => groupsOf({ groups: { a: 1 } }, 'groups')).toThrow(/string or an array of strings/);
    expect(() => groupsOf({ groups: ['x'.repeat(257)] }, 'groups')).toThrow(/longer than 256/);
  });

  it('a JWT has three base64url segments; the hub’s own tokens never do', () => {
    expect(looksLikeJwt('eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln')).toBe(true);
    expect(looksLikeJwt('tha_0123456789abcdef')).toBe(false);
    expect(looksLikeJwt('thc_store-1.secret')).toBe(false);
  });
});
