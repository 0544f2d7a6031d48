import type { Browser } from 'playwright-core';
import { oidcSettings } from '../../../lambdas/core/identity/oidc.js';
import { startTestHub, type TestHub } from '../../support/local-hub.js';
import { startOidcIssuer, type TestOidcIssuer } from '../../support/oidc-issuer.js';
import { buildConsole, launchBrowser, newPage, screenshot, tearDownConsoleTest, watchPageErrors } from './harness.js';

/**
 * Single sign-on in Chromium: the console offers "Sign in with <issuer>" when the hub advertises
 * one, goes through the local test issuer (authorization code + PKCE) and comes back signed in;
 * a viewer sees no write buttons, an admin does.
 */

let hub: TestHub;
let issuer: TestOidcIssuer;
let browser: Browser;
let consoleDir: string;
const previousDir = process.env.TETHER_CONSOLE_DIR;

beforeAll(async () => {
  consoleDir = await buildConsole();
  process.env.TETHER_CONSOLE_DIR = consoleDir;
  issuer = await startOidcIssuer();
  hub = await startTestHub({ config: { oidc: oidcSettings({ issuer: issuer.issuer, clientId: issuer.clientId }) } });
  for (const [name, group, role] of [
    ['viewers', 'team-a', 'viewer'],
    ['admins', 'platform', 'admin'],
  ]) {
    const r = await hub.api('/v1/rolebindings', {
      body: {
        apiVersion: 'tether.dev/v1alpha1',
        kind: 'RoleBinding',
        metadata: { name },
        spec: { subjects: [{ kind: 'Group', name: group }], roleRef: { name: role } },
      },
    });
    expect(r.status).toBe(201);
  }
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await tearDownConsoleTest({ agents: [], browser, hub, previousDir, consoleDir });
  await issuer?.close();
}, 60_000);

async function signInThroughIssuer(groups: string[]) {
  issuer.user = { sub: `u-${groups.join('-')}`, email: `${groups[0]}@example.com`, email_verified: true, groups };
  const { context, page } = await newPage(browser, hub.url);
  const errors = watchPageErrors(page);
  await page.goto(`${hub.url}/`);
  await page.getByRole('button', { name: /^Sign in with 127\.0\.0\.1:\d+\/oidc$/ }).click();
  await page.getByRole('heading', { level: 1, name: 'Clusters' }).waitFor({ timeout: 20_000 });
  // The code and state are gone from the address bar; the ID token is in session storage only.
  expect(new URL(page.url()).search).toBe('');
  return { context, page, errors };
}

test('a viewer signs in through the issuer and sees no write buttons', async () => {
  const { context, page, errors } = await signInThroughIssuer(['team-a']);
  try {
    // whoami answered: the list is there and the import button is not.
    await page.waitForFunction(() => document.querySelector('table.data, .empty, main p') !== null);
    await page.waitForTimeout(500);
    expect(await page.getByRole('button', { name: 'Import cluster' }).count()).toBe(0);
    await screenshot(page, 'sso-viewer');
    const stored = await page.evaluate(() => sessionStorage.getItem('tether.adminToken'));
    expect(stored?.split('.')).toHaveLength(3);
    expect(errors).toEqual([]);
  } finally {
    await context.close();
  }
}, 60_000);

test('an admin signed in through the issuer sees them', async () => {
  const { context, page, errors } = await signInThroughIssuer(['platform']);
  try {
    await page.getByRole('button', { name: 'Import cluster' }).waitFor({ timeout: 10_000 });
    expect(errors).toEqual([]);
  } finally {
    await context.close();
  }
}, 60_000);
