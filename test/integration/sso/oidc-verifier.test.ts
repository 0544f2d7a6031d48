import { createHmac } from 'node:crypto';
import { exportSPKI, generateKeyPair, importJWK } from 'jose';
import { UnauthenticatedError } from '../../../shared/errors.js';
import { IssuerUnavailableError, OidcVerifier } from '../../../lambdas/adapters/oidc/oidc-verifier.js';
import { oidcSettings } from '../../../lambdas/core/identity/oidc.js';
import { startOidcIssuer, type TestOidcIssuer } from '../../support/oidc-issuer.js';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

describe('OIDC verifier against a local issuer', () => {
  let issuer: TestOidcIssuer;
  beforeEach(async () => {
    issuer = await startOidcIssuer();
  });
  afterEach(() => issuer.close());

  const verifier = (o: ConstructorParameters<typeof OidcVerifier>[1] = {}) =>
    new OidcVerifier(oidcSettings({ issuer: issuer.issuer, clientId: issuer.clientId }), o);

  it('turns a valid ID token into an OIDC principal (prefixed user name, sub as uid, groups, expiry)', async () => {
    const exp = now() + 300;
    const p = await verifier().verify(await issuer.sign({ exp, groups: ['team-a', 'auditors'] }));
    expect(p).toEqual({
      source: 'oidc',
      username: 'oidc:alice@example.com',
      uid: 'u-1001',
      groups: ['team-a', 'auditors'],
      expiresAt: exp * 1000,
    });
  });

  it('refuses a token expired beyond the clock tolerance and accepts one expired within it', async () => {
    const v = verifier();
    await expect(v.verify(await issuer.sign({ exp: now() - 120, iat: now() - 400 }))).rejects.toThrow(/expired at .*tether login --oidc/);
    await expect(v.verify(await issuer.sign({ exp: now() - 30, iat: now() - 400 }))).resolves.toMatchObject({ uid: 'u-1001' });
  });

  it('honours a configured clock tolerance', async () => {
    const v = new OidcVerifier(oidcSettings({ issuer: issuer.issuer, clientId: issuer.clientId, clockToleranceSeconds: 0 }));
    await expect(v.verify(await issuer.sign({ exp: now() - 5 }))).rejects.toThrow(UnauthenticatedError);
  });

  it('refuses another issuer without fetching anything, and another audience naming the client it wants', async () => {
    const v = verifier();
    await expect(v.verify(await issuer.sign({ iss: 'https://evil.example.com' }))).rejects.toThrow(
      /issued by "https:\/\/evil.example.com"/,
    );
    expect(issuer.hits('/jwks')).toBe(0);
    expect(issuer.hits('/.well-known/openid-configuration')).toBe(0);
    await expect(v.verify(await issuer.sign({ aud: 'someone-else' }))).rejects.toThrow(/audience "someone-else".*client "tether"/);
  });

  it('refuses alg none and HS256 signed with the public key as the secret', async () => {
    const v = verifier();
    const claims = { iss: issuer.issuer, aud: issuer.clientId, sub: 'u-1001', email: 'alice@example.com', exp: now() + 300, iat: now() };
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    await expect(v.verify(none)).rejects.toThrow(/signed with "none"/);
    const pem = await exportSPKI((await importJWK(issuer.currentPublicJwk(), 'RS256', { extractable: true })) as CryptoKey);
    const input = `${b64({ alg: 'HS256', typ: 'JWT', kid: issuer.currentPublicJwk().kid })}.${b64(claims)}`;
    const hs = `${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`;
    await expect(v.verify(hs)).rejects.toThrow(/signed with "HS256"/);
  });

  it('refuses a token signed by another key with the issuer key id', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    await expect(verifier().verify(await issuer.sign({}, { key: privateKey }))).rejects.toThrow(/signature does not verify/);
  });

  it('follows key rotation: a new kid refetches the JWKS; tokens of the previous key keep working while it is published', async () => {
    const v = verifier({ jwksCooldownMs: 50 });
    await v.verify(await issuer.sign());
    expect(issuer.hits('/jwks')).toBe(1);
    await issuer.rotateKey();
    await new Promise((r) => setTimeout(r, 80));
    await expect(v.verify(await issuer.sign())).resolves.toMatchObject({ uid: 'u-1001' });
    expect(issuer.hits('/jwks')).toBe(2);
    await expect(v.verify(await issuer.sign({}, { key: 'previous' }))).resolves.toMatchObject({ uid: 'u-1001' });
    expect(issuer.hits('/jwks')).toBe(2);
  });

  it('bounds JWKS fetches under a flood of forged key ids', async () => {
    const v = verifier();
    await v.verify(await issuer.sign());
    const { privateKey } = await generateKeyPair('RS256');
    const forged = await Promise.all(Array.from({ length: 300 }, (_, i) => issuer.sign({}, { key: privateKey, kid: `forged-${i}` })));
    const results = await Promise.allSettled(forged.map((t) => v.verify(t)));
    expect(results.every((r) => r.status === 'rejected' && r.reason instanceof UnauthenticatedError)).toBe(true);
    // The first fetch, and none more within the 30 s cooldown, however many unknown kids arrive.
    expect(issuer.hits('/jwks')).toBe(1);
    expect(issuer.hits('/.well-known/openid-configuration')).toBe(1);
  });

  it('reads the groups claim as a string or an array, and refuses other shapes', async () => {
    const v = verifier();
    await expect(v.verify(await issuer.sign({ groups: 'platform' }))).resolves.toMatchObject({ groups: ['platform'] });
    await expect(v.verify(await issuer.sign({ groups: undefined }))).resolves.toMatchObject({ groups: [] });
    await expect(v.verify(await issuer.sign({ groups: [1, 2] }))).rejects.toThrow(/must be a string or an array of strings/);
    await expect(v.verify(await issuer.sign({ groups: Array.from({ length: 300 }, (_, i) => `g${i}`) }))).rejects.toThrow(/at most 256/);
  });

  it('falls back to sub without the username claim and refuses an unverified e-mail', async () => {
    const v = verifier();
    await expect(v.verify(await issuer.sign({ email: undefined }))).resolves.toMatchObject({ username: 'oidc:u-1001' });
    await expect(v.verify(await issuer.sign({ email_verified: false }))).rejects.toThrow(/not verified/);
  });

  it('answers 503 when the issuer cannot be reached, and backs off instead of retrying every request', async () => {
    let calls = 0;
    const failing: typeof fetch = async () => {
      calls++;
      throw new TypeError('fetch failed');
    };
    const v = verifier({ fetch: failing });
    const token = await issuer.sign();
    await expect(v.verify(token)).rejects.toThrow(IssuerUnavailableError);
    await expect(v.verify(token)).rejects.toThrow(IssuerUnavailableError);
    expect(calls).toBe(1);
  });

  it('refuses a discovery document that names another issuer', async () => {
    const lying: typeof fetch = async () =>
      new Response(JSON.stringify({ issuer: 'https://other.example.com', jwks_uri: `${issuer.issuer}/jwks` }));
    await expect(verifier({ fetch: lying }).verify(await issuer.sign())).rejects.toThrow(/names issuer "https:\/\/other.example.com"/);
  });
});
